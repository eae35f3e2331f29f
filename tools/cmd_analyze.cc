// talaria-store analyze [--sample N] [--json]

#include <cstdio>

#include "store/maintenance/analyze.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

nlohmann::json PacksJson(const std::vector<store::PackFinding>& packs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : packs) {
    out.push_back({{"pack", p.pack}, {"bytes", p.bytes}, {"live_bytes", p.live_bytes}});
  }
  return out;
}

nlohmann::json ToJson(const store::AnalyzeReport& r) {
  nlohmann::json hottest = nlohmann::json::array();
  for (const auto& [id, n] : r.hottest) hottest.push_back({{"id", id.Hex()}, {"accesses", n}});
  return {{"duplicate_objects", r.duplicate_objects},
          {"duplicate_bytes", r.duplicate_bytes},
          {"unreferenced", {{"objects", r.unreferenced_objects}, {"bytes", r.unreferenced_bytes}}},
          {"sparse_packs", PacksJson(r.sparse_packs)},
          {"sparse_dead_bytes", r.sparse_dead_bytes},
          {"small_packs", PacksJson(r.small_packs)},
          {"recompression",
           {{"sampled", r.recompress_sampled}, {"saving_bytes", r.recompress_saving_bytes}}},
          {"delta_encoding",
           {{"candidates", r.delta_candidates},
            {"sampled", r.delta_sampled},
            {"saving_bytes", r.delta_saving_bytes}}},
          {"access",
           {{"chunks_accessed", r.chunks_with_access},
            {"cold_chunks", r.cold_chunks},
            {"hottest", hottest}}}};
}

void PrintHuman(const store::AnalyzeReport& r) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("unreferenced  %llu objects, %s (gc removes them)\n", u(r.unreferenced_objects),
              HumanBytes(r.unreferenced_bytes).c_str());
  std::printf("sparse packs  %zu, %s dead (gc repacks them)\n", r.sparse_packs.size(),
              HumanBytes(r.sparse_dead_bytes).c_str());
  std::printf("small packs   %zu\n", r.small_packs.size());
  std::printf("recompress    ~%s saved at zstd:19 (from %llu sampled objects)\n",
              HumanBytes(r.recompress_saving_bytes).c_str(), u(r.recompress_sampled));
  std::printf(
      "delta-encode  %llu whole chunks have a same-taxon chunk in another version: ~%s "
      "saved as deltas (from %llu sampled)\n",
      u(r.delta_candidates), HumanBytes(r.delta_saving_bytes).c_str(), u(r.delta_sampled));
  std::printf("duplicates    %llu old copies, %s (optimize Deduplication or gc drops them)\n",
              u(r.duplicate_objects), HumanBytes(r.duplicate_bytes).c_str());
  std::printf("access        %llu chunks accessed, %llu never\n", u(r.chunks_with_access),
              u(r.cold_chunks));
  for (const auto& [id, n] : r.hottest) {
    std::printf("  %s  %llu accesses\n", id.Hex().c_str(), u(n));
  }
}

}  // namespace

void AddAnalyzeCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "analyze",
      "Report what could be saved and where, changing nothing: objects no database\n"
      "version needs, sparse and small packs, the saving of recompressing at zstd:19,\n"
      "whole chunks that would shrink as byte deltas against a same-taxon chunk of\n"
      "another version, duplicates, and hot and cold chunks. Savings are estimated from\n"
      "samples and extrapolated.");
  auto json = std::make_shared<bool>(false);
  auto sample = std::make_shared<size_t>(64);
  cmd->add_flag("--json", *json, "Print JSON instead of text");
  cmd->add_option("--sample", *sample, "Objects tried per estimate")->capture_default_str();
  cmd->callback([&ctx, run, json, sample] {
    *run = [&ctx, json, sample] {
      auto store = ctx.OpenStore();
      if (!store) return Fail(store.error());
      store::AnalyzeOptions options;
      options.sample = *sample;
      options.sparse_below = (*store)->config().repack_threshold;
      auto report = store::Analyze(**store, options);
      if (!report) return Fail(report.error());
      if (*json) {
        PrintJson(ToJson(*report));
      } else {
        PrintHuman(*report);
      }
      return kExitOk;
    };
  });
}

}  // namespace talaria::tools
