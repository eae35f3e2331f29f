// A writer killed with SIGKILL at random moments: afterwards verify passes
// and every id it printed before dying reads back exactly.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/object/object_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

using testing::RunStore;

// Starts talaria-store with stdout to `out_path`; returns its pid.

TEST(KillTest, SigkillDuringPutsLosesNothingThatWasAcknowledged) {
  testing::TempDir dir;
  std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  // Small packs so that kills also land while packs roll over.
  testing::WriteFile(store + "/storage.toml",
                     "[storage]\ncodec = \"zstd:3\"\nmax_pack_size_mb = 1\n");

  constexpr int kRounds = 13, kFilesPerRound = 1000;
  std::mt19937_64 rng(20261125);
  std::map<std::string, std::string> content;  // file path -> bytes
  std::vector<std::vector<std::string>> rounds(kRounds);
  for (int r = 0; r < kRounds; ++r) {
    for (int i = 0; i < kFilesPerRound; ++i) {
      std::string path = dir / ("f" + std::to_string(r) + "_" + std::to_string(i));
      size_t size = 1000 + rng() % 8000;
      std::string data =
          (i % 4 == 0) ? testing::RandomBytes(size, rng()) : testing::FastaLikeText(size, rng());
      testing::WriteFile(path, data);
      content[path] = data;
      rounds[r].push_back(path);
    }
  }

  std::map<std::string, std::string> acknowledged;  // id -> file
  int killed_mid_write = 0;
  double full_run_ms = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::string> argv = {testing::StoreBinary(), "--store", store, "put"};
    argv.insert(argv.end(), rounds[round].begin(), rounds[round].end());
    std::string out = dir / "out.txt";
    auto start = std::chrono::steady_clock::now();
    pid_t pid = testing::Spawn(argv, out);
    if (round > 0) {
      // Round 0 runs to the end and times a whole run; the others are
      // killed somewhere inside one.
      std::uniform_real_distribution<double> when(0.05 * full_run_ms, 0.95 * full_run_ms);
      std::this_thread::sleep_for(
          std::chrono::microseconds(static_cast<int64_t>(when(rng) * 1000)));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (round == 0) {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
      full_run_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
    } else if (WIFSIGNALED(status)) {
      killed_mid_write++;
    }
    std::istringstream lines(testing::ReadFileOrDie(out));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.size() < 66) continue;  // a line cut by the kill is not an acknowledgement
      acknowledged[line.substr(0, 64)] = line.substr(66);
    }
    auto verify = RunStore(store, {"verify"});
    ASSERT_EQ(verify.exit_code, 0) << "round " << round << ": " << verify.out << verify.err;
  }
  EXPECT_GE(killed_mid_write, (kRounds - 1) / 2) << "the kills should mostly land while writing";
  ASSERT_GT(acknowledged.size(), static_cast<size_t>(kFilesPerRound));
  // Read everything back through the library: one process, the same code as get.
  auto config = store::ObjectStore::LoadConfig(store);
  ASSERT_OK(config);
  auto reader = store::ObjectStore::Open(store, *config, store::OpenOptions{});
  ASSERT_TRUE(reader) << reader.error().ToString();
  for (const auto& [id, file] : acknowledged) {
    auto got = (*reader)->Get(*core::ObjectId::Parse(id));
    ASSERT_TRUE(got) << id << ": " << got.error().ToString();
    ASSERT_EQ(**got, content[file]) << id;
  }
  std::printf(
      "[ info ] %d of %d writers killed mid-write (a full run takes %.0f ms); "
      "%zu acknowledged objects all intact\n",
      killed_mid_write, kRounds - 1, full_run_ms, acknowledged.size());
}

// A release of `n` records over 5 taxa; `release` edits every 5th record.
std::string Release(int n, int release) {
  testing::ReleaseSpec spec;
  spec.records = n;
  return testing::ProteinRelease(spec, release);
}

