#include "tools/cli_context.h"

#include <cstdlib>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace talaria::tools {

void CliContext::AddGlobalOptions(CLI::App& app) {
  app.add_option("--store", opts.store_dir,
                 "Store directory (default: $TALARIA_STORAGE_DIR, else ~/.talaria/store)")
      ->type_name("DIR");
  app.add_option("--codec", opts.codec,
                 "Compression for new objects: none, zstd[:1-22], lz4, lz4hc[:1-12], snappy "
                 "(default: storage.toml, else zstd:3)")
      ->type_name("CODEC");
  app.add_option("--level", opts.level, "Compression level for the codec (overrides its default)")
      ->type_name("N");
  app.add_option_function<unsigned>(
         "--threads",
         [this](unsigned n) {
           opts.threads = n;
           opts.threads_set = true;
         },
         "Worker threads for hashing, compression, verification and reduction (default: one\n"
         "per core); may also follow the subcommand")
      ->type_name("N");
  app.add_flag("-v,--verbose", opts.verbosity, "More log output on stderr (-v info, -vv debug)");
  app.add_option("--log-level", opts.log_level, "Log level: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

core::Status CliContext::SetUpLogging() const {
  auto logger = spdlog::stderr_color_mt("talaria");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::level::level_enum level = spdlog::level::warn;
  if (opts.verbosity == 1) level = spdlog::level::info;
  if (opts.verbosity >= 2) level = spdlog::level::debug;
  if (!opts.log_level.empty()) level = spdlog::level::from_str(opts.log_level);
  spdlog::set_level(level);
  return core::OkStatus();
}

std::string CliContext::StoreDir() const {
  if (!opts.store_dir.empty()) return opts.store_dir;
  if (const char* env = std::getenv("TALARIA_STORAGE_DIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.talaria/store";
}

core::Status CliContext::ApplyFlags(store::StoreConfig* config) const {
  if (!opts.codec.empty()) {
    auto spec = store::CodecSpec::Parse(opts.codec);
    if (!spec) return core::Propagate(spec.error().WithContext("--codec"));
    config->codec = *spec;
  }
  if (opts.level != 0)
    TALARIA_RETURN_IF_ERROR(store::SetCompressionLevel(config, opts.level, "--level"));
  if (opts.threads_set) config->threads = opts.threads;
  return core::OkStatus();
}

core::Result<store::StoreConfig> CliContext::Config(const std::string& store_dir) const {
  TALARIA_ASSIGN_OR_RETURN(store::StoreConfig config, store::ObjectStore::LoadConfig(store_dir));
  TALARIA_RETURN_IF_ERROR(ApplyFlags(&config));
  return config;
}

core::Result<std::unique_ptr<store::ObjectStore>> CliContext::OpenStore() const {
  std::string dir = StoreDir();
  TALARIA_ASSIGN_OR_RETURN(store::StoreConfig config, Config(dir));
  return store::ObjectStore::Open(dir, config);
}

core::Result<std::unique_ptr<store::WritableStore>> CliContext::OpenWritableStore() const {
  std::string dir = StoreDir();
  TALARIA_ASSIGN_OR_RETURN(store::StoreConfig config, Config(dir));
  return store::WritableStore::Open(dir, config);
}

int Fail(const core::Error& error) { return Fail(error.ToString()); }

int Fail(const std::string& message) {
  std::cerr << "talaria-store: " << message << '\n';
  return kExitFailed;
}

}  // namespace talaria::tools
