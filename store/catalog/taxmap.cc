#include "store/catalog/taxmap.h"

#include <charconv>
#include <filesystem>

#include "store/core/coding.h"
#include "store/fasta/byte_source.h"

namespace talaria::store {

using core::Result;
using core::Status;

namespace {

constexpr char kTable[] = "accessions";
constexpr uint64_t kRowsPerTxn = 1'000'000;

}  // namespace

Result<std::unique_ptr<TaxMap>> TaxMap::Build(const std::vector<std::string>& files,
                                              const std::string& scratch_dir,
                                              const std::function<void(uint64_t)>& progress) {
  std::error_code ec;
  std::filesystem::remove_all(scratch_dir, ec);
  index::EnvOptions options;
  options.create = true;
  options.initial_map_bytes = uint64_t{256} << 20;
  TALARIA_ASSIGN_OR_RETURN(auto env, index::LmdbEnv::Open(scratch_dir, {{kTable}}, options));
  auto map = std::make_unique<TaxMap>(std::move(env), scratch_dir, 0);
  const MDB_dbi dbi = map->env_->dbi(kTable);
  std::vector<std::pair<std::string, uint32_t>> pending;
  auto flush = [&]() -> Status {
    Status st = map->env_->Update([&](index::WriteTxn& txn) -> Status {
      for (const auto& [key, taxid] : pending) {
        char v[4];
        core::EncodeFixed32(v, taxid);
        TALARIA_RETURN_IF_ERROR(txn.Put(dbi, key, std::string_view(v, 4)));
      }
      return core::OkStatus();
    });
    pending.clear();
    return st;
  };
  for (const std::string& file : files) {
    TALARIA_RETURN_IF_ERROR(
        ForEachLineOfSource(file, [&](std::string_view line, uint64_t n) -> Status {
          if (line.empty() || (n == 1 && line.substr(0, 9) == "accession")) return core::OkStatus();
          std::string_view cols[3];
          size_t pos = 0;
          for (int c = 0; c < 3; ++c) {
            size_t tab = line.find('\t', pos);
            if (tab == std::string_view::npos && c < 2) {
              return core::ParseError(file + ":" + std::to_string(n) +
                                      ": expected accession<TAB>accession.version<TAB>taxid");
            }
            cols[c] = line.substr(pos, tab == std::string_view::npos ? tab : tab - pos);
            pos = tab + 1;
          }
          uint32_t taxid = 0;
          auto [p, err] = std::from_chars(cols[2].data(), cols[2].data() + cols[2].size(), taxid);
          if (err != std::errc() || p != cols[2].data() + cols[2].size()) {
            return core::ParseError(file + ":" + std::to_string(n) + ": taxid '" +
                                    std::string(cols[2]) + "' is not a number");
          }
          pending.emplace_back(std::string(cols[1]), taxid);
          if (cols[0] != cols[1]) pending.emplace_back(std::string(cols[0]), taxid);
          if (++map->rows_ % kRowsPerTxn == 0) {
            TALARIA_RETURN_IF_ERROR(flush());
            if (progress) progress(map->rows_);
          }
          return core::OkStatus();
        }));
  }
  TALARIA_RETURN_IF_ERROR(flush());
  return map;
}

TaxMap::~TaxMap() {
  txn_.reset();
  env_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::optional<TaxonId>> TaxMap::Lookup(std::string_view seq_id) {
  if (!txn_) {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, env_->BeginRead());
    txn_.emplace(std::move(txn));
  }
  for (std::string_view key : AccessionKeys(seq_id)) {
    TALARIA_ASSIGN_OR_RETURN(auto v, txn_->Get(env_->dbi(kTable), key));
    if (v && v->size() == 4) return std::optional<TaxonId>(core::DecodeFixed32(v->data()));
  }
  return std::optional<TaxonId>();
}

}  // namespace talaria::store
