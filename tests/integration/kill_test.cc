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

#include "store/object_store.h"
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

}  // namespace
}  // namespace talaria
