// talaria-store reduction ls | show | rm | export

#include <cstdio>

#include "store/reduce/reduction.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

nlohmann::json InfoJson(const store::ReductionInfo& r) {
  const auto& m = r.manifest;
  return {{"profile", r.profile},
          {"manifest", r.entry.manifest.Hex()},
          {"created", Iso8601(r.entry.created_unix_s)},
          {"elapsed_ms", r.entry.elapsed_ms},
          {"database", m.database},
          {"version", m.version},
          {"parameters", store::ParametersJson(m.parameters)},
          {"reference_chunks", m.reference_chunks.size()},
          {"delta_chunks", m.delta_chunks.size()},
          {"statistics", store::StatisticsJson(m.statistics)}};
}

int RunLs(const CliContext& ctx, bool json) {
  auto store = ctx.OpenStore();
  if (!store) return Fail(store.error());
  auto all = store::ListReductions(**store);
  if (!all) return Fail(all.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : *all) {
    if (json) {
      out.push_back(InfoJson(r));
      continue;
    }
    const auto& s = r.manifest.statistics;
    std::printf("%s  %s/%s  %llu -> %llu references (%.1f %%)  %s\n", r.profile.c_str(),
                r.manifest.database.c_str(), r.manifest.version.c_str(),
                static_cast<unsigned long long>(s.original_sequences),
                static_cast<unsigned long long>(s.reference_sequences), 100 * s.actual_ratio,
                Iso8601(r.entry.created_unix_s).c_str());
  }
  if (json) PrintJson(out);
  return kExitOk;
}

int RunShow(const CliContext& ctx, const std::string& profile, bool json) {
  auto store = ctx.OpenStore();
  if (!store) return Fail(store.error());
  auto r = store::LoadReduction(**store, profile);
  if (!r) return Fail(r.error());
  if (json) {
    PrintJson(InfoJson(*r));
    return kExitOk;
  }
  std::fputs(InfoJson(*r).dump(2).c_str(), stdout);
  std::fputc('\n', stdout);
  return kExitOk;
}

int RunRm(const CliContext& ctx, const std::string& profile) {
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  auto st = store::RemoveReduction(**store, profile);
  if (!st) return Fail(st.error());
  std::printf("removed profile %s; run talaria-store gc to reclaim the space only it used\n",
              profile.c_str());
  return kExitOk;
}

int RunExport(const CliContext& ctx, const std::string& profile, const std::string& file,
              const std::string& out) {
  auto store = ctx.OpenStore();
  if (!store) return Fail(store.error());
  auto r = store::LoadReduction(**store, profile);
  if (!r) return Fail(r.error());
  store::ObjectStore& s = **store;
  const store::ReductionManifest& m = r->manifest;
  std::function<core::Status(const PieceSink&)> produce;
  if (file == "references.fasta") {
    produce = [&](const PieceSink& sink) { return store::ExportReferences(s, m, sink); };
  } else if (file == "deltas.dat") {
    produce = [&](const PieceSink& sink) { return store::ExportDeltas(s, m, sink); };
  } else if (file == "ref2children.tsv") {
    produce = [&](const PieceSink& sink) { return store::ExportRefToChildren(s, m, sink); };
  } else if (file == "expanded.fasta") {
    produce = [&](const PieceSink& sink) { return store::ExportExpanded(s, m, sink); };
  } else if (file == "manifest.json") {
    produce = [&](const PieceSink& sink) { return sink(store::ManifestView(*r)); };
  } else {
    return Fail("no file '" + file +
                "' in a profile; one of references.fasta, deltas.dat, ref2children.tsv, "
                "expanded.fasta, manifest.json");
  }
  auto st = WriteStreamed(out, produce);
  return st ? kExitOk : Fail(st.error());
}

int RunImport(const CliContext& ctx, const store::ImportOptions& options) {
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  auto r = store::ImportReduction(**store, options);
  if (!r) return Fail(r.error());
  const auto& s = r->manifest.statistics;
  std::printf("imported profile %s of %s/%s: %llu references, %llu children, every child checked\n",
              r->manifest.profile.c_str(), r->manifest.database.c_str(),
              r->manifest.version.c_str(), static_cast<unsigned long long>(s.reference_sequences),
              static_cast<unsigned long long>(s.child_sequences));
  return kExitOk;
}

}  // namespace

void AddReductionCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand("reduction", "List, show, remove and export reduction profiles");
  cmd->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto profile = std::make_shared<std::string>();

  auto* ls = cmd->add_subcommand("ls", "Every profile: source version, sequences, references");
  ls->add_flag("--json", *json, "Print JSON instead of text");
  ls->callback([&ctx, run, json] { *run = [&ctx, json] { return RunLs(ctx, *json); }; });

  auto* show = cmd->add_subcommand("show", "A profile's parameters, source and statistics");
  show->add_option("PROFILE", *profile, "Profile name")->required();
  show->add_flag("--json", *json, "Print JSON instead of text");
  show->callback([&ctx, run, json, profile] {
    *run = [&ctx, json, profile] { return RunShow(ctx, *profile, *json); };
  });

  auto* rm =
      cmd->add_subcommand("rm", "Remove a profile (talaria-store gc then frees what only it used)");
  rm->add_option("PROFILE", *profile, "Profile name")->required();
  rm->callback([&ctx, run, profile] { *run = [&ctx, profile] { return RunRm(ctx, *profile); }; });

  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* ex = cmd->add_subcommand(
      "export",
      "Write one file of a profile, as the mount serves it: references.fasta,\n"
      "deltas.dat, ref2children.tsv, expanded.fasta (every sequence, children rebuilt\n"
      "and checked) or manifest.json");
  ex->add_option("PROFILE", *profile, "Profile name")->required();
  ex->add_option("--file", *file, "Which file")->required();
  ex->add_option("-o,--output", *out, "Write to FILE atomically instead of standard output")
      ->type_name("FILE");
  ex->callback([&ctx, run, profile, file, out] {
    *run = [&ctx, profile, file, out] { return RunExport(ctx, *profile, *file, *out); };
  });

  auto imp_options = std::make_shared<store::ImportOptions>();
  auto* imp = cmd->add_subcommand(
      "import",
      "Make a profile from references.fasta and deltas.dat (as `reduction export` writes\n"
      "them, or another tool in the same grammar; see README) of a version in the store.\n"
      "Every record of the version must be a reference (byte for byte) or a child whose\n"
      "#sha256 is its record's; every child is rebuilt and checked. With --ref2children,\n"
      "that file must agree with deltas.dat.");
  imp->add_option("--db", imp_options->database,
                  "Database NAME (its current version) or NAME/VERSION")
      ->required();
  imp->add_option("--profile", imp_options->profile, "Name of the new profile")->required();
  imp->add_option("--references", imp_options->references, "references.fasta")
      ->required()
      ->check(CLI::ExistingFile);
  imp->add_option("--deltas", imp_options->deltas, "deltas.dat")
      ->required()
      ->check(CLI::ExistingFile);
  imp->add_option("--ref2children", imp_options->ref2children, "ref2children.tsv (checked)")
      ->check(CLI::ExistingFile);
  imp->callback([&ctx, run, imp_options] {
    *run = [&ctx, imp_options] { return RunImport(ctx, *imp_options); };
  });
}

}  // namespace talaria::tools
