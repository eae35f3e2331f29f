// Maintenance under a live mount: readers that compare every byte they read
// while versions are removed and gc repacks the store underneath them.

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/mount.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

using testing::RunStore;

// A release of `n` records over 6 taxa; `release` edits every 7th record.
std::string Release(int n, int release) {
  static const char kAlphabet[] = "ACDEFGHIKLMNPQRSTVWY";
  std::mt19937_64 rng(42);
  std::string out;
  for (int i = 0; i < n; i++) {
    out += ">sp|Q" + std::to_string(i) + "| protein OX=" + std::to_string(500 + i % 6) + "\n";
    std::string seq;
    for (int k = 0; k < 200 + i % 97; k++) seq += kAlphabet[rng() % 20];
    if (i % 7 == 0) seq[release % seq.size()] = 'W';
    for (size_t k = 0; k < seq.size(); k += 60) out += seq.substr(k, 60) + "\n";
  }
  return out;
}

TEST(MountLive, ReadersSeeNoErrorWhileVersionsGoAndGcRepacks) {
  testing::TempDir dir;
  const std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  // Small packs, so that gc finds packs partly live and moves objects that
  // readers are reading.
  testing::WriteFile(store + "/storage.toml", "[storage]\nmax_pack_size_mb = 1\n");
  const std::string v1 = Release(20000, 1), v2 = Release(20000, 2);
  testing::WriteFile(dir / "db.fasta", v1);
  ASSERT_EQ(RunStore(store, {"ingest", dir / "db.fasta", "--db", "db", "--version", "1",
                             "--no-delta", "--min-chunk-kb", "16", "--max-chunk-kb", "64"})
                .exit_code,
            0);
  testing::WriteFile(dir / "db.fasta", v2);
  ASSERT_EQ(RunStore(store, {"ingest", dir / "db.fasta", "--db", "db", "--version", "2",
                             "--no-delta", "--min-chunk-kb", "16", "--max-chunk-kb", "64"})
                .exit_code,
            0);
  // A tiny object cache: reads keep going back to the packs.
  testing::Mount mnt(store, dir / "mnt", {"-o", "cache_mb=1"});
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  const std::string file = mnt / "databases/db/2/db.fasta";
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0}, wrong{0}, failed{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; t++) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::string got;
      while (!stop) {
        const uint64_t off = rng() % v2.size();
        const size_t len = 1 + rng() % 300'000;
        // The page cache dropped first: every read reaches the daemon.
        if (testing::ReadRange(file, off, len, POSIX_FADV_DONTNEED, &got) != 0) {
          failed++;
        } else if (got != v2.substr(off, len)) {
          wrong++;
        }
        reads++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto rm = RunStore(store, {"db", "rm", "db", "1"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  auto gc = RunStore(store, {"gc", "--json"});
  EXPECT_EQ(gc.exit_code, 0) << gc.err;
  auto result = nlohmann::json::parse(gc.out);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto gc2 = RunStore(store, {"gc", "--json"});
  EXPECT_EQ(gc2.exit_code, 0) << gc2.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& r : readers) r.join();
  std::cout << "gc: " << result.dump() << "\n" << reads << " reads during rm + gc\n";
  EXPECT_GT(result.value("objects_removed", 0), 0) << gc.out;
  EXPECT_GT(result.value("packs_repacked", 0), 0) << gc.out;
  EXPECT_GT(result.value("bytes_rewritten", 0), 0) << gc.out;
  EXPECT_GT(reads.load(), 100u);
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_EQ(failed.load(), 0u);
  EXPECT_TRUE(testing::IsMounted(mnt.path()));
  EXPECT_EQ(testing::ReadFileOrDie(file), v2);
  auto verify = RunStore(store, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

}  // namespace
}  // namespace talaria
