// talaria-store optimize --strategies LIST [--target-savings BYTES] [--dry-run | --estimate]
//                        [--sample N] [--json]

#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "store/maintenance/optimize.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

struct OptimizeArgs {
  std::string strategies;
  std::string target;
  bool dry_run = false;
  bool estimate = false;
  size_t sample = 200;
  bool json = false;
};

core::Result<std::vector<store::Strategy>> ParseStrategies(const std::string& list) {
  std::vector<store::Strategy> out;
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    if (name == "all" || name == "All") {
      out.assign(std::begin(store::kAllStrategies), std::end(store::kAllStrategies));
      continue;
    }
    TALARIA_ASSIGN_OR_RETURN(store::Strategy s, store::ParseStrategy(name));
    out.push_back(s);
  }
  if (out.empty()) return core::InvalidArgument("--strategies names no strategy");
  return out;
}

// "500000", "64K", "1.5MiB", "2G" (powers of 1024).
core::Result<uint64_t> ParseBytes(const std::string& text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (...) {
    return core::InvalidArgument("not a byte count: '" + text + "'");
  }
  std::string unit = text.substr(used);
  double scale = 1;
  if (unit.empty() || unit == "B") {
  } else if (unit == "K" || unit == "KiB" || unit == "k") {
    scale = 1024.0;
  } else if (unit == "M" || unit == "MiB") {
    scale = 1024.0 * 1024;
  } else if (unit == "G" || unit == "GiB") {
    scale = 1024.0 * 1024 * 1024;
  } else if (unit == "T" || unit == "TiB") {
    scale = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return core::InvalidArgument("unknown unit '" + unit + "' in '" + text +
                                 "' (use K, M, G or T: powers of 1024)");
  }
  if (v < 0) return core::InvalidArgument("negative byte count: '" + text + "'");
  return static_cast<uint64_t>(v * scale);
}

const char* ModeName(store::OptimizeOptions::Mode m) {
  switch (m) {
    case store::OptimizeOptions::Mode::kRun:
      return "run";
    case store::OptimizeOptions::Mode::kDryRun:
      return "dry-run";
    case store::OptimizeOptions::Mode::kEstimate:
      return "estimate";
  }
  return "?";
}

nlohmann::json ToJson(const store::OptimizeReport& r) {
  nlohmann::json strategies = nlohmann::json::array();
  for (const auto& s : r.results) {
    strategies.push_back({{"strategy", std::string(store::StrategyName(s.strategy))},
                          {"candidates", s.candidates},
                          {"changed", s.changed},
                          {"bytes_saved", s.bytes_saved},
                          {"sampled", s.sampled},
                          {"skipped", s.skipped},
                          {"detail", s.detail}});
  }
  return {{"mode", ModeName(r.mode)},
          {"strategies", strategies},
          {"bytes_saved", r.bytes_saved()},
          {"pack_bytes_before", r.pack_bytes_before},
          {"pack_bytes_after", r.pack_bytes_after},
          {"access_reads_folded", r.access_reads_folded},
          {"target_reached", r.target_reached},
          {"verified_objects", r.verified_objects},
          {"verified_references", r.verified_references},
          {"verify_problems", r.verify_problems}};
}

void PrintHuman(const store::OptimizeReport& r) {
  using Mode = store::OptimizeOptions::Mode;
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  const char* saved = r.mode == Mode::kRun ? "saved" : "would save";
  for (const auto& s : r.results) {
    std::string name(store::StrategyName(s.strategy));
    if (s.skipped) {
      std::printf("%-18s %s\n", name.c_str(), s.detail.c_str());
      continue;
    }
    std::printf("%-18s %s %s", name.c_str(), saved, HumanBytes(s.bytes_saved).c_str());
    if (r.mode == Mode::kEstimate && s.sampled > 0) {
      std::printf(" (from %llu of %llu candidates)", u(s.sampled), u(s.candidates));
    }
    std::printf("\n%-18s %s\n", "", s.detail.c_str());
  }
  if (r.mode == Mode::kRun) {
    std::printf("total              pack files %s -> %s (%s given back)\n",
                HumanBytes(r.pack_bytes_before).c_str(), HumanBytes(r.pack_bytes_after).c_str(),
                HumanBytes(r.bytes_saved()).c_str());
  } else {
    std::printf(
        "total              would save %s of %s of pack files (each strategy as if alone)\n",
        HumanBytes(r.bytes_saved()).c_str(), HumanBytes(r.pack_bytes_before).c_str());
  }
  if (r.mode != Mode::kRun) {
    std::printf("nothing was changed (%s)\n", ModeName(r.mode));
    return;
  }
  if (r.access_reads_folded > 0) {
    std::printf("folded %llu chunk reads counted by talariafs into the index\n",
                u(r.access_reads_folded));
  }
  std::printf("verified %llu rewritten or moved objects and %llu references: %s\n",
              u(r.verified_objects), u(r.verified_references),
              r.verify_problems.empty() ? "ok" : "PROBLEMS");
  for (const auto& p : r.verify_problems) std::printf("problem: %s\n", p.c_str());
}

