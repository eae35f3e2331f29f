#pragma once

// Which already-chosen reference sequences share enough short words with a
// query to be worth aligning: (w, k)-minimizers of each reference's residues
// (the smallest hashed k-mer of every w consecutive ones) in an inverted
// index. A child at 90 % identity keeps most of its reference's minimizers.
// Case-insensitive; k-mers holding a non-letter are skipped.
//
// Thread-compatible: Candidates may run concurrently with itself, not with Add.

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace talaria::store {

class MinimizerIndex {
 public:
  explicit MinimizerIndex(int k = 6, int w = 10) : k_(k), w_(w) {}

  void Add(uint32_t sequence, std::string_view residues) { Add(sequence, Minimizers(residues)); }
  // The same with the sequence's minimizers already computed.
  void Add(uint32_t sequence, const std::vector<uint64_t>& minimizers);

  // Sequences sharing at least `min_shared` minimizers with `residues`, the
  // most shared first, at most `limit` of them: (sequence, shared).
  // With `query_minimizers`, also how many distinct minimizers `residues` has.
  std::vector<std::pair<uint32_t, uint32_t>> Candidates(std::string_view residues, size_t limit,
                                                        uint32_t min_shared,
                                                        size_t* query_minimizers = nullptr) const {
    const auto mins = Minimizers(residues);
    if (query_minimizers) *query_minimizers = mins.size();
    return Candidates(mins, limit, min_shared);
  }
  // The same from the query's minimizers.
  std::vector<std::pair<uint32_t, uint32_t>> Candidates(const std::vector<uint64_t>& minimizers,
                                                        size_t limit, uint32_t min_shared) const;

  // The distinct minimizers of `residues` (sorted).
  std::vector<uint64_t> Minimizers(std::string_view residues) const;

  size_t postings() const { return postings_; }

 private:
  int k_, w_;
  // Posting lists as chains through two arrays (few allocations): each
  // entry's sequence and the next entry; a word's newest entry and count
  // live in an open-addressing table (linear probing, at most half full)
  // keyed by a 32-bit tag of the word — its hash's high half, which also
  // places it (0 marks a free slot). Words sharing a tag share a list: a
  // few spurious shared words among millions, never a missed one.
  static constexpr uint32_t kEnd = UINT32_MAX;
  struct Slot {
    uint32_t tag = 0;
    uint32_t first = kEnd;
  };
  static uint32_t TagOf(uint64_t word) {
    const auto tag = static_cast<uint32_t>(word >> 32);
    return tag == 0 ? 1 : tag;
  }
  size_t SlotOf(uint32_t tag);  // inserts the tag if absent
  std::optional<size_t> FindSlot(uint32_t tag) const;
  std::vector<Slot> slots_;
  std::vector<uint8_t> counts_;  // postings per slot (capped)
  size_t words_ = 0;
  std::vector<uint32_t> sequence_, next_;
  size_t postings_ = 0;
};

}  // namespace talaria::store
