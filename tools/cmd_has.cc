// talaria-store has ID

#include <iostream>

#include "tools/cli_context.h"

namespace talaria::tools {

void AddHasCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "has",
      "Tell whether the store holds an object: prints 'yes' and exits 0, or 'no' and\n"
      "exits 1.");
  auto id = std::make_shared<std::string>();
  cmd->add_option("ID", *id, "Object id (64 hex digits)")->required();
  cmd->callback([&ctx, run, id] {
    *run = [&ctx, id] {
      auto oid = core::ObjectId::Parse(*id);
      if (!oid) return Fail(oid.error());
      auto store = ctx.OpenStore();
      if (!store) return Fail(store.error());
      auto has = (*store)->Has(*oid);
      if (!has) return Fail(has.error());
      std::cout << (*has ? "yes" : "no") << '\n';
      return *has ? kExitOk : kExitFailed;
    };
  });
}

}  // namespace talaria::tools
