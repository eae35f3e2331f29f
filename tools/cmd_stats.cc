// talaria-store stats [--top N] [--json]

#include <cstdio>
#include <iostream>

#include "store/catalog/taxonomy_stats.h"
#include "store/maintenance/store_stats.h"
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
          {"garbage_bytes", s.garbage_bytes},
          {"chunks", s.chunks},
          {"chunk_bytes", s.chunk_bytes},
          {"database_versions", s.versions},
          {"referenced_chunk_bytes", s.referenced_chunk_bytes},
          {"dedup_ratio", s.dedup_ratio()}};
}

// TaxonomyStats over the current version of every database: totals and the
// `top` most populous taxa.
nlohmann::json TaxonomyJson(const store::TaxonomyStats& t, size_t top) {
  nlohmann::json taxa = nlohmann::json::array();
  for (size_t i = 0; i < t.taxa.size() && i < top; i++) {
    taxa.push_back(TaxonCountJson(t.taxa[i]));
  }
  return {{"taxa", t.taxa.size()},
          {"records", t.records},
          {"residues", t.residues},
          {"taxonomy_nodes", t.tree_nodes},
          {"top", taxa}};
}

void PrintTaxonomy(const store::TaxonomyStats& t, size_t top) {
  std::printf("taxa          %zu with sequences, %llu sequences (current versions)\n",
              t.taxa.size(), static_cast<unsigned long long>(t.records));
  for (size_t i = 0; i < t.taxa.size() && i < top; i++) {
    const store::TaxonCount& c = t.taxa[i];
    std::printf("  %10u  %10llu sequences  %6llu chunks  %s\n", c.taxon,
                static_cast<unsigned long long>(c.records),
                static_cast<unsigned long long>(c.chunks), c.name.c_str());
  }
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
  std::printf(
      "chunks        %llu distinct, %s; %llu database versions use %s of them (dedup %.2fx)\n",
      static_cast<unsigned long long>(s.chunks), HumanBytes(s.chunk_bytes).c_str(),
      static_cast<unsigned long long>(s.versions), HumanBytes(s.referenced_chunk_bytes).c_str(),
      s.dedup_ratio());
}

}  // namespace

void AddStatsCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "stats",
      "Show what the store holds (StorageStats): objects, chunks, raw and stored\n"
      "bytes, compression ratio, dedup ratio across database versions, deltas, packs\n"
      "and garbage; and (TaxonomyStats) taxa, sequences and chunks per taxon over the\n"
      "current version of every database, the most populous first.");
  auto json = std::make_shared<bool>(false);
  auto top = std::make_shared<size_t>(10);
  cmd->add_flag("--json", *json, "Print JSON instead of text");
  cmd->add_option("--top", *top, "Taxa listed (most sequences first)")->capture_default_str();
  cmd->callback([&ctx, run, json, top] {
    *run = [&ctx, json, top] {
      auto store = ctx.OpenStore();
      if (!store) return Fail(store.error());
      auto stats = store::ComputeStats(**store);
      if (!stats) return Fail(stats.error());
      auto taxonomy = store::ComputeTaxonomyStats(**store, std::nullopt);
      if (!taxonomy) return Fail(taxonomy.error());
      if (*json) {
        nlohmann::json j = ToJson(*stats);
        j["taxonomy"] = TaxonomyJson(*taxonomy, *top);
        PrintJson(j);
      } else {
        PrintHuman((*store)->paths().root(), *stats);
        PrintTaxonomy(*taxonomy, *top);
      }
      return kExitOk;
    };
  });
}

}  // namespace talaria::tools
