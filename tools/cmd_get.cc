// talaria-store get ID [-o FILE]

#include <unistd.h>

#include "store/core/file_io.h"
#include "tools/cli_context.h"

namespace talaria::tools {

void AddGetCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "get",
      "Write an object's bytes to standard output or a file. The bytes are checked\n"
      "against the id first: a damaged object is an error, never wrong output.");
  auto id = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("ID", *id, "Object id (64 hex digits)")->required();
  cmd->add_option("-o,--output", *out, "Write to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  cmd->callback([&ctx, run, id, out] {
    *run = [&ctx, id, out] {
      auto oid = core::ObjectId::Parse(*id);
      if (!oid) return Fail(oid.error());
      auto store = ctx.OpenStore();
      if (!store) return Fail(store.error());
      auto data = (*store)->Get(*oid);
      if (!data) return Fail(data.error());
      core::Status st = out->empty() ? core::WriteAll(STDOUT_FILENO, **data, "standard output")
                                     : core::WriteFileAtomic(*out, **data);
      return st ? kExitOk : Fail(st.error());
    };
  });
}

}  // namespace talaria::tools
