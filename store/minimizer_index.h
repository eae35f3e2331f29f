#pragma once

// Which already-chosen reference sequences share enough short words with a
// query to be worth aligning: (w, k)-minimizers of each reference's residues
// (the smallest hashed k-mer of every w consecutive ones) in an inverted
// index. A child at 90 % identity keeps most of its reference's minimizers.
// Case-insensitive; k-mers holding a non-letter are skipped.
//
// Thread-compatible: Add and Candidates must not run concurrently.

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace talaria::store {

class MinimizerIndex {
 public:
  explicit MinimizerIndex(int k = 5, int w = 6) : k_(k), w_(w) {}

  void Add(uint32_t sequence, std::string_view residues);

  // Sequences sharing at least `min_shared` minimizers with `residues`, the
  // most shared first, at most `limit` of them: (sequence, shared).
  std::vector<std::pair<uint32_t, uint32_t>> Candidates(std::string_view residues, size_t limit,
                                                        uint32_t min_shared) const;

  // The distinct minimizers of `residues` (sorted).
  std::vector<uint64_t> Minimizers(std::string_view residues) const;

  size_t postings() const { return postings_; }

 private:
  int k_, w_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> index_;
  size_t postings_ = 0;
};

}  // namespace talaria::store
