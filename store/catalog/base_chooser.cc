#include "store/catalog/base_chooser.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "store/fasta/record_id.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;

namespace {

// The ids of the records in a chunk's text.
std::vector<std::string_view> RecordIds(std::string_view chunk) {
  std::vector<std::string_view> ids;
  for (size_t pos = 0; pos < chunk.size();) {
    size_t eol = chunk.find('\n', pos);
    if (eol == std::string_view::npos) eol = chunk.size();
    if (chunk[pos] == '>') ids.push_back(RecordId(chunk.substr(pos, eol - pos)));
    pos = eol + 1;
  }
  return ids;
}

}  // namespace

BaseChooser::BaseChooser(WritableStore& store, const DatabaseManifest* previous) : store_(store) {
  if (!previous) return;
  for (const ManifestChunk& c : previous->chunks) by_taxon_[c.taxon].push_back(c.id);
}

Result<std::optional<ObjectId>> BaseChooser::Choose(const ClosedChunk& chunk) {
  auto it = by_taxon_.find(chunk.taxon);
  if (it == by_taxon_.end()) return std::optional<ObjectId>();
  const std::vector<ObjectId>& candidates = it->second;
  if (candidates.size() == 1) return std::optional<ObjectId>(candidates[0]);
  TALARIA_ASSIGN_OR_RETURN(auto* owners, Owners(chunk.taxon, candidates));
  std::unordered_map<uint32_t, uint32_t> votes;
  for (std::string_view id : RecordIds(chunk.bytes)) {
    auto o = owners->find(std::string(id));
    if (o != owners->end()) votes[o->second]++;
  }
  if (votes.empty())
    return std::optional<ObjectId>(
        candidates[std::min<size_t>(chunk.seq_in_taxon, candidates.size() - 1)]);
  auto best = std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first > b.first);
  });
  return std::optional<ObjectId>(candidates[best->first]);
}

Result<BaseChooser::OwnerMap*> BaseChooser::Owners(TaxonId taxon,
                                                   const std::vector<ObjectId>& candidates) {
  auto it = owners_.find(taxon);
  if (it != owners_.end()) return &it->second;
  if (remembered_ > kMaxRememberedIds) {
    owners_.clear();
    remembered_ = 0;
  }
  OwnerMap map;
  for (uint32_t i = 0; i < candidates.size(); ++i) {
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store_.Get(candidates[i]));
    for (std::string_view id : RecordIds(*bytes)) map.emplace(std::string(id), i);
  }
  remembered_ += map.size();
  return &owners_.emplace(taxon, std::move(map)).first->second;
}

}  // namespace talaria::store
