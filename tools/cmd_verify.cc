// talaria-store verify [--sample FRACTION] [--json]

#include <iostream>

#include "store/verify.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

int RunVerify(const CliContext& ctx, bool json, double sample) {
  auto store = ctx.OpenStore(false);
  if (!store) return Fail(store.error());
  store::VerifyOptions options;
  options.threads = (*store)->config().effective_threads();
  options.sample = sample;
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
               {"sample", sample},
               {"objects_total", report->objects_total},
               {"objects_checked", report->objects_checked},
               {"references_checked", report->references_checked},
               {"raw_bytes_checked", report->raw_bytes_checked},
               {"errors", errors},
               {"store_problems", report->pack_problems}});
  } else {
    for (const auto& p : report->pack_problems) std::cout << "problem: " << p << '\n';
    for (const auto& e : report->errors) {
      std::cout << e.id.Hex() << ' ' << store::VerifyErrorKindName(e.kind) << " pack " << e.pack
                << " offset " << e.offset << ": " << e.detail << '\n';
    }
    std::cout << "verified " << report->objects_checked;
    if (report->objects_checked != report->objects_total) {
      std::cout << " of " << report->objects_total;
    }
    std::cout << " objects (" << HumanBytes(report->raw_bytes_checked) << ") and "
              << report->references_checked << " references: "
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
      "is wrong. Also checks that every database version's manifest, layouts, chunks\n"
      "and record indexes, and every delta's base, are in the store. Kinds:\n"
      "hash_mismatch, read_error, corrupted_data, missing_data, invalid_format,\n"
      "size_mismatch, missing_reference. Threads: [store] threads or\n"
      "TALARIA_STORAGE_THREADS.");
  auto json = std::make_shared<bool>(false);
  auto sample = std::make_shared<double>(1.0);
  cmd->add_flag("--json", *json, "Print a JSON report instead of text");
  cmd->add_option("--sample", *sample,
                  "Re-read only this fraction of the objects (0 to 1), chosen by id: the\n"
                  "same objects for the same fraction; references are always all checked")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->callback([&ctx, run, json, sample] {
    *run = [&ctx, json, sample] { return RunVerify(ctx, *json, *sample); };
  });
}

}  // namespace talaria::tools
