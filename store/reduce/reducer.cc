#include "store/reduce/reducer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>

#include "store/core/checksum.h"
#include "store/core/coding.h"
#include "store/core/lru_cache.h"
#include "store/core/parallel.h"
#include "store/reduce/minimizer_index.h"

namespace talaria::store {

using core::Result;

namespace {

// Alignments by (reference content, child content): identical sequences
// (duplicates under other names are common in protein databases) are
// aligned once. Bounded LRU; thread-safe.
class AlignmentCache {
 public:
  explicit AlignmentCache(size_t capacity) : lru_(capacity) {}

  using Key = std::pair<uint64_t, uint64_t>;
  std::optional<std::optional<Alignment>> Find(const Key& key) {
    auto cached = lru_.Lookup(key);
    if (!cached) return std::nullopt;
    return *cached;
  }
  void Put(const Key& key, const std::optional<Alignment>& value) {
    lru_.Insert(key, std::make_shared<const std::optional<Alignment>>(value), 1);
  }
  uint64_t lookups() const {
    const core::CacheStats s = lru_.stats();
    return s.hits + s.misses;
  }
  uint64_t hits() const { return lru_.stats().hits; }

 private:
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.first * 31 + k.second; }
  };
  core::LruCache<Key, std::optional<Alignment>, KeyHash> lru_;  // charged 1 per alignment
};

struct GroupWork {
  uint64_t key = 0;
  std::vector<size_t> members;  // input indexes
  std::vector<size_t> fixed;    // input indexes of fixed references
};

// A segment of a group's progress: (input index, reference + 1, script) of
// members[first, end).
std::string EncodeSegment(const std::vector<size_t>& members, size_t first, size_t end,
                          const std::vector<ReduceAssignment>& out) {
  std::string bytes;
  core::PutVarint(&bytes, end - first);
  for (size_t k = first; k < end; k++) {
    const ReduceAssignment& a = out[members[k]];
    core::PutVarint(&bytes, members[k]);
    core::PutVarint(&bytes, static_cast<uint64_t>(a.reference + 1));
    if (a.reference >= 0) EncodeScript(a.script, &bytes);
  }
  return bytes;
}

bool DecodeSegment(std::string_view in, std::vector<std::pair<size_t, ReduceAssignment>>* out) {
  uint64_t n = 0;
  if (!core::GetVarint(&in, &n) || n > in.size()) return false;
  for (uint64_t k = 0; k < n; k++) {
    uint64_t index = 0, ref = 0;
    if (!core::GetVarint(&in, &index) || !core::GetVarint(&in, &ref)) return false;
    ReduceAssignment a;
    a.reference = static_cast<int64_t>(ref) - 1;
    if (a.reference >= 0) {
      auto script = DecodeScript(&in);
      if (!script) return false;
      a.script = std::move(*script);
      a.identity = Stats(a.script).identity();
    }
    out->emplace_back(static_cast<size_t>(index), std::move(a));
  }
  return in.empty();
}

// Empty sequences and those under min_length always stay references.
bool MayBeChild(const ReduceInput& input, const ReduceParams& params) {
  const size_t len = input.residues.size();
  return len > 0 && len >= params.min_length;
}

