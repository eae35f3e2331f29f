// talaria-store stats [--json]

#include <cstdio>
#include <iostream>

#include "store/store_stats.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

nlohmann::json ToJson(const store::StoreStats& s) {
  return {{"objects", s.objects},
          {"raw_bytes", s.raw_bytes},
          {"stored_bytes", s.stored_bytes},
          {"record_bytes", s.record_bytes},
          {"compression_ratio", s.compression_ratio()},
          {"delta_objects", s.delta_objects},
          {"objects_by_kind", s.objects_by_kind},
          {"objects_by_codec", s.objects_by_codec},
          {"packs", s.packs},
          {"pack_bytes", s.pack_bytes},
          {"garbage_bytes", s.garbage_bytes}};
}

void PrintHuman(const std::string& root, const store::StoreStats& s) {
  std::printf("store         %s\n", root.c_str());
  std::printf("objects       %llu", static_cast<unsigned long long>(s.objects));
  const char* sep = " (";
  for (const auto& [kind, n] : s.objects_by_kind) {
    std::printf("%s%llu %s", sep, static_cast<unsigned long long>(n), kind.c_str());
    sep = ", ";
  }
  std::printf("%s\n", s.objects_by_kind.empty() ? "" : ")");
  std::printf("raw bytes     %s (%llu)\n", HumanBytes(s.raw_bytes).c_str(),
              static_cast<unsigned long long>(s.raw_bytes));
  std::printf("stored bytes  %s (%llu)\n", HumanBytes(s.stored_bytes).c_str(),
              static_cast<unsigned long long>(s.stored_bytes));
  std::printf("ratio         %.2fx\n", s.compression_ratio());
  std::printf("deltas        %llu objects\n", static_cast<unsigned long long>(s.delta_objects));
  std::printf("codecs       ");
  for (const auto& [codec, n] : s.objects_by_codec) {
    std::printf(" %s=%llu", codec.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("\npacks         %llu, %s on disk\n", static_cast<unsigned long long>(s.packs),
              HumanBytes(s.pack_bytes).c_str());
  std::printf("garbage       %s (reclaimed by gc)\n", HumanBytes(s.garbage_bytes).c_str());
}

}  // namespace

void AddStatsCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "stats",
      "Show what the store holds: objects, raw and stored bytes, compression ratio,\n"
      "deltas, packs and garbage.");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print JSON instead of text");
  cmd->callback([&ctx, run, json] {
    *run = [&ctx, json] {
      auto store = ctx.OpenStore(false);
      if (!store) return Fail(store.error());
      auto stats = store::ComputeStats(**store);
      if (!stats) return Fail(stats.error());
      if (*json) {
        PrintJson(ToJson(*stats));
      } else {
        PrintHuman((*store)->paths().root(), *stats);
      }
      return kExitOk;
    };
  });
}

}  // namespace talaria::tools
