// talaria-store verify [--json]

#include <iostream>

#include "store/verify.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

int RunVerify(const CliContext& ctx, bool json) {
  auto store = ctx.OpenStore(false);
  if (!store) return Fail(store.error());
  store::VerifyOptions options;
  options.threads = (*store)->config().effective_threads();
  Progress progress("verify");
  options.progress = [&](uint64_t done, uint64_t total, uint64_t bytes) {
    progress.Update(done, total, bytes);
  };
  auto report = store::VerifyStore(**store, options);
  progress.Finish();
  if (!report) return Fail(report.error());
  if (json) {
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& e : report->errors) {
      errors.push_back({{"id", e.id.Hex()},
                        {"kind", store::VerifyErrorKindName(e.kind)},
                        {"pack", e.pack},
                        {"offset", e.offset},
                        {"detail", e.detail}});
    }
    PrintJson({{"ok", report->ok()},
               {"objects_checked", report->objects_checked},
               {"raw_bytes_checked", report->raw_bytes_checked},
               {"errors", errors},
               {"store_problems", report->pack_problems}});
  } else {
    for (const auto& p : report->pack_problems) std::cout << "problem: " << p << '\n';
    for (const auto& e : report->errors) {
      std::cout << e.id.Hex() << ' ' << store::VerifyErrorKindName(e.kind) << " pack " << e.pack
                << " offset " << e.offset << ": " << e.detail << '\n';
    }
    std::cout << "verified " << report->objects_checked << " objects ("
              << HumanBytes(report->raw_bytes_checked) << "): "
              << (report->ok()
                      ? "all intact"
                      : std::to_string(report->errors.size()) + " damaged, " +
                            std::to_string(report->pack_problems.size()) + " store problems")
              << '\n';
  }
  return report->ok() ? kExitOk : kExitFailed;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "verify",
      "Re-read and re-hash every object in parallel. Prints one line per damaged\n"
      "object (id, kind of damage, pack, offset) and a summary; exits 1 if anything\n"
      "is wrong. Kinds: hash_mismatch, read_error, corrupted_data, missing_data,\n"
      "invalid_format, size_mismatch.");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON report instead of text");
  cmd->callback([&ctx, run, json] { *run = [&ctx, json] { return RunVerify(ctx, *json); }; });
}

}  // namespace talaria::tools
