#pragma once

// A small fingerprint of a text object's lines, to tell which objects share
// the most lines without comparing them whole: the k smallest XXH3 hashes of
// its distinct lines (bottom-k MinHash). FASTA records that two chunks share
// are shared lines, so the estimated Jaccard similarity of two sketches
// predicts how well one chunk compresses as a byte delta of the other.
//
// Thread-compatible (a value).

#include <cstdint>
#include <string_view>
#include <vector>

namespace talaria::store {

class LineSketch {
 public:
  static LineSketch Of(std::string_view text, size_t k = 128);

  // Estimated |A ∩ B| / |A ∪ B| of the two objects' line sets, in [0, 1].
  double Similarity(const LineSketch& other) const;

 private:
  size_t k_ = 0;
  std::vector<uint64_t> mins_;  // ascending, at most k_
};

}  // namespace talaria::store
