// Maintenance under a live mount: readers that compare every byte they read
// while versions are removed and gc repacks the store underneath them.

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
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
  testing::ReleaseSpec spec;
  spec.records = n;
  spec.taxa = 6;
  spec.first_taxon = 500;
  spec.min_length = 200;
  spec.length_spread = 97;
  spec.edit_every = 7;
  spec.line_width = 60;
  spec.seed = 42;
  spec.id_prefix = "sp|Q";
  spec.id_suffix = "| protein";
  return testing::ProteinRelease(spec, release);
}

TEST(MountLive, ReadersSeeNoErrorWhileVersionsGoGcRepacksAndOptimizeRewrites) {
  testing::TempDir dir;
  const std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  // Small packs, so that gc finds packs partly live and moves objects that
  // readers are reading.
  testing::WriteFile(store + "/storage.toml", "[storage]\nmax_pack_size_mb = 1\n");
  const std::string v1 = Release(20000, 1), v2 = Release(20000, 2), v3 = Release(20000, 3);
  testing::WriteFile(dir / "db.fasta", v1);
  ASSERT_EQ(RunStore(store, {"ingest", dir / "db.fasta", "--db", "db", "--version", "1",
                             "--no-delta", "--min-chunk-kb", "16", "--max-chunk-kb", "64"})
                .exit_code,
            0);
  for (const auto& [v, text] : {std::pair{"2", &v2}, std::pair{"3", &v3}}) {
    testing::WriteFile(dir / "db.fasta", *text);
    ASSERT_EQ(RunStore(store, {"ingest", dir / "db.fasta", "--db", "db", "--version", v,
                               "--no-delta", "--min-chunk-kb", "16", "--max-chunk-kb", "64"})
                  .exit_code,
              0);
  }
  // A tiny object cache: reads keep going back to the packs.
  testing::Mount mnt(store, dir / "mnt", {"-o", "cache_mb=1"});
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  // Version 2 becomes deltas of version 3 (DeltaEncoding) and is
  // recompressed (Archival) while it is read.
  const std::string files[] = {mnt / "databases/db/2/db.fasta", mnt / "databases/db/3/db.fasta"};
  const std::string* texts[] = {&v2, &v3};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0}, wrong{0}, failed{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; t++) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::string got;
      while (!stop) {
        const size_t which = rng() % 2;
        const std::string& text = *texts[which];
        const uint64_t off = rng() % text.size();
        const size_t len = 1 + rng() % 300'000;
        // The page cache dropped first: every read reaches the daemon.
        if (testing::ReadRange(files[which], off, len, POSIX_FADV_DONTNEED, &got) != 0) {
          failed++;
        } else if (got != text.substr(off, len)) {
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
  auto optimize = RunStore(store, {"optimize", "--strategies", "all", "--json"});
  EXPECT_EQ(optimize.exit_code, 0) << optimize.out << optimize.err;
  auto optimized = nlohmann::json::parse(optimize.out);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto gc2 = RunStore(store, {"gc", "--json"});
  EXPECT_EQ(gc2.exit_code, 0) << gc2.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& r : readers) r.join();
  std::cout << "gc: " << result.dump() << "\noptimize: " << optimized.dump() << "\n"
            << reads << " reads during rm + gc + optimize + gc\n";
  EXPECT_GT(optimized.value("bytes_saved", 0), 0) << optimize.out;
  EXPECT_LT(optimized.value("pack_bytes_after", 0), optimized.value("pack_bytes_before", 0));
  EXPECT_GT(result.value("objects_removed", 0), 0) << gc.out;
  EXPECT_GT(result.value("packs_repacked", 0), 0) << gc.out;
  EXPECT_GT(result.value("bytes_rewritten", 0), 0) << gc.out;
  EXPECT_GT(reads.load(), 100u);
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_EQ(failed.load(), 0u);
  EXPECT_TRUE(testing::IsMounted(mnt.path()));
  EXPECT_EQ(testing::ReadFileOrDie(files[0]), v2);
  EXPECT_EQ(testing::ReadFileOrDie(files[1]), v3);
  auto verify = RunStore(store, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST(MountLive, ReadsAreCountedAndTheWarmListIsPreloadedAtTheNextMount) {
  testing::TempDir dir;
  const std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  const std::string v1 = Release(4000, 1);
  testing::WriteFile(dir / "db.fasta", v1);
  ASSERT_EQ(RunStore(store, {"ingest", dir / "db.fasta", "--db", "db", "--version", "1",
                             "--min-chunk-kb", "16", "--max-chunk-kb", "64"})
                .exit_code,
            0);
  {
    testing::Mount mnt(store, dir / "mnt");
    ASSERT_TRUE(mnt.ok()) << mnt.error();
    EXPECT_EQ(testing::ReadFileOrDie(mnt / "databases/db/1/db.fasta"), v1);
  }  // unmounted: the daemon writes what it counted
  ASSERT_TRUE(std::filesystem::exists(store + "/access"));
  EXPECT_FALSE(std::filesystem::is_empty(store + "/access"));
  auto caching = RunStore(store, {"optimize", "--strategies", "Caching", "--json"});
  ASSERT_EQ(caching.exit_code, 0) << caching.err;
  auto c = nlohmann::json::parse(caching.out);
  EXPECT_GT(c["access_reads_folded"].get<uint64_t>(), 0u);
  const uint64_t warm = c["strategies"][0]["changed"].get<uint64_t>();
  EXPECT_GT(warm, 0u);
  ASSERT_TRUE(std::filesystem::exists(store + "/warm.list"));
  // analyze now sees hot chunks.
  auto analyzed = nlohmann::json::parse(RunStore(store, {"analyze", "--json"}).out);
  EXPECT_EQ(analyzed["access"]["chunks_accessed"].get<uint64_t>(), warm);

  testing::Mount mnt(store, dir / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  // Before any read of a database file, the cache fills from the warm list.
  uint64_t entries = 0;
  for (int i = 0; i < 100 && entries < warm; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto stats = nlohmann::json::parse(testing::ReadFileOrDie(mnt / ".talaria/stats.json"));
    entries = stats["cache"]["entries"].get<uint64_t>();
  }
  EXPECT_GE(entries, warm);
}

}  // namespace
}  // namespace talaria
