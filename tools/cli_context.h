#pragma once

// What every talaria-store subcommand shares: the global options, how the
// store directory and configuration are resolved (flags > environment >
// storage.toml > defaults), and how errors are reported.

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "store/core/status.h"
#include "store/object/config.h"
#include "store/object/writable_store.h"
#include "tools/exit_codes.h"

namespace talaria::tools {

struct GlobalOptions {
  std::string store_dir;  // --store
  std::string log_level;  // --log-level
  int verbosity = 0;      // -v count
  std::string codec;      // --codec
  int level = 0;          // --level
  unsigned threads = 0;   // --threads (0: from configuration)
  bool threads_set = false;
};

class CliContext {
 public:
  GlobalOptions opts;

  // Adds --store, --codec, --level, --threads, -v, --log-level to `app`.
  void AddGlobalOptions(CLI::App& app);
  // Sets up logging (stderr only) from -v / --log-level.
  core::Status SetUpLogging() const;

  // --store, else $TALARIA_STORAGE_DIR, else $HOME/.talaria/store.
  std::string StoreDir() const;
  // storage.toml < environment < flags.
  core::Result<store::StoreConfig> Config(const std::string& store_dir) const;
  // Applies the codec flags on top of `config`.
  core::Status ApplyFlags(store::StoreConfig* config) const;
  // The store for reading; any number may be open at once.
  core::Result<std::unique_ptr<store::ObjectStore>> OpenStore() const;
  // The store for writing, under its writer lock (waits for another writer).
  core::Result<std::unique_ptr<store::WritableStore>> OpenWritableStore() const;
};

// Prints "talaria-store: <message>" on stderr and returns kExitFailed.
int Fail(const core::Error& error);
int Fail(const std::string& message);

// Registers one subcommand; `run` is set to what executes it.
using Runner = std::function<int()>;
void AddInitCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddPutCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddGetCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddHasCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddLsCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddStatsCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddVerifyCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddAnalyzeCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddGcCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddOptimizeCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddReduceCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddReductionCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddIndexCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddIngestCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddDbCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddTaxonomyCommand(CLI::App& app, CliContext& ctx, Runner* run);
void AddQueryCommand(CLI::App& app, CliContext& ctx, Runner* run);

}  // namespace talaria::tools
