#include "store/reduce/minimizer_index.h"

#include <algorithm>
#include <cstddef>

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
constexpr uint8_t kMaxPostings = 255;

}  // namespace

std::vector<uint64_t> MinimizerIndex::Minimizers(std::string_view residues) const {
  // Per position: hash of the k-mer ending there (0: none).
  thread_local std::vector<uint64_t> hashes;
  hashes.clear();
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
  // Positions of increasing hashes in the last w (a monotone queue), in a
  // ring of w + 1 slots: it never holds more than w.
  thread_local std::vector<size_t> ring;
  const size_t cap = static_cast<size_t>(w_) + 1;
  ring.resize(cap);
  size_t head = 0, tail = 0;  // queue = ring[head, tail), indexes mod cap
  auto at = [&](size_t k) -> size_t& { return ring[k % cap]; };
  for (size_t i = 0; i < hashes.size(); i++) {
    if (hashes[i] != 0) {
      while (tail != head && hashes[at(tail - 1)] >= hashes[i]) tail--;
      at(tail++) = i;
    }
    while (tail != head && at(head) + static_cast<size_t>(w_) <= i) head++;
    if (i + 1 >= static_cast<size_t>(w_) && tail != head) out.push_back(hashes[at(head)]);
  }
  if (out.empty() && tail != head) out.push_back(hashes[at(head)]);  // short sequences
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

size_t MinimizerIndex::SlotOf(uint32_t tag) {
  if (2 * (words_ + 1) > slots_.size()) {
    std::vector<Slot> old_slots(std::max<size_t>(1024, 2 * slots_.size()));
    std::vector<uint8_t> old_counts(old_slots.size(), 0);
    old_slots.swap(slots_);
    old_counts.swap(counts_);
    const size_t mask = slots_.size() - 1;
    for (size_t i = 0; i < old_slots.size(); i++) {
      if (old_slots[i].tag == 0) continue;
      size_t k = old_slots[i].tag & mask;
      while (slots_[k].tag != 0) k = (k + 1) & mask;
      slots_[k] = old_slots[i];
      counts_[k] = old_counts[i];
    }
  }
  const size_t mask = slots_.size() - 1;
  size_t k = tag & mask;
  while (slots_[k].tag != tag) {
    if (slots_[k].tag == 0) {
      slots_[k].tag = tag;
      words_++;
      break;
    }
    k = (k + 1) & mask;
  }
  return k;
}

std::optional<size_t> MinimizerIndex::FindSlot(uint32_t tag) const {
  if (slots_.empty()) return std::nullopt;
  const size_t mask = slots_.size() - 1;
  for (size_t k = tag & mask;; k = (k + 1) & mask) {
    if (slots_[k].tag == tag) return k;
    if (slots_[k].tag == 0) return std::nullopt;
  }
}

void MinimizerIndex::Add(uint32_t sequence, const std::vector<uint64_t>& minimizers) {
  for (uint64_t h : minimizers) {
    const size_t k = SlotOf(TagOf(h));
    if (counts_[k] >= kMaxPostings) continue;
    sequence_.push_back(sequence);
    next_.push_back(slots_[k].first);
    slots_[k].first = static_cast<uint32_t>(sequence_.size() - 1);
    counts_[k]++;
    postings_++;
  }
}

std::vector<std::pair<uint32_t, uint32_t>> MinimizerIndex::Candidates(
    const std::vector<uint64_t>& minimizers, size_t limit, uint32_t min_shared) const {
  // Shared-word counts by sequence, and which are set: per thread, reused.
  thread_local std::vector<uint32_t> counts;
  thread_local std::vector<uint32_t> touched;
  for (uint64_t h : minimizers) {
    const auto k = FindSlot(TagOf(h));
    if (!k) continue;
    for (uint32_t e = slots_[*k].first; e != kEnd; e = next_[e]) {
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
