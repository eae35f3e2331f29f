#include "store/banded_alignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace talaria::store {

namespace {

enum Move : uint8_t { kDiagonal = 0, kUp = 1, kLeft = 2 };  // up: delete, left: insert

}  // namespace

std::optional<Alignment> AlignBanded(std::string_view ref, std::string_view child,
                                     const AlignmentLimits& limits) {
  const int64_t n = static_cast<int64_t>(ref.size()), m = static_cast<int64_t>(child.size());
  const int64_t longest = std::max(n, m);
  // Identity T over at least `longest` columns allows at most this many
  // edits, and a path never strays further than its edits from the diagonal.
  const int64_t max_edits =
      static_cast<int64_t>(std::floor((1.0 - limits.min_identity) * static_cast<double>(n + m))) +
      1;
  if (std::abs(n - m) > max_edits) return std::nullopt;
  const int64_t slack =
      static_cast<int64_t>(std::ceil((1.0 - limits.min_identity) * static_cast<double>(longest))) +
      1;
  const int64_t lo = std::min<int64_t>(0, m - n) - slack;  // band: lo <= j - i <= hi
  const int64_t hi = std::max<int64_t>(0, m - n) + slack;
  const int64_t width = hi - lo + 1;
  if (static_cast<uint64_t>((n + 1) * width) > limits.max_cells) return std::nullopt;

  constexpr int32_t kInf = std::numeric_limits<int32_t>::max() / 2;
  std::vector<uint8_t> moves(static_cast<size_t>((n + 1) * width), kDiagonal);
  std::vector<int32_t> prev(static_cast<size_t>(width), kInf),
      cur(static_cast<size_t>(width), kInf);
  auto col = [&](int64_t i, int64_t j) { return j - i - lo; };  // index of (i, j) in its row
  for (int64_t j = 0; j <= std::min(m, hi); j++) {
    prev[col(0, j)] = static_cast<int32_t>(j);
    moves[col(0, j)] = kLeft;
  }
  for (int64_t i = 1; i <= n; i++) {
    std::fill(cur.begin(), cur.end(), kInf);
    const int64_t j_from = std::max<int64_t>(0, i + lo), j_to = std::min<int64_t>(m, i + hi);
    int32_t row_best = kInf;
    for (int64_t j = j_from; j <= j_to; j++) {
      const int64_t c = col(i, j);
      int32_t best = kInf;
      uint8_t move = kDiagonal;
      if (j > 0 && c >= 0 && c < width && prev[c] < kInf) {  // diagonal: (i-1, j-1), same column
        best = prev[c] + (ref[i - 1] == child[j - 1] ? 0 : 1);
      }
      if (c + 1 < width && prev[c + 1] < kInf && prev[c + 1] + 1 < best) {  // up: (i-1, j)
        best = prev[c + 1] + 1;
        move = kUp;
      }
      if (j > 0 && c - 1 >= 0 && cur[c - 1] < kInf && cur[c - 1] + 1 < best) {  // left: (i, j-1)
        best = cur[c - 1] + 1;
        move = kLeft;
      }
      if (j == 0) {
        best = static_cast<int32_t>(i);
        move = kUp;
      }
      cur[c] = best;
      moves[static_cast<size_t>(i * width + c)] = move;
      row_best = std::min(row_best, best);
    }
    if (row_best > max_edits) return std::nullopt;
    std::swap(prev, cur);
  }
  if (prev[col(n, m)] > max_edits) return std::nullopt;

  // Trace back from (n, m), then turn the path into operations.
  std::vector<uint8_t> path;
  for (int64_t i = n, j = m; i > 0 || j > 0;) {
    const uint8_t move = moves[static_cast<size_t>(i * width + col(i, j))];
    path.push_back(move);
    if (move == kDiagonal) {
      i--;
      j--;
    } else if (move == kUp) {
      i--;
    } else {
      j--;
    }
  }
  Alignment a;
  int64_t i = 0, j = 0;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    if (*it == kDiagonal) {
      if (ref[i] == child[j]) {
        AppendOp(&a.script, EditOp::kCopy, {}, 1);
      } else {
        AppendOp(&a.script, EditOp::kSubstitute, child.substr(j, 1), 1);
      }
      i++;
      j++;
    } else if (*it == kUp) {
      AppendOp(&a.script, EditOp::kDelete, {}, 1);
      i++;
    } else {
      AppendOp(&a.script, EditOp::kInsert, child.substr(j, 1), 1);
      j++;
    }
  }
  a.stats = Stats(a.script);
  if (a.stats.identity() < limits.min_identity) return std::nullopt;
  return a;
}

}  // namespace talaria::store
