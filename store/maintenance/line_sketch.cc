#include "store/maintenance/line_sketch.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "store/core/checksum.h"

namespace talaria::store {

LineSketch LineSketch::Of(std::string_view text, size_t k) {
  LineSketch s;
  s.k_ = k;
  std::set<uint64_t> smallest;  // the k smallest distinct hashes so far
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const uint64_t h = core::Checksum64(text.substr(start, end - start));
    if (smallest.size() < k || h < *smallest.rbegin()) {
      smallest.insert(h);
      if (smallest.size() > k) smallest.erase(std::prev(smallest.end()));
    }
    start = end + 1;
  }
  s.mins_.assign(smallest.begin(), smallest.end());
  return s;
}

double LineSketch::Similarity(const LineSketch& other) const {
  // The k smallest hashes of the union, and how many of them both hold.
  const size_t k = std::min(k_, other.k_);
  size_t i = 0, j = 0, taken = 0, both = 0;
  while (taken < k && (i < mins_.size() || j < other.mins_.size())) {
    if (j == other.mins_.size() || (i < mins_.size() && mins_[i] < other.mins_[j])) {
      i++;
    } else if (i == mins_.size() || other.mins_[j] < mins_[i]) {
      j++;
    } else {
      both++;
      i++;
      j++;
    }
    taken++;
  }
  return taken == 0 ? 0.0 : static_cast<double>(both) / static_cast<double>(taken);
}

}  // namespace talaria::store