int RunOptimize(const CliContext& ctx, const OptimizeArgs& args) {
  store::OptimizeOptions options;
  auto strategies = ParseStrategies(args.strategies);
  if (!strategies) {
    Fail(strategies.error());
    return kExitUsage;
  }
  options.strategies = std::move(*strategies);
  if (!args.target.empty()) {
    auto target = ParseBytes(args.target);
    if (!target) {
      Fail(target.error());
      return kExitUsage;
    }
    options.target_savings = *target;
  }
  using Mode = store::OptimizeOptions::Mode;
  options.mode = args.estimate ? Mode::kEstimate : args.dry_run ? Mode::kDryRun : Mode::kRun;
  options.estimate_sample = args.sample;
  if (!args.json && ::isatty(STDERR_FILENO)) {
    options.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  }
  // Dry runs and estimates still take the writer lock: the store must not
  // change under the plan they report.
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  auto r = store::Optimize(**store, options);
  if (!r) return Fail(r.error());
  if (args.json) {
    PrintJson(ToJson(*r));
  } else {
    PrintHuman(*r);
  }
  return r->verify_problems.empty() ? kExitOk : kExitFailed;
}

}  // namespace

void AddOptimizeCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "optimize",
      "Make the store smaller or faster with the strategies named in --strategies\n"
      "(comma-separated, case-insensitive, or 'all'); they run in this order:\n"
      "  GarbageCollection  remove what no database version needs; repack (as gc)\n"
      "  DeltaEncoding      store whole chunks (and their record indexes) as byte deltas\n"
      "                     against the most similar chunk of the same taxon in another\n"
      "                     version (older versions against newer; chain depth bounded\n"
      "                     by max_delta_depth)\n"
      "  Dictionaries       retrain the chunks' zstd dictionary from the current\n"
      "                     versions when a new one would store them at least 3 %\n"
      "                     smaller, and move whole chunks to it (gc then\n"
      "                     drops the old one); trains one for a store that has none\n"
      "  Archival           recompress what only non-current versions need at zstd:22\n"
      "  Compression        recompress cold objects (never read through talariafs) at\n"
      "                     zstd:19\n"
      "  Deduplication      drop the old copies that rewrites leave in packs\n"
      "  Repacking          rewrite packs holding dead bytes; merge small packs\n"
      "  Caching            write the warm list (<store>/warm.list) of the most read\n"
      "                     chunks; talariafs preloads it when it mounts\n"
      "Rewrites save live bytes at once; the old copies go back to the file system\n"
      "with Deduplication, Repacking or gc. Every write commits atomically: a run that\n"
      "is killed leaves a consistent store, and running it again carries on. A real\n"
      "run ends by re-reading every object it wrote or moved (exit 1 on a problem).\n"
      "Safe while talariafs serves the store.");
  auto args = std::make_shared<OptimizeArgs>();
  cmd->add_option("--strategies", args->strategies,
                  "Strategies to run, e.g. Compression,Repacking or all")
      ->type_name("LIST")
      ->required();
  cmd->add_option("--target-savings", args->target,
                  "Stop once this many bytes are saved (K, M, G, T suffixes: powers of 1024)")
      ->type_name("BYTES");
  auto* dry = cmd->add_flag("--dry-run", args->dry_run,
                            "Work out exactly what each strategy would save; write nothing");
  auto* est = cmd->add_flag("--estimate", args->estimate,
                            "Estimate each strategy's saving from a sample (as if it ran alone); "
                            "write nothing");
  dry->excludes(est);
  cmd->add_option("--sample", args->sample, "Candidates encoded per strategy by --estimate")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->callback([&ctx, run, args] { *run = [&ctx, args] { return RunOptimize(ctx, *args); }; });
}

}  // namespace talaria::tools
