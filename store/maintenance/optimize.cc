#include "store/maintenance/optimize.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "store/core/parallel.h"
#include "store/maintenance/access_fold.h"
#include "store/maintenance/optimize_context.h"
#include "store/maintenance/verify.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;
using Mode = OptimizeOptions::Mode;
using optimize_internal::Archival;
using optimize_internal::Caching;
using optimize_internal::Compression;
using optimize_internal::Context;
using optimize_internal::Deduplication;
using optimize_internal::DeltaEncoding;
using optimize_internal::Dictionaries;
using optimize_internal::GarbageCollection;
using optimize_internal::PackFileBytes;
using optimize_internal::Repacking;

namespace {

Status RunStrategy(Context& ctx, Strategy s, StrategyResult* r) {
  switch (s) {
    case Strategy::kGarbageCollection:
      return GarbageCollection(ctx, r);
    case Strategy::kDeltaEncoding:
      return DeltaEncoding(ctx, r);
    case Strategy::kDictionaries:
      return Dictionaries(ctx, r);
    case Strategy::kArchival:
      return Archival(ctx, r);
    case Strategy::kCompression:
      return Compression(ctx, r);
    case Strategy::kDeduplication:
      return Deduplication(ctx, r);
    case Strategy::kRepacking:
      return Repacking(ctx, r);
    case Strategy::kCaching:
      return Caching(ctx, r);
  }
  return core::InvalidArgument("unknown strategy");
}

// Re-reads every object the run wrote or moved (bypassing the cache) and
// checks every database version's references.
Status VerifyTouched(Context& ctx) {
  std::vector<ObjectId> ids(ctx.touched.begin(), ctx.touched.end());
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> problems(ids.size());
  core::ParallelFor(ids.size(), ctx.store.config().effective_threads(), [&](size_t i) {
    ctx.store.cache().Erase(ids[i]);
    auto bytes = ctx.store.GetUncounted(ids[i]);
    if (!bytes) problems[i] = ids[i].Hex() + ": " + bytes.error().message();
  });
  for (auto& p : problems) {
    if (!p.empty()) ctx.report->verify_problems.push_back(std::move(p));
  }
  ctx.report->verified_objects = ids.size();
  VerifyOptions refs;
  refs.sample = 0;  // the objects were just read; check the references
  TALARIA_ASSIGN_OR_RETURN(VerifyReport v, VerifyStore(ctx.store, refs));
  ctx.report->verified_references = v.references_checked;
  for (const auto& e : v.errors) {
    ctx.report->verify_problems.push_back(
        e.id.Hex() + ": " + std::string(VerifyErrorKindName(e.kind)) + ": " + e.detail);
  }
  return core::OkStatus();
}

}  // namespace

std::string_view StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kGarbageCollection:
      return "GarbageCollection";
    case Strategy::kDeltaEncoding:
      return "DeltaEncoding";
    case Strategy::kDictionaries:
      return "Dictionaries";
    case Strategy::kArchival:
      return "Archival";
    case Strategy::kCompression:
      return "Compression";
    case Strategy::kDeduplication:
      return "Deduplication";
    case Strategy::kRepacking:
      return "Repacking";
    case Strategy::kCaching:
      return "Caching";
  }
  return "?";
}

Result<Strategy> ParseStrategy(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c != '-' && c != '_')
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  };
  for (Strategy s : kAllStrategies) {
    if (lower(StrategyName(s)) == lower(name)) return s;
  }
  std::string all;
  for (Strategy s : kAllStrategies) all += (all.empty() ? "" : ", ") + std::string(StrategyName(s));
  return core::InvalidArgument("unknown strategy '" + std::string(name) + "' (one of: " + all +
                               ", or all)");
}

uint64_t OptimizeReport::bytes_saved() const {
  if (mode == Mode::kRun) {
    return pack_bytes_before > pack_bytes_after ? pack_bytes_before - pack_bytes_after : 0;
  }
  uint64_t total = 0;
  for (const auto& r : results) total += r.bytes_saved;
  return total;
}

Result<OptimizeReport> Optimize(WritableStore& store, const OptimizeOptions& options) {
  OptimizeReport report;
  report.mode = options.mode;
  Context ctx{store, options, &report, {}, 0};
  report.pack_bytes_before = PackFileBytes(store.paths());
  if (ctx.writing()) {
    TALARIA_ASSIGN_OR_RETURN(report.access_reads_folded, FoldAccessLogs(store));
  }
  for (Strategy s : kAllStrategies) {
    if (std::find(options.strategies.begin(), options.strategies.end(), s) ==
        options.strategies.end()) {
      continue;
    }
    StrategyResult r;
    r.strategy = s;
    if (ctx.TargetReached()) {
      r.skipped = true;
      r.detail = "not run: the target is reached";
    } else {
      ctx.Progress(std::string(StrategyName(s)) + ": planning");
      TALARIA_RETURN_IF_ERROR(RunStrategy(ctx, s, &r));
    }
    report.results.push_back(std::move(r));
  }
  report.target_reached = ctx.TargetReached();
  if (ctx.writing()) TALARIA_RETURN_IF_ERROR(VerifyTouched(ctx));
  report.pack_bytes_after = PackFileBytes(store.paths());
  return report;
}

}  // namespace talaria::store
