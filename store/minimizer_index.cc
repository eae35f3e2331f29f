#include "store/minimizer_index.h"

#include <algorithm>
#include <cstddef>
#include <deque>

namespace talaria::store {

namespace {

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser: k-mer codes to uniform hashes
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Words of one posting list longer than this are low-complexity repeats:
// they say nothing about similarity and would make every query slow.
constexpr size_t kMaxPostings = 256;

}  // namespace

std::vector<uint64_t> MinimizerIndex::Minimizers(std::string_view residues) const {
  std::vector<uint64_t> hashes;  // per position: hash of the k-mer ending there (0: none)
  const uint64_t mask = (uint64_t{1} << (5 * k_)) - 1;
  uint64_t code = 0;
  int valid = 0;
  for (char c : residues) {
    const char u = static_cast<char>(c & ~0x20);  // upper case
    if (u >= 'A' && u <= 'Z') {
      code = ((code << 5) | static_cast<uint64_t>(u - 'A' + 1)) & mask;
      valid++;
    } else {
      valid = 0;
    }
    hashes.push_back(valid >= k_ ? Mix(code) | 1 : 0);  // the k-mer ending here
  }
  std::vector<uint64_t> out;
  std::deque<size_t> window;  // positions of increasing hashes (monotone queue)
  for (size_t i = 0; i < hashes.size(); i++) {
    if (hashes[i] != 0) {
      while (!window.empty() && hashes[window.back()] >= hashes[i]) window.pop_back();
      window.push_back(i);
    }
    while (!window.empty() && window.front() + static_cast<size_t>(w_) <= i) window.pop_front();
    if (i + 1 >= static_cast<size_t>(w_) && !window.empty()) out.push_back(hashes[window.front()]);
  }
  if (out.empty() && !window.empty()) out.push_back(hashes[window.front()]);  // short sequences
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void MinimizerIndex::Add(uint32_t sequence, const std::vector<uint64_t>& minimizers) {
  for (uint64_t h : minimizers) {
    Head& head = heads_[h];
    if (head.count >= kMaxPostings) continue;
    sequence_.push_back(sequence);
    next_.push_back(head.first);
    head.first = static_cast<uint32_t>(sequence_.size() - 1);
    head.count++;
    postings_++;
  }
}

std::vector<std::pair<uint32_t, uint32_t>> MinimizerIndex::Candidates(
    const std::vector<uint64_t>& minimizers, size_t limit, uint32_t min_shared) const {
  // Shared-word counts by sequence, and which are set: per thread, reused.
  thread_local std::vector<uint32_t> counts;
  thread_local std::vector<uint32_t> touched;
  for (uint64_t h : minimizers) {
    auto it = heads_.find(h);
    if (it == heads_.end()) continue;
    for (uint32_t e = it->second.first; e != kEnd; e = next_[e]) {
      const uint32_t s = sequence_[e];
      if (s >= counts.size()) counts.resize(static_cast<size_t>(s) * 2 + 1, 0);
      if (counts[s]++ == 0) touched.push_back(s);
    }
  }
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (uint32_t s : touched) {
    if (counts[s] >= min_shared) out.emplace_back(s, counts[s]);
    counts[s] = 0;
  }
  touched.clear();
  auto by_shared = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  if (out.size() > limit) {
    std::partial_sort(out.begin(), out.begin() + static_cast<ptrdiff_t>(limit), out.end(),
                      by_shared);
    out.resize(limit);
  } else {
    std::sort(out.begin(), out.end(), by_shared);
  }
  return out;
}

}  // namespace talaria::store
