#include "store/reduce/banded_alignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace talaria::store {

namespace {

enum Move : uint8_t { kDiagonal = 0, kUp = 1, kLeft = 2 };  // up: delete, left: insert

}  // namespace

Alignment AlignDiagonal(std::string_view ref, std::string_view child) {
  Alignment a;
  const size_t common = std::min(ref.size(), child.size());
  for (size_t i = 0; i < common; i++) {
    if (ref[i] == child[i]) {
      AppendOp(&a.script, EditOp::kCopy, {}, 1);
    } else {
      AppendOp(&a.script, EditOp::kSubstitute, child.substr(i, 1), 1);
    }
  }
  if (child.size() > common) {
    AppendOp(&a.script, EditOp::kInsert, child.substr(common),
             static_cast<uint32_t>(child.size() - common));
  }
  if (ref.size() > common) {
    AppendOp(&a.script, EditOp::kDelete, {}, static_cast<uint32_t>(ref.size() - common));
  }
  a.stats = Stats(a.script);
  return a;
}

std::optional<Alignment> AlignBanded(std::string_view ref, std::string_view child,
                                     const AlignmentLimits& limits) {
  const int64_t n = static_cast<int64_t>(ref.size()), m = static_cast<int64_t>(child.size());
  // identity = M / (M + E) >= T, with M <= min(n, m) matches, allows at most
  // E <= (1 - T) / T * min(n, m) edits; a path strays from the diagonal by
  // at most its indels, so the band need be no wider.
  const double t = std::max(limits.min_identity, 1e-6);
  // (Never more than replacing everything.)
  const int64_t max_edits = std::min<int64_t>(
      n + m,
      static_cast<int64_t>(std::floor((1.0 - t) / t * static_cast<double>(std::min(n, m)) + 1e-9)));
  if (std::abs(n - m) > max_edits) return std::nullopt;
  // Equal lengths: most close pairs differ by substitutions only, and then
  // the diagonal is an alignment of the identity needed, found in O(n).
  if (n == m && n > 0) {
    int64_t mismatches = 0;
    for (int64_t i = 0; i < n; i++) mismatches += ref[i] != child[i];
    if (static_cast<double>(n - mismatches) >= limits.min_identity * static_cast<double>(n)) {
      return AlignDiagonal(ref, child);
    }
  }
  const int64_t lo = std::min<int64_t>(0, m - n) - max_edits;  // band: lo <= j - i <= hi
  const int64_t hi = std::max<int64_t>(0, m - n) + max_edits;
  const int64_t width = hi - lo + 1;
  if (static_cast<uint64_t>((n + 1) * width) > limits.max_cells) return std::nullopt;

  // Unit-cost DP over the band, computing in each row only the cells that
  // can still finish under max_edits (Ukkonen's cut-off, with the distance
  // to the final diagonal as a lower bound on what is left): the live
  // stretch of a related pair narrows to a few cells around its path, that
  // of an unrelated one dies out early. Dead cells hold kInf, as does
  // everything a row did not write. Pruning only cells no path within the
  // limit goes through leaves the alignment found unchanged.
  constexpr int32_t kInf = std::numeric_limits<int32_t>::max() / 2;
  const int32_t limit = static_cast<int32_t>(max_edits);
  // Only computed cells are read back (the path runs through them), so the
  // matrix is reused between calls without clearing.
  thread_local std::vector<uint8_t> moves;
  if (moves.size() < static_cast<size_t>((n + 1) * width))
    moves.resize(static_cast<size_t>((n + 1) * width));
  std::vector<int32_t> prev(static_cast<size_t>(width), kInf),
      cur(static_cast<size_t>(width), kInf);
  auto col = [&](int64_t i, int64_t j) { return j - i - lo; };  // index of (i, j) in its row
  int64_t live_lo = width, live_hi = -1;                        // live cells of the previous row
  int64_t cur_dirty_lo = 0, cur_dirty_hi = -1;                  // what `cur` held two rows ago
  for (int64_t j = 0; j <= std::min<int64_t>(m, hi) && j <= limit; j++) {
    prev[col(0, j)] = static_cast<int32_t>(j);
    moves[col(0, j)] = kLeft;
    live_lo = std::min(live_lo, col(0, j));
    live_hi = std::max(live_hi, col(0, j));
  }
  int64_t prev_dirty_lo = live_lo, prev_dirty_hi = live_hi;
  for (int64_t i = 1; i <= n; i++) {
    for (int64_t c = cur_dirty_lo; c <= cur_dirty_hi; c++) cur[c] = kInf;
    // Reachable: diagonal (same column) and up (from one column right) of a
    // live cell, then rightwards by insertions while they stay under the limit.
    const int64_t c_first = std::max({int64_t{0}, live_lo - 1, col(i, 0)});
    const int64_t c_last = std::min<int64_t>(width - 1, col(i, m));
    int64_t new_lo = width, new_hi = -1, c_end = c_first - 1;
    for (int64_t c = c_first; c <= c_last; c++) {
      const int64_t j = c + i + lo;
      int32_t best = kInf;
      uint8_t move = kDiagonal;
      if (j > 0 && prev[c] < kInf) best = prev[c] + (ref[i - 1] == child[j - 1] ? 0 : 1);
      if (c + 1 < width && prev[c + 1] < kInf && prev[c + 1] + 1 < best) {
        best = prev[c + 1] + 1;
        move = kUp;
      }
      if (j > 0 && c > 0 && cur[c - 1] < kInf && cur[c - 1] + 1 < best) {
        best = cur[c - 1] + 1;
        move = kLeft;
      }
      // A path from here to (n, m) takes at least as many indels as the two
      // diagonals are apart: a cell that cannot finish within the limit is dead.
      if (best + std::abs((m - n) - (j - i)) > limit) {
        if (c > live_hi) break;  // nothing further right is reachable
        best = kInf;
      } else {
        new_lo = std::min(new_lo, c);
        new_hi = c;
      }
      cur[c] = best;
      moves[static_cast<size_t>(i * width + c)] = move;
      c_end = c;
    }
    if (new_hi < 0) return std::nullopt;
    cur_dirty_lo = c_first;
    cur_dirty_hi = c_end;
    std::swap(prev, cur);
    std::swap(prev_dirty_lo, cur_dirty_lo);
    std::swap(prev_dirty_hi, cur_dirty_hi);
    live_lo = new_lo;
    live_hi = new_hi;
  }
  (void)prev_dirty_lo;
  (void)prev_dirty_hi;
  const int64_t end = col(n, m);
  if (end < 0 || end >= width || prev[end] > limit) return std::nullopt;

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
