#include "store/catalog/taxonomy_loader.h"

#include <charconv>
#include <unordered_map>
#include <vector>

#include "index/index.h"
#include "index/schema.h"
#include "store/fasta/byte_source.h"

namespace talaria::store {

using core::Result;
using core::Status;

namespace {

// The fields of a .dmp line: "a\t|\tb\t|\t...\t|".
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() >= 2 && line.substr(line.size() - 2) == "\t|") line.remove_suffix(2);
  size_t pos = 0;
  for (;;) {
    size_t sep = line.find("\t|\t", pos);
    out.push_back(line.substr(pos, sep == std::string_view::npos ? sep : sep - pos));
    if (sep == std::string_view::npos) break;
    pos = sep + 3;
  }
  return out;
}

bool ParseTaxid(std::string_view s, uint32_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// fn(fields, line number) for every non-empty line of a .dmp file (plain or
// compressed).
template <class Fn>
Status ForEachDmpLine(const std::string& path, Fn&& fn) {
  return ForEachLineOfSource(path, [&](std::string_view line, uint64_t n) -> Status {
    if (line.empty()) return core::OkStatus();
    return fn(Fields(line), n);
  });
}

}  // namespace

Result<TaxonomyLoadResult> LoadTaxonomy(WritableStore& store, const std::string& nodes_dmp,
                                        const std::string& names_dmp) {
  TaxonomyLoadResult result;
  std::unordered_map<uint32_t, std::string> names;
  TALARIA_RETURN_IF_ERROR(
      ForEachDmpLine(names_dmp, [&](const std::vector<std::string_view>& f, uint64_t n) -> Status {
        uint32_t taxid = 0;
        if (f.size() < 4 || !ParseTaxid(f[0], &taxid)) {
          return core::ParseError(names_dmp + ":" + std::to_string(n) +
                                  ": not a names.dmp line (tax_id | name | unique name | class)");
        }
        if (f[3] == "scientific name") names[taxid] = std::string(f[1]);
        return core::OkStatus();
      }));
  result.names = names.size();
  std::vector<index::TaxonNode> nodes;
  TALARIA_RETURN_IF_ERROR(
      ForEachDmpLine(nodes_dmp, [&](const std::vector<std::string_view>& f, uint64_t n) -> Status {
        index::TaxonNode node;
        if (f.size() < 3 || !ParseTaxid(f[0], &node.taxid) || !ParseTaxid(f[1], &node.parent)) {
          return core::ParseError(nodes_dmp + ":" + std::to_string(n) +
                                  ": not a nodes.dmp line (tax_id | parent | rank | ...)");
        }
        node.rank = std::string(f[2]);
        if (auto it = names.find(node.taxid); it != names.end()) node.name = std::move(it->second);
        nodes.push_back(std::move(node));
        return core::OkStatus();
      }));
  result.nodes = nodes.size();
  TALARIA_RETURN_IF_ERROR(store.index().Update([&](index::WriteTxn& txn) -> Status {
    const index::TaxonomyTable& tax = store.index().taxonomy();
    TALARIA_RETURN_IF_ERROR(tax.Clear(txn));
    for (const auto& node : nodes) TALARIA_RETURN_IF_ERROR(tax.Put(txn, node));
    const index::MetaTable& meta = store.index().meta();
    TALARIA_ASSIGN_OR_RETURN(auto generation, meta.GetU64(txn, index::kMetaTaxonomyGeneration));
    return meta.PutU64(txn, index::kMetaTaxonomyGeneration, generation.value_or(0) + 1);
  }));
  return result;
}

}  // namespace talaria::store
