// talaria-store verify [--sample FRACTION] [--repair] [--json]

#include <iostream>
#include <set>

#include "store/maintenance/index_rebuild.h"
#include "store/maintenance/verify.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

core::Result<store::VerifyReport> Verify(const CliContext& ctx, double sample) {
  TALARIA_ASSIGN_OR_RETURN(auto store, ctx.OpenStore());
  store::VerifyOptions options;
  options.threads = store->config().effective_threads();
  options.sample = sample;
  Progress progress("verify");
  options.progress = [&](uint64_t done, uint64_t total, uint64_t bytes) {
    progress.Update(done, total, bytes);
  };
  auto report = store::VerifyStore(*store, options);
  progress.Finish();
  return report;
}

std::string Problem(const store::VerificationError& e) {
  return e.id.Hex() + " " + std::string(store::VerifyErrorKindName(e.kind)) + " pack " +
         std::to_string(e.pack) + " offset " + std::to_string(e.offset) + ": " + e.detail;
}

int RunVerify(const CliContext& ctx, bool json, double sample, bool repair) {
  auto report = Verify(ctx, sample);
  if (!report) return Fail(report.error());
  // --repair: rebuild the index from the packs (objects whose index entries
  // were lost or wrong come back; damaged copies lose to intact ones), then
  // verify again and report what the rebuild could not mend.
  std::vector<std::string> repaired;
  if (repair && !report->ok()) {
    std::vector<std::string> before;
    for (const auto& e : report->errors) before.push_back(Problem(e));
    auto rebuilt = store::RebuildIndex(ctx.StoreDir());
    if (!rebuilt) return Fail(rebuilt.error());
    report = Verify(ctx, sample);
    if (!report) return Fail(report.error());
    std::set<core::ObjectId> still;
    for (const auto& e : report->errors) still.insert(e.id);
    for (size_t i = 0; i < before.size(); i++) {
      const std::string id = before[i].substr(0, core::ObjectId::kHexSize);
      auto parsed = core::ObjectId::Parse(id);
      if (parsed && !still.count(*parsed)) repaired.push_back(before[i]);
    }
  }
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
               {"repaired", repaired},
               {"sample", sample},
               {"objects_total", report->objects_total},
               {"objects_checked", report->objects_checked},
               {"references_checked", report->references_checked},
               {"raw_bytes_checked", report->raw_bytes_checked},
               {"errors", errors},
               {"store_problems", report->pack_problems}});
  } else {
    for (const auto& r : repaired) std::cout << "repaired: " << r << '\n';
    for (const auto& p : report->pack_problems) std::cout << "problem: " << p << '\n';
    for (const auto& e : report->errors) {
      std::cout << (repair ? "not repaired: " : "") << Problem(e) << '\n';
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
  auto repair = std::make_shared<bool>(false);
  cmd->add_flag("--repair", *repair,
                "When something is wrong, rebuild the index from the pack files (lost or\n"
                "wrong index entries come back; an intact copy of an object wins over a\n"
                "damaged one), verify again, and list what was repaired and, object by\n"
                "object, what could not be. Takes the writer lock; restart mounts after.");
  cmd->add_flag("--json", *json, "Print a JSON report instead of text");
  cmd->add_option("--sample", *sample,
                  "Re-read only this fraction of the objects (0 to 1), chosen by id: the\n"
                  "same objects for the same fraction; references are always all checked")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->callback([&ctx, run, json, sample, repair] {
    *run = [&ctx, json, sample, repair] { return RunVerify(ctx, *json, *sample, *repair); };
  });
}

}  // namespace talaria::tools