// A store of three releases ingested whole, in 1 MiB packs.
void ThreeReleases(const testing::TempDir& dir, const std::string& base,
                   std::map<std::string, std::string>* releases) {
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", base}).exit_code, 0);
  testing::WriteFile(base + "/storage.toml", "[storage]\nmax_pack_size_mb = 1\n");
  for (int v = 1; v <= 3; v++) {
    (*releases)[std::to_string(v)] = Release(30000, v);
    testing::WriteFile(dir / "db.fasta", (*releases)[std::to_string(v)]);
    auto r =
        RunStore(base, {"ingest", dir / "db.fasta", "--db", "db", "--version", std::to_string(v),
                        "--no-delta", "--min-chunk-kb", "16", "--max-chunk-kb", "64"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
}

TEST(KillTest, SigkillDuringGcLeavesAStoreThatVerifiesAndAGcThatFinishes) {
  testing::TempDir dir;
  const std::string base = dir / "base";
  std::map<std::string, std::string> releases;
  ASSERT_NO_FATAL_FAILURE(ThreeReleases(dir, base, &releases));
  ASSERT_EQ(RunStore(base, {"db", "rm", "db", "1"}).exit_code, 0);
  // How long an uninterrupted gc takes, to spread the kills over it.
  const std::string probe = dir / "probe";
  ASSERT_EQ(testing::Run({"/bin/cp", "-a", base, probe}).exit_code, 0);
  auto start = std::chrono::steady_clock::now();
  auto whole = RunStore(probe, {"gc"});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto gc_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  std::mt19937_64 rng(99);
  for (int round = 0; round < 6; round++) {
    const std::string store = dir / ("s" + std::to_string(round));
    ASSERT_EQ(testing::Run({"/bin/cp", "-a", base, store}).exit_code, 0);
    pid_t pid = testing::Spawn({testing::StoreBinary(), "--store", store, "gc"});
    testing::KillAfter(pid, static_cast<int64_t>(rng() % (gc_us + 1)));
    auto verify = RunStore(store, {"verify"});
    EXPECT_EQ(verify.exit_code, 0) << "round " << round << ": " << verify.out << verify.err;
    for (const char* v : {"2", "3"}) {
      auto out = RunStore(store, {"db", "export", std::string("db/") + v});
      EXPECT_EQ(out.exit_code, 0) << out.err;
      EXPECT_TRUE(out.out == releases[v]) << "round " << round << ": db/" << v << " differs";
    }
    // Running it again finishes the job.
    auto again = RunStore(store, {"gc", "--json"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0);
    // ... to the same objects an uninterrupted gc kept.
    auto stats = RunStore(store, {"stats", "--json"});
    auto reference = RunStore(probe, {"stats", "--json"});
    ASSERT_EQ(stats.exit_code, 0);
    ASSERT_EQ(reference.exit_code, 0);
    EXPECT_EQ(nlohmann::json::parse(stats.out)["objects"],
              nlohmann::json::parse(reference.out)["objects"])
        << "round " << round;
  }
}

TEST(KillTest, SigkillDuringOptimizeLeavesAStoreThatVerifiesAndARunThatFinishes) {
  testing::TempDir dir;
  const std::string base = dir / "base";
  std::map<std::string, std::string> releases;
  ASSERT_NO_FATAL_FAILURE(ThreeReleases(dir, base, &releases));
  const std::vector<std::string> optimize = {"optimize", "--strategies", "all", "--json"};
  const std::string probe = dir / "probe";
  ASSERT_EQ(testing::Run({"/bin/cp", "-a", base, probe}).exit_code, 0);
  auto start = std::chrono::steady_clock::now();
  auto whole = RunStore(probe, optimize);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto run_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  std::mt19937_64 rng(7);
  for (int round = 0; round < 5; round++) {
    const std::string store = dir / ("o" + std::to_string(round));
    ASSERT_EQ(testing::Run({"/bin/cp", "-a", base, store}).exit_code, 0);
    std::vector<std::string> argv = {testing::StoreBinary(), "--store", store};
    argv.insert(argv.end(), optimize.begin(), optimize.end());
    pid_t pid = testing::Spawn(argv);
    testing::KillAfter(pid, static_cast<int64_t>(rng() % (run_us + 1)));
    auto verify = RunStore(store, {"verify"});
    EXPECT_EQ(verify.exit_code, 0) << "round " << round << ": " << verify.out << verify.err;
    for (const auto& [v, text] : releases) {
      auto out = RunStore(store, {"db", "export", "db/" + v});
      EXPECT_TRUE(out.exit_code == 0 && out.out == text) << "round " << round << ": db/" << v;
    }
    // Running it again finishes the job: afterwards nothing is left to do.
    auto again = RunStore(store, optimize);
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    auto dry = RunStore(store, {"optimize", "--strategies", "all", "--dry-run", "--json"});
    ASSERT_EQ(dry.exit_code, 0) << dry.err;
    for (const auto& st : nlohmann::json::parse(dry.out)["strategies"]) {
      EXPECT_EQ(st["changed"].get<uint64_t>(), 0u) << "round " << round << ": " << st.dump();
    }
    EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0);
  }
}

TEST(KillTest, SigkillDuringReduceThenRerunResumesToTheSameProfile) {
  testing::TempDir dir;
  const std::string base = dir / "base";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", base}).exit_code, 0);
  testing::ReleaseSpec spec;
  spec.records = 40000;
  spec.line_width = 60;
  spec.family_size = 8;
  testing::WriteFile(dir / "db.fasta", testing::ProteinRelease(spec, 1));
  ASSERT_EQ(RunStore(base, {"ingest", dir / "db.fasta", "--db", "db", "--version", "1"}).exit_code,
            0);
  // In one window, and in windows of 2 MiB (stored one by one, references
  // carried forward): a kill may land between windows too.
  for (const char* window : {"1G", "2M"}) {
    const std::vector<std::string> reduce = {"reduce", "--db",       "db",   "--profile",
                                             "p",      "--identity", "0.85", "--window-size",
                                             window,   "--json"};
    const std::string probe = dir / (std::string("probe") + window);
    ASSERT_EQ(testing::Run({"/bin/cp", "-a", base, probe}).exit_code, 0);
    auto start = std::chrono::steady_clock::now();
    auto whole = RunStore(probe, reduce);
    ASSERT_EQ(whole.exit_code, 0) << whole.err;
    const auto run_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
    const std::string manifest = nlohmann::json::parse(whole.out)["manifest"];
    std::mt19937_64 rng(3);
    uint64_t resumed = 0;
    for (int round = 0; round < 3; round++) {
      const std::string store = dir / ("r" + std::to_string(round) + window);
      ASSERT_EQ(testing::Run({"/bin/cp", "-a", base, store}).exit_code, 0);
      std::vector<std::string> argv = {testing::StoreBinary(), "--store", store};
      argv.insert(argv.end(), reduce.begin(), reduce.end());
      pid_t pid = testing::Spawn(argv);
      // Somewhere in the middle of the work.
      testing::KillAfter(pid, run_us * 4 / 10 + static_cast<int64_t>(rng() % (run_us / 3)));
      EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0) << window << " round " << round;
      auto again = RunStore(store, reduce);
      ASSERT_EQ(again.exit_code, 0) << again.err;
      auto r = nlohmann::json::parse(again.out);
      resumed += r["resumed"].get<uint64_t>();
      // The same profile an uninterrupted run makes.
      EXPECT_EQ(r["manifest"], manifest) << window << " round " << round;
      EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0);
      if (std::string(window) == "2M") {
        EXPECT_GT(r["windows"].get<uint64_t>(), 2u);
      }
    }
    EXPECT_GT(resumed, 0u) << window << ": no rerun picked up saved progress";
  }
}

}  // namespace
}  // namespace talaria
