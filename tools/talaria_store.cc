// talaria-store: the companion CLI of talariafs. Thin: parses arguments,
// calls store/ and index/, prints. See README.md and `talaria-store --help`.

#include <iostream>

#include <CLI/CLI.hpp>

#include "tools/cli_context.h"
#include "tools/exit_codes.h"

int main(int argc, char** argv) {
  using namespace talaria::tools;
  CLI::App app{
      "talaria-store: manage a talariafs content-addressed store of sequence databases.\n"
      "Objects are named by the SHA-256 of their bytes, compressed into pack files and\n"
      "indexed in LMDB. Exit status: 0 ok, 1 failed or problems found, 2 usage error.",
      "talaria-store"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  app.set_version_flag("--version", "talaria-store 0.1.0");
  CliContext ctx;
  ctx.AddGlobalOptions(app);
  Runner run;
  AddInitCommand(app, ctx, &run);
  AddPutCommand(app, ctx, &run);
  AddGetCommand(app, ctx, &run);
  AddHasCommand(app, ctx, &run);
  AddLsCommand(app, ctx, &run);
  AddStatsCommand(app, ctx, &run);
  AddVerifyCommand(app, ctx, &run);
  AddAnalyzeCommand(app, ctx, &run);
  AddGcCommand(app, ctx, &run);
  AddOptimizeCommand(app, ctx, &run);
  AddIndexCommand(app, ctx, &run);
  AddIngestCommand(app, ctx, &run);
  AddDbCommand(app, ctx, &run);
  AddTaxonomyCommand(app, ctx, &run);
  AddQueryCommand(app, ctx, &run);
  AddReduceCommand(app, ctx, &run);
  AddReductionCommand(app, ctx, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (auto st = ctx.SetUpLogging(); !st) return Fail(st.error());
  try {
    return run ? run() : kExitUsage;
  } catch (const std::bad_alloc&) {
    return Fail("out of memory");
  }
}
