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
  for (uint32_t i = 0; i < previous->chunks.size(); i++) {
    const ManifestChunk& c = previous->chunks[i];
    previous_.push_back(c.id);
    for (const TaxonPiece& p : PiecesOf(c)) {
      if (!p.primary) continue;
      std::vector<uint32_t>& chunks = by_taxon_[p.taxon];
      if (chunks.empty() || chunks.back() != i) chunks.push_back(i);
    }
  }
  remembered_chunk_.assign(previous_.size(), false);
}

Result<std::optional<ObjectId>> BaseChooser::Choose(const ClosedChunk& chunk) {
  std::vector<uint32_t> candidates;
  for (const TaxonPiece& p : chunk.pieces) {
    if (!p.primary) continue;
    auto it = by_taxon_.find(p.taxon);
    if (it != by_taxon_.end())
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (candidates.empty()) return std::optional<ObjectId>();
  if (candidates.size() == 1) return std::optional<ObjectId>(previous_[candidates[0]]);
  if (remembered_ > kMaxRememberedIds) {
    owners_.clear();
    remembered_chunk_.assign(previous_.size(), false);
    remembered_ = 0;
  }
  for (uint32_t c : candidates) TALARIA_RETURN_IF_ERROR(Remember(c));
  std::map<uint32_t, uint32_t> votes;  // previous chunk -> records shared
  for (std::string_view id : RecordIds(chunk.bytes)) {
    auto o = owners_.find(std::string(id));
    if (o != owners_.end() && std::binary_search(candidates.begin(), candidates.end(), o->second))
      votes[o->second]++;
  }
  if (votes.empty())
    return std::optional<ObjectId>(
        previous_[candidates[std::min<size_t>(chunk.seq_in_taxon, candidates.size() - 1)]]);
  auto best = votes.begin();
  for (auto it = votes.begin(); it != votes.end(); ++it) {
    if (it->second > best->second) best = it;  // ascending keys: a tie keeps the first
  }
  return std::optional<ObjectId>(previous_[best->first]);
}

core::Status BaseChooser::Remember(uint32_t chunk) {
  if (remembered_chunk_[chunk]) return core::OkStatus();
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store_.Get(previous_[chunk]));
  for (std::string_view id : RecordIds(*bytes)) {
    if (owners_.emplace(std::string(id), chunk).second) remembered_++;
  }
  remembered_chunk_[chunk] = true;
  return core::OkStatus();
}

}  // namespace talaria::store
