// talaria-store index rebuild

#include <iostream>

#include "store/maintenance/index_rebuild.h"
#include "tools/cli_context.h"

namespace talaria::tools {

void AddIndexCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand("index", "Maintain the store's LMDB index");
  cmd->require_subcommand(1);
  auto* rebuild =
      cmd->add_subcommand("rebuild",
                          "Recreate the index from the pack files alone (after losing or damaging\n"
                          "index/). Stop mounts of the store first.");
  rebuild->callback([&ctx, run] {
    *run = [&ctx] {
      std::string root = ctx.StoreDir();
      auto r = store::RebuildIndex(root);
      if (!r) return Fail(r.error());
      for (const auto& p : r->problems) std::cout << "problem: " << p << '\n';
      std::cout << "rebuilt index of " << root << ": " << r->objects << " objects from "
                << r->records << " records in " << r->packs << " packs";
      if (r->duplicates) std::cout << " (" << r->duplicates << " duplicate records)";
      if (r->damaged) std::cout << ", " << r->damaged << " damaged records";
      if (r->database_versions) std::cout << "; " << r->database_versions << " database versions";
      std::cout << '\n';
      return kExitOk;
    };
  });
}

}  // namespace talaria::tools
