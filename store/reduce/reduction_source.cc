#include "store/reduce/reduction_source.h"

#include <span>
#include <string_view>
#include <vector>

#include "store/reduce/delta_record.h"
#include "store/reduce/reduction.h"

namespace talaria::store {

using core::Result;

Result<Source> LoadSource(ObjectStore& store, const DatabaseManifest& m,
                          std::span<const size_t> which,
                          const std::map<TaxonId, uint64_t>* group_of) {
  Source s;
  for (size_t c : which) {
    const ManifestChunk& mc = m.chunks[c];
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(mc.id));
    s.chunks.push_back(bytes);
    std::vector<TaxonPiece> primary;
    for (const TaxonPiece& p : PiecesOf(mc)) {
      if (p.primary) primary.push_back(p);
    }
    size_t piece = 0;
    for (std::string_view rec : SplitRecords(*bytes)) {
      const auto offset = static_cast<uint64_t>(rec.data() - bytes->data());
      while (piece + 1 < primary.size() && offset >= primary[piece + 1].offset) piece++;
      const TaxonId taxon = primary[piece].taxon;
      uint64_t group = 0;
      if (group_of) {
        auto it = group_of->find(taxon);
        if (it != group_of->end()) group = it->second;
      }
      s.records.push_back(SourceRecord{rec, taxon, group, mc.id, SplitRecord(rec)});
    }
  }
  return s;
}

std::vector<std::string_view> SplitRecords(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = text.find('>');
  while (start != std::string_view::npos && start < text.size()) {
    size_t next = text.find("\n>", start);
    const size_t end = next == std::string_view::npos ? text.size() : next + 1;
    out.push_back(text.substr(start, end - start));
    start = next == std::string_view::npos ? std::string_view::npos : next + 1;
  }
  return out;
}

}  // namespace talaria::store
