// talaria-store reduce --db NAME[/VERSION] --profile NAME (--ratio R | --identity T)
//                      [--taxonomy-aware [--rank RANK]] [--min-length N]
//                      [--window-size SIZE] [--json]

#include <chrono>
#include <cstdio>
#include <optional>

#include "store/reduce/reduction.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

struct ReduceArgs {
  std::string database, profile;
  std::optional<double> ratio, identity;
  bool taxonomy_aware = false;
  std::string rank;
  uint64_t min_length = 0;
  uint64_t window_bytes = store::kDefaultReduceWindowBytes;
  bool json = false;
};

// The reduce status line on a terminal: the step under way and how many of
// the version's sequences have been assigned, redrawn at most every 200 ms.
// Thread-compatible (the reduction serialises its calls).
class ReduceStatusLine {
 public:
  void Step(const std::string& step) {
    step_ = step;
    Draw(/*force=*/true);
  }
  void Sequences(uint64_t done, uint64_t total) {
    done_ = done;
    total_ = total;
    Draw(/*force=*/done == total);
  }

 private:
  using Clock = std::chrono::steady_clock;
  void Draw(bool force) {
    if (!line_.enabled()) return;
    const auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    std::string text = "reduce: " + step_;
    if (total_ > 0) {
      char buf[160];
      std::snprintf(buf, sizeof buf, " | %llu/%llu sequences (%.0f%%)",
                    static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_),
                    100.0 * static_cast<double>(done_) / static_cast<double>(total_));
      text += buf;
      if (done_ > 0 && done_ < total_) {
        std::snprintf(
            buf, sizeof buf, ", ETA %.0f s",
            line_.elapsed_s() * static_cast<double>(total_ - done_) / static_cast<double>(done_));
        text += buf;
      }
    }
    line_.Draw(text);
  }

  StatusLine line_;
  Clock::time_point last_;
  std::string step_;
  uint64_t done_ = 0, total_ = 0;
};

int RunReduce(const CliContext& ctx, const ReduceArgs& args) {
  store::ReduceOptions o;
  o.database = args.database;
  o.profile = args.profile;
  o.parameters.ratio = args.ratio;
  o.parameters.identity = args.identity;
  o.parameters.taxonomy_aware = args.taxonomy_aware;
  o.parameters.rank = args.rank;
  o.parameters.min_length = args.min_length;
  o.parameters.window_bytes = args.window_bytes;
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  o.threads = (*store)->config().effective_threads();
  std::optional<ReduceStatusLine> status;
  if (!args.json) {
    status.emplace();
    o.progress = [&](const std::string& step) { status->Step(step); };
    o.sequences = [&](uint64_t done, uint64_t total) { status->Sequences(done, total); };
  }
  auto r = store::ReduceDatabase(**store, o);
  status.reset();  // ends the status line before the summary
  if (!r) return Fail(r.error());
  const auto& m = r->manifest;
  const auto& s = m.statistics;
  if (args.json) {
    PrintJson({{"profile", m.profile},
               {"manifest", r->manifest_id.Hex()},
               {"database", m.database},
               {"version", m.version},
               {"unchanged", r->unchanged},
               {"elapsed_ms", r->elapsed_ms},
               {"alignments", r->stats.alignments},
               {"cache_lookups", r->stats.cache_lookups},
               {"cache_hit_rate", r->stats.hit_rate()},
               {"promoted", r->stats.promoted},
               {"demoted", r->stats.demoted},
               {"windows", r->windows},
               {"resumed", r->stats.resumed},
               {"statistics", store::StatisticsJson(m.statistics)}});
    return kExitOk;
  }
  if (r->unchanged) std::printf("profile %s already holds this reduction\n", m.profile.c_str());
  if (r->stats.demoted > 0) {
    std::printf(
        "%llu sequences have no reference at 50 %% identity or more and were paired below it to "
        "meet --ratio\n",
        static_cast<unsigned long long>(r->stats.demoted));
  }
  if (r->stats.resumed > 0) {
    std::printf("resumed: %llu sequences were already assigned by a stopped run\n",
                static_cast<unsigned long long>(r->stats.resumed));
  }
  std::printf(
      "reduced %s/%s into profile %s: %llu sequences -> %llu references (%.1f %%) + %llu "
      "children as deltas\n",
      m.database.c_str(), m.version.c_str(), m.profile.c_str(),
      static_cast<unsigned long long>(s.original_sequences),
      static_cast<unsigned long long>(s.reference_sequences), 100 * s.actual_ratio,
      static_cast<unsigned long long>(s.child_sequences));
  std::printf(
      "references.fasta %s of %s; deltas %s; children's residues copied from references: %.1f %%\n",
      HumanBytes(s.reference_bytes).c_str(), HumanBytes(s.original_bytes).c_str(),
      HumanBytes(s.delta_bytes).c_str(), 100 * s.coverage);
  if (r->unchanged) return kExitOk;  // nothing was run
  std::printf(
      "%llu alignments; alignment cache hit rate %.1f %% of %llu lookups; %llu window(s); %.1f s\n",
      static_cast<unsigned long long>(r->stats.alignments), 100 * r->stats.hit_rate(),
      static_cast<unsigned long long>(r->stats.cache_lookups),
      static_cast<unsigned long long>(r->windows), r->elapsed_ms / 1000.0);
  return kExitOk;
}

}  // namespace

void AddReduceCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "reduce",
      "Reduce a database version into a profile: keep representative reference\n"
      "sequences and store every other sequence (a child) as an exact edit script\n"
      "against its most similar reference. Longest sequences first: a sequence whose\n"
      "best candidate reference (sharing the most minimizers) aligns at --identity or\n"
      "better becomes its child, otherwise a reference. --ratio R keeps R of the\n"
      "sequences as references instead. Every child is rebuilt and checked against its\n"
      "SHA-256 before the profile is registered. Served at reductions/<profile>/.\n"
      "Memory stays bounded: the version is reduced in windows of --window-size source\n"
      "bytes (whole taxa or genera with --taxonomy-aware), each stored before the next\n"
      "is read, with the references of the groups that go on (up to half a window)\n"
      "carried forward; peak memory is about 10x the window (6.5x a smaller version).\n"
      "Progress is saved as it goes: the same command run again after an interruption\n"
      "(even kill -9) carries on from there. --threads N (a global option, also accepted\n"
      "here) sets the threads; the result does not depend on it.");
  auto args = std::make_shared<ReduceArgs>();
  cmd->add_option("--db", args->database, "Database NAME (its current version) or NAME/VERSION")
      ->required();
  cmd->add_option("--profile", args->profile, "Name of the reduction profile")->required();
  auto* ratio = cmd->add_option("--ratio", args->ratio,
                                "Fraction of sequences to keep as references, in (0, 1]")
                    ->check(CLI::Range(0.0, 1.0));
  auto* identity = cmd->add_option("--identity", args->identity,
                                   "Least identity of a child to its reference (matching "
                                   "residues / alignment columns), in (0, 1]")
                       ->check(CLI::Range(0.0, 1.0));
  ratio->excludes(identity);
  auto* aware = cmd->add_flag("--taxonomy-aware", args->taxonomy_aware,
                              "Pair a child only with a reference of its own genus (with a\n"
                              "taxonomy tree loaded) or else of its own taxon");
  cmd->add_option("--rank", args->rank,
                  "With --taxonomy-aware: what a child shares with its reference, 'taxon'\n"
                  "(the same taxid) or a rank of the taxonomy tree (default genus when a tree\n"
                  "is loaded, else taxon)")
      ->needs(aware);
  cmd->add_option("--window-size", args->window_bytes,
                  "Source bytes reduced at once (K, M, G suffixes; 0: the whole version);\n"
                  "sequences in different windows pair only through carried references")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  cmd->add_option("--min-length", args->min_length,
                  "Sequences shorter than N residues always stay references");
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->callback([&ctx, run, args, ratio, identity] {
    if (ratio->count() + identity->count() != 1) {
      throw CLI::ValidationError("reduce", "give one of --ratio and --identity");
    }
    *run = [&ctx, args] { return RunReduce(ctx, *args); };
  });
}

}  // namespace talaria::tools
