// talaria-store init [DIR]

#include <iostream>

#include "tools/cli_context.h"

namespace talaria::tools {

void AddInitCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "init",
      "Create a new, empty store (DIR, else --store / $TALARIA_STORAGE_DIR / default).\n"
      "The codec flags given here are written into the store's storage.toml.");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "Directory for the new store (must not exist, or be empty)");
  cmd->callback([&ctx, run, dir] {
    *run = [&ctx, dir] {
      std::string root = dir->empty() ? ctx.StoreDir() : *dir;
      store::StoreConfig config;
      if (auto st = ctx.ApplyFlags(&config); !st) return Fail(st.error());
      if (auto st = store::ObjectStore::Init(root, config); !st) return Fail(st.error());
      std::cout << "initialised empty store in " << root << " (codec " << config.codec.ToString()
                << ")\n";
      return kExitOk;
    };
  });
}

}  // namespace talaria::tools
