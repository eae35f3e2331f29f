#include "store/reducer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>

#include "store/core/checksum.h"
#include "store/core/parallel.h"
#include "store/minimizer_index.h"

namespace talaria::store {

using core::Result;

namespace {

// Alignments by (reference content, child content): identical sequences
// (duplicates under other names are common in protein databases) are
// aligned once. Bounded LRU; thread-safe.
class AlignmentCache {
 public:
  explicit AlignmentCache(size_t capacity) : capacity_(capacity) {}

  using Key = std::pair<uint64_t, uint64_t>;
  std::optional<std::optional<Alignment>> Find(const Key& key) {
    std::lock_guard<std::mutex> lock(mu_);
    lookups_++;
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    hits_++;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }
  void Put(const Key& key, const std::optional<Alignment>& value) {
    std::lock_guard<std::mutex> lock(mu_);
    if (capacity_ == 0 || map_.count(key)) return;
    lru_.emplace_front(key, value);
    map_[key] = lru_.begin();
    if (map_.size() > capacity_) {
      map_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }
  uint64_t lookups() const { return lookups_; }
  uint64_t hits() const { return hits_; }

 private:
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.first * 31 + k.second; }
  };
  const size_t capacity_;
  std::mutex mu_;
  std::list<std::pair<Key, std::optional<Alignment>>> lru_;
  std::unordered_map<Key, decltype(lru_)::iterator, KeyHash> map_;
  uint64_t lookups_ = 0, hits_ = 0;
};

struct GroupWork {
  std::vector<size_t> members;  // input indexes
};

}  // namespace

Result<std::vector<ReduceAssignment>> ReduceSequences(std::span<const ReduceInput> inputs,
                                                      const ReduceParams& params,
                                                      ReduceStats* stats) {
  if (params.ratio.has_value() == params.identity.has_value()) {
    return core::InvalidArgument("give exactly one of a ratio and an identity");
  }
  if (params.ratio && (*params.ratio <= 0 || *params.ratio > 1)) {
    return core::InvalidArgument("the ratio must be in (0, 1]");
  }
  if (params.identity && (*params.identity <= 0 || *params.identity > 1)) {
    return core::InvalidArgument("the identity must be in (0, 1]");
  }
  const double threshold = params.identity ? *params.identity : kRatioFloorIdentity;
  std::vector<ReduceAssignment> out(inputs.size());
  std::vector<uint64_t> content(inputs.size());
  for (size_t i = 0; i < inputs.size(); i++) content[i] = core::Checksum64(inputs[i].residues);

  std::map<uint64_t, GroupWork> groups;
  for (size_t i = 0; i < inputs.size(); i++) groups[inputs[i].group].members.push_back(i);
  std::vector<GroupWork*> work;
  for (auto& [g, w] : groups) work.push_back(&w);
  // Biggest groups first, so a big one does not start last.
  std::sort(work.begin(), work.end(), [](const GroupWork* a, const GroupWork* b) {
    return a->members.size() > b->members.size();
  });

  AlignmentCache cache(params.cache_entries);
  std::atomic<uint64_t> alignments{0};
  const AlignmentLimits limits{threshold};
  const double min_share = std::clamp(threshold - 0.6, 0.05, 0.3);
  // The best reference among `index`'s candidates for sequence i, if one
  // reaches the threshold.
  struct Match {
    int64_t reference = -1;
    std::optional<Alignment> alignment;
  };
  auto best_match = [&](const MinimizerIndex& index, size_t i,
                        const std::vector<uint64_t>& minimizers) {
    Match m;
    const std::string_view seq = inputs[i].residues;
    const size_t query_minimizers = minimizers.size();
    for (const auto& [r, shared] : index.Candidates(minimizers, params.max_candidates, 2)) {
      // A pair at the threshold keeps a good share of its words; one that
      // shares few is not worth a banded alignment.
      if (static_cast<double>(shared) < min_share * static_cast<double>(query_minimizers)) break;
      const AlignmentCache::Key key{content[r], content[i]};
      std::optional<Alignment> a;
      if (auto hit = cache.Find(key)) {
        a = std::move(*hit);
      } else {
        a = AlignBanded(inputs[r].residues, seq, limits);
        alignments++;
        cache.Put(key, a);
      }
      if (a && (!m.alignment || a->stats.identity() > m.alignment->stats.identity())) {
        m.alignment = std::move(a);
        m.reference = static_cast<int64_t>(r);
      }
      if (m.alignment && m.alignment->stats.matches == m.alignment->stats.columns) break;
    }
    return m;
  };
  // Greedy, longest first; groups in parallel.
  core::ParallelFor(work.size(), std::max(1u, params.threads), [&](size_t g) {
    std::vector<size_t>& members = work[g]->members;
    std::stable_sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      return inputs[a].residues.size() > inputs[b].residues.size();
    });
    MinimizerIndex index;
    for (size_t i : members) {
      const size_t len = inputs[i].residues.size();
      const std::vector<uint64_t> minimizers = index.Minimizers(inputs[i].residues);
      if (len > 0 && len >= params.min_length) {
        Match m = best_match(index, i, minimizers);
        if (m.alignment) {
          out[i].reference = m.reference;
          out[i].identity = m.alignment->stats.identity();
          out[i].script = std::move(m.alignment->script);
          continue;
        }
      }
      index.Add(static_cast<uint32_t>(i), minimizers);
    }
  });

  uint64_t references = 0;
  for (const auto& a : out) references += a.reference < 0;
  uint64_t promoted = 0;
  if (params.ratio) {
    const uint64_t want =
        static_cast<uint64_t>(std::ceil(*params.ratio * static_cast<double>(inputs.size())));
    if (references < want) {
      std::vector<size_t> children;
      for (size_t i = 0; i < out.size(); i++) {
        if (out[i].reference >= 0) children.push_back(i);
      }
      std::sort(children.begin(), children.end(), [&](size_t a, size_t b) {
        return out[a].identity != out[b].identity ? out[a].identity < out[b].identity : a < b;
      });
      for (size_t k = 0; k < children.size() && references < want; k++) {
        out[children[k]] = ReduceAssignment{};
        references++;
        promoted++;
      }
    }
  }
  if (stats) {
    stats->sequences = inputs.size();
    stats->references = references;
    stats->children = inputs.size() - references;
    stats->alignments = alignments;
    stats->cache_lookups = cache.lookups();
    stats->cache_hits = cache.hits();
    stats->promoted = promoted;
  }
  return out;
}

}  // namespace talaria::store