// Ratio mode with fewer pairs at kRatioFloorIdentity than the ratio needs:
// up to `surplus` references with no children, shortest first, become
// children of the reference of their group that shares the most minimizers
// with them (or, sharing none, is closest in length), aligned at whatever
// identity they have — a delta is exact at any identity, only larger. Each
// group keeps at least one reference. Returns how many were made children.
uint64_t Demote(std::span<const ReduceInput> inputs, const ReduceParams& params, uint64_t surplus,
                std::vector<ReduceAssignment>* out) {
  std::vector<bool> has_children(inputs.size(), false);
  std::map<uint64_t, uint64_t> references_of_group;
  std::vector<size_t> childless;
  for (size_t i = 0; i < inputs.size(); i++) {
    const int64_t r = (*out)[i].reference;
    if (r >= 0) has_children[static_cast<size_t>(r)] = true;
    if (r < 0) references_of_group[inputs[i].group]++;
  }
  for (size_t i = 0; i < inputs.size(); i++) {
    if ((*out)[i].reference < 0 && !inputs[i].fixed && !has_children[i] &&
        MayBeChild(inputs[i], params)) {
      childless.push_back(i);
    }
  }
  std::stable_sort(childless.begin(), childless.end(), [&](size_t a, size_t b) {
    return inputs[a].residues.size() < inputs[b].residues.size();
  });
  std::vector<bool> demote(inputs.size(), false);
  std::vector<size_t> demoted;
  for (size_t i : childless) {
    if (demoted.size() == surplus) break;
    uint64_t& left = references_of_group[inputs[i].group];
    if (left <= 1) continue;
    left--;
    demote[i] = true;
    demoted.push_back(i);
  }
  // The references that stay, by group: an index of their minimizers and
  // (length, index) sorted for the nearest length.
  struct Kept {
    MinimizerIndex index;
    std::vector<std::pair<size_t, size_t>> by_length;
  };
  std::map<uint64_t, Kept> kept;
  for (size_t i = 0; i < inputs.size(); i++) {
    if ((*out)[i].reference >= 0 || demote[i]) continue;
    Kept& k = kept[inputs[i].group];
    k.index.Add(static_cast<uint32_t>(i), inputs[i].residues);
    k.by_length.emplace_back(inputs[i].residues.size(), i);
  }
  for (auto& [group, k] : kept) std::sort(k.by_length.begin(), k.by_length.end());
  core::ParallelFor(demoted.size(), std::max(1u, params.threads), [&](size_t d) {
    const size_t i = demoted[d];
    const std::string_view seq = inputs[i].residues;
    const Kept& k = kept.at(inputs[i].group);
    size_t r = 0;
    std::optional<Alignment> best;
    if (auto c = k.index.Candidates(seq, 1, 1); !c.empty()) {
      r = c[0].first;
      best = AlignBanded(inputs[r].residues, seq, AlignmentLimits{0.3});
    } else {
      auto it = std::lower_bound(k.by_length.begin(), k.by_length.end(),
                                 std::pair<size_t, size_t>{seq.size(), 0});
      if (it == k.by_length.end()) --it;
      r = it->second;
    }
    Alignment diagonal = AlignDiagonal(inputs[r].residues, seq);
    if (!best || diagonal.stats.identity() > best->stats.identity()) best = std::move(diagonal);
    ReduceAssignment& a = (*out)[i];
    a.reference = static_cast<int64_t>(r);
    a.identity = best->stats.identity();
    a.script = std::move(best->script);
  });
  return demoted.size();
}

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
  size_t sequences = 0;  // not fixed
  for (size_t i = 0; i < inputs.size(); i++) {
    GroupWork& g = groups[inputs[i].group];
    if (inputs[i].fixed) {
      g.fixed.push_back(i);
    } else {
      g.members.push_back(i);
      sequences++;
    }
  }
  std::vector<GroupWork*> work;
  for (auto& [g, w] : groups) {
    w.key = g;
    work.push_back(&w);
  }
  // Biggest groups first, so a big one does not start last.
  std::sort(work.begin(), work.end(), [](const GroupWork* a, const GroupWork* b) {
    return a->members.size() > b->members.size();
  });

  AlignmentCache cache(params.cache_entries);
  std::atomic<uint64_t> alignments{0}, resumed{0};
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
  // Greedy, longest first, in batches: a batch's sequences are matched in
  // parallel against the references chosen before the batch; then, in
  // order, those that found none are matched against the references chosen
  // earlier in the batch, and the rest become references. The outcome does
  // not depend on the number of threads. Segments are whole batches, so a
  // resumed run restarts at a batch boundary of an uninterrupted one.
  constexpr size_t kBatch = 256;
  const size_t segment = std::max<size_t>(1, (params.segment + kBatch - 1) / kBatch) * kBatch;
  auto reduce_group = [&](GroupWork* work_group, unsigned threads) {
    std::vector<size_t>& members = work_group->members;
    std::stable_sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      return inputs[a].residues.size() > inputs[b].residues.size();
    });
    MinimizerIndex index;
    for (size_t i : work_group->fixed) index.Add(static_cast<uint32_t>(i), inputs[i].residues);
    const uint64_t group = work_group->key;
    // Segments a stopped run saved, as long as they match this run's order.
    size_t k = 0;
    if (auto saved = params.saved.find(group); saved != params.saved.end()) {
      for (uint64_t seg = 0; k < members.size(); seg++) {
        auto it = saved->second.find(seg);
        if (it == saved->second.end()) break;
        std::vector<std::pair<size_t, ReduceAssignment>> done;
        if (!DecodeSegment(it->second, &done) || done.empty() || k + done.size() > members.size() ||
            (done.size() != segment && k + done.size() != members.size())) {
          break;
        }
        bool matches = true;
        for (size_t d = 0; d < done.size() && matches; d++) {
          matches = done[d].first == members[k + d] &&
                    (done[d].second.reference < 0 ||
                     static_cast<size_t>(done[d].second.reference) < inputs.size());
        }
        if (!matches) break;
        for (auto& [i, a] : done) {
          if (a.reference < 0) index.Add(static_cast<uint32_t>(i), inputs[i].residues);
          out[i] = std::move(a);
          k++;
        }
        resumed += done.size();
        if (params.progress) params.progress(done.size());
      }
    }
    while (k < members.size()) {
      const size_t n = std::min(kBatch, members.size() - k);
      std::vector<std::vector<uint64_t>> mins(n);
      std::vector<Match> found(n);
      core::ParallelFor(n, threads, [&](size_t j) {
        const size_t i = members[k + j];
        mins[j] = index.Minimizers(inputs[i].residues);
        if (MayBeChild(inputs[i], params)) found[j] = best_match(index, i, mins[j]);
      });
      MinimizerIndex within;
      std::vector<size_t> new_references;
      for (size_t j = 0; j < n; j++) {
        const size_t i = members[k + j];
        if (!found[j].alignment && MayBeChild(inputs[i], params) && !new_references.empty()) {
          found[j] = best_match(within, i, mins[j]);
        }
        if (found[j].alignment) {
          out[i].reference = found[j].reference;
          out[i].identity = found[j].alignment->stats.identity();
          out[i].script = std::move(found[j].alignment->script);
        } else {
          within.Add(static_cast<uint32_t>(i), mins[j]);
          new_references.push_back(j);
        }
        const size_t at = k + j;
        if (params.save && ((at + 1) % segment == 0 || at + 1 == members.size())) {
          params.save(group, at / segment,
                      EncodeSegment(members, at / segment * segment, at + 1, out));
        }
      }
      for (size_t j : new_references) index.Add(static_cast<uint32_t>(members[k + j]), mins[j]);
      k += n;
      if (params.progress) params.progress(n);
    }
  };
  const unsigned threads = std::max(1u, params.threads);
  if (work.size() == 1) {
    reduce_group(work[0], threads);  // one group: its batches on every thread
  } else {
    core::ParallelFor(work.size(), threads, [&](size_t g) { reduce_group(work[g], 1); });
  }

  uint64_t references = 0;
  for (size_t i = 0; i < out.size(); i++) references += out[i].reference < 0 && !inputs[i].fixed;
  uint64_t promoted = 0, demoted = 0;
  if (params.ratio) {
    const uint64_t want =
        static_cast<uint64_t>(std::ceil(*params.ratio * static_cast<double>(sequences)));
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
    } else if (references > want) {
      demoted = Demote(inputs, params, references - want, &out);
      references -= demoted;
    }
  }
  if (stats) {
    stats->sequences = sequences;
    stats->references = references;
    stats->children = sequences - references;
    stats->alignments = alignments;
    stats->cache_lookups = cache.lookups();
    stats->cache_hits = cache.hits();
    stats->promoted = promoted;
    stats->demoted = demoted;
    stats->resumed = resumed;
  }
  return out;
}

}  // namespace talaria::store
