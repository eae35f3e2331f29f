// talaria-store gc --keep-file FILE [--dry-run] [--json]

#include <fstream>
#include <iostream>

#include "store/gc.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

struct GcArgs {
  std::string keep_file;
  bool dry_run = false;
  bool json = false;
};

// One id per line; blank lines and '#' comments are ignored.
core::Result<std::vector<core::ObjectId>> ReadKeepFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::ErrnoError("open " + path, errno);
  std::vector<core::ObjectId> ids;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    auto last = line.find_first_of(" \t\r", first);
    auto id = core::ObjectId::Parse(line.substr(first, last == std::string::npos ? last : last - first));
    if (!id) return core::ParseError(path + ":" + std::to_string(n) + ": " + id.error().message());
    ids.push_back(*id);
  }
  return ids;
}

int RunGc(const CliContext& ctx, const GcArgs& args) {
  auto roots = ReadKeepFile(args.keep_file);
  if (!roots) return Fail(roots.error());
  auto store = ctx.OpenStore(/*writable=*/true);
  if (!store) return Fail(store.error());
  store::GcOptions options;
  options.dry_run = args.dry_run;
  options.repack_threshold = (*store)->config().repack_threshold;
  auto r = store::CollectGarbage(**store, *roots, options);
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
              << (args.dry_run ? "would repack " : "repacked ") << r->packs_repacked
              << " packs, " << (args.dry_run ? "reclaiming " : "reclaimed ")
              << HumanBytes(r->bytes_reclaimed) << '\n';
    for (const auto& m : missing) std::cout << "warning: root " << m << " is not in the store\n";
    for (const auto& p : r->problems) std::cout << "problem: " << p << '\n';
  }
  return r->problems.empty() ? kExitOk : kExitFailed;
}

}  // namespace

void AddGcCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "gc", "Remove every object not reachable from the ids in --keep-file (their delta\n"
            "bases are kept too), then rewrite packs whose live fraction is below\n"
            "repack_threshold so the space goes back to the file system.");
  auto args = std::make_shared<GcArgs>();
  cmd->add_option("--keep-file", args->keep_file,
                  "File of object ids to keep, one per line ('#' comments allowed)")
      ->required()
      ->type_name("FILE");
  cmd->add_flag("--dry-run", args->dry_run, "Report what would be removed; change nothing");
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->callback([&ctx, run, args] { *run = [&ctx, args] { return RunGc(ctx, *args); }; });
}

}  // namespace talaria::tools
