// talaria-store gc [--keep-file FILE] [--dry-run] [--repack-threshold F] [--max-unused F] [--json]

#include <iostream>
#include <optional>

#include "store/catalog/database_catalog.h"
#include "store/core/id_list.h"
#include "store/maintenance/gc.h"
#include "store/maintenance/roots.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

struct GcArgs {
  std::string keep_file;
  bool dry_run = false;
  bool json = false;
  std::optional<double> repack_threshold;
  double max_unused = 0.05;
};

int RunGc(const CliContext& ctx, const GcArgs& args) {
  std::vector<core::ObjectId> roots;
  if (!args.keep_file.empty()) {
    auto kept = core::ReadIdList(args.keep_file);
    if (!kept) return Fail(kept.error());
    roots = std::move(*kept);
  }
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  auto db_roots = store::DatabaseRoots(**store);
  if (!db_roots) return Fail(db_roots.error());
  roots.insert(roots.end(), db_roots->begin(), db_roots->end());
  if (roots.empty()) {
    return Fail(
        "nothing to keep: the store has no database versions and no --keep-file was "
        "given, so gc would remove every object. Name what to keep with --keep-file.");
  }
  store::GcOptions options;
  options.dry_run = args.dry_run;
  options.repack_threshold = args.repack_threshold.value_or((*store)->config().repack_threshold);
  options.max_unused = args.max_unused;
  auto r = store::CollectGarbage(**store, roots, options);
  if (!r) return Fail(r.error());
  std::vector<std::string> missing;
  for (const auto& id : r->missing_roots) missing.push_back(id.Hex());
  if (args.json) {
    PrintJson({{"dry_run", args.dry_run},
               {"objects_before", r->objects_before},
               {"objects_removed", r->objects_removed},
               {"bytes_removed", r->bytes_removed},
               {"packs_repacked", r->packs_repacked},
               {"bytes_rewritten", r->bytes_rewritten},
               {"bytes_reclaimed", r->bytes_reclaimed},
               {"missing_roots", missing},
               {"problems", r->problems}});
  } else {
    const char* verb = args.dry_run ? "would remove" : "removed";
    std::cout << verb << ' ' << r->objects_removed << " of " << r->objects_before << " objects ("
              << HumanBytes(r->bytes_removed) << "); "
              << (args.dry_run ? "would repack " : "repacked ") << r->packs_repacked << " packs, "
              << (args.dry_run ? "reclaiming " : "reclaimed ") << HumanBytes(r->bytes_reclaimed)
              << '\n';
    for (const auto& m : missing) std::cout << "warning: root " << m << " is not in the store\n";
    for (const auto& p : r->problems) std::cout << "problem: " << p << '\n';
  }
  return r->problems.empty() ? kExitOk : kExitFailed;
}

}  // namespace

void AddGcCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "gc",
      "Remove every object that no database version (and no id in --keep-file) needs;\n"
      "delta bases of kept objects are kept too. Then rewrite packs whose live fraction\n"
      "is below repack_threshold so the space goes back to the file system. With no\n"
      "database and no --keep-file there are no roots, and gc refuses to run.\n"
      "Packs are rewritten when their live fraction is under --repack-threshold, and\n"
      "then the packs with the most dead bytes until at most --max-unused of the\n"
      "store is dead. Safe while talariafs serves the store.");
  auto args = std::make_shared<GcArgs>();
  cmd->add_option("--keep-file", args->keep_file,
                  "Also keep the object ids in FILE, one per line ('#' comments allowed)")
      ->type_name("FILE");
  cmd->add_flag("--dry-run", args->dry_run, "Report what would be removed; change nothing");
  cmd->add_option("--repack-threshold", args->repack_threshold,
                  "Rewrite every pack whose live fraction is below F (default: storage.toml's "
                  "repack_threshold, 0.5)")
      ->type_name("F")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-unused", args->max_unused,
                  "Then rewrite the packs with the most dead bytes until at most F of the "
                  "store's pack bytes is dead; 1 turns this off")
      ->type_name("F")
      ->default_val(0.05)
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->callback([&ctx, run, args] { *run = [&ctx, args] { return RunGc(ctx, *args); }; });
}

}  // namespace talaria::tools
