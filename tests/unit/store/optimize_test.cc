#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest.h"
#include "store/maintenance/analyze.h"
#include "store/maintenance/optimize.h"
#include "store/maintenance/store_stats.h"
#include "store/maintenance/verify.h"
#include "store/maintenance/warm_list.h"
#include "store/object/access_log.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using Mode = OptimizeOptions::Mode;

// Two releases of one database, ingested whole (no deltas), in packs small
// enough that there are several.
class OptimizeTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    config_.max_pack_bytes = 2 << 20;
    StoreTest::SetUp();
    testing::ReleaseSpec spec;
    spec.records = 12000;
    spec.taxa = 8;
    spec.line_width = 60;
    spec.family_size = 8;
    for (int v = 1; v <= 2; v++) {
      releases_[v] = testing::ProteinRelease(spec, v);
      const std::string path = dir_ / ("r" + std::to_string(v) + ".fasta");
      testing::WriteFile(path, releases_[v]);
      IngestOptions o;
      o.database = "db";
      o.version = std::to_string(v);
      o.files = {path};
      o.delta_against_previous = false;
      o.chunking.min_chunk_bytes = 16 << 10;
      o.chunking.max_chunk_bytes = 64 << 10;
      auto r = IngestDatabase(*store_, o);
      ASSERT_TRUE(r) << r.error().ToString();
    }
  }

  core::Result<OptimizeReport> Run(Strategy s, Mode mode, size_t sample = 48) {
    OptimizeOptions o;
    o.mode = mode;
    o.strategies = {s};
    o.estimate_sample = sample;
    return Optimize(*store_, o);
  }

  // Estimate, dry run and run of one strategy: the dry run is exact, the
  // estimate within 10 %.
  StrategyResult CheckHonest(Strategy s) {
    auto est = Run(s, Mode::kEstimate, /*sample=*/96);
    auto dry = Run(s, Mode::kDryRun);
    auto run = Run(s, Mode::kRun);
    EXPECT_TRUE(est && dry && run);
    if (!est || !dry || !run) return {};
    const uint64_t actual = run->results[0].bytes_saved;
    // Exact, but for the header of each fresh pack the writer may start.
    EXPECT_NEAR(static_cast<double>(dry->results[0].bytes_saved), static_cast<double>(actual),
                16.0 * static_cast<double>(run->results[0].changed + 1))
        << StrategyName(s);
    EXPECT_LE(
        std::abs(static_cast<double>(est->results[0].bytes_saved) - static_cast<double>(actual)),
        0.1 * static_cast<double>(actual))
        << StrategyName(s) << ": estimate " << est->results[0].bytes_saved << ", actual " << actual;
    EXPECT_TRUE(run->verify_problems.empty());
    return run->results[0];
  }

  void ExpectDatabasesIntact() {
    for (int v = 1; v <= 2; v++) {
      auto dv = ResolveDatabase(store(), "db/" + std::to_string(v));
      if (!dv) continue;  // removed by the test
      auto m = LoadManifest(store(), dv->manifest);
      ASSERT_TRUE(m);
      std::string out;
      ASSERT_TRUE(ExportSource(store(), *m, m->sources[0], [&](std::string_view piece) {
        out.append(piece);
        return core::OkStatus();
      }));
      EXPECT_TRUE(out == releases_[v]) << "db/" << v << " differs";
    }
    auto v = VerifyStore(store(), VerifyOptions{2, {}});
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->ok());
  }

  std::map<int, std::string> releases_;
};

TEST_F(OptimizeTest, DeltaEncodingSavesWhatItEstimatesAndKeepsEveryByte) {
  auto before = ComputeStats(*store_);
  ASSERT_OK(before);
  const StrategyResult delta = CheckHonest(Strategy::kDeltaEncoding);
  EXPECT_GT(delta.changed, 0u);
  // Two releases, one record in five edited: the older chunks shrink to a
  // fraction as deltas of the newer.
  EXPECT_GT(delta.bytes_saved, before->stored_bytes / 4);
  EXPECT_GT(ComputeStats(*store_)->delta_objects, 0u);
  ExpectDatabasesIntact();
}

TEST_F(OptimizeTest, ArchivalSavesWhatItEstimates) {
  const StrategyResult archival = CheckHonest(Strategy::kArchival);
  EXPECT_GT(archival.changed, 0u);
  ExpectDatabasesIntact();
}

TEST_F(OptimizeTest, CompressionThenDeduplicationGiveBackWhatTheyEstimate) {
  auto before = ComputeStats(*store_);
  ASSERT_OK(before);
  const StrategyResult compression = CheckHonest(Strategy::kCompression);
  EXPECT_GT(compression.changed, 0u);
  // The superseded copies are still in the packs, until Deduplication;
  // analyze finds them.
  EXPECT_GE(ComputeStats(*store_)->pack_bytes, before->pack_bytes);
  auto analyzed = Analyze(*store_, AnalyzeOptions{});
  ASSERT_TRUE(analyzed);
  EXPECT_EQ(analyzed->duplicate_objects, compression.changed);
  const StrategyResult dedup = CheckHonest(Strategy::kDeduplication);
  EXPECT_GT(dedup.changed, 0u);
  auto after = ComputeStats(*store_);
  ASSERT_OK(after);
  EXPECT_EQ(after->garbage_bytes, 0u);
  EXPECT_EQ(Analyze(*store_, AnalyzeOptions{})->duplicate_objects, 0u);
  // What the pack files lost is what the rewrites saved (within the header
  // of a fresh pack).
  EXPECT_NEAR(static_cast<double>(before->pack_bytes - after->pack_bytes),
              static_cast<double>(compression.bytes_saved), 64.0);
  ExpectDatabasesIntact();
  Reopen(false);
  ExpectDatabasesIntact();
}

TEST_F(OptimizeTest, ASecondRunFindsNothingLeftToDo) {
  OptimizeOptions o;
  o.strategies.assign(std::begin(kAllStrategies), std::end(kAllStrategies));
  auto first = Optimize(*store_, o);
  ASSERT_TRUE(first) << first.error().ToString();

  EXPECT_GT(first->bytes_saved(), 0u);
  // Mostly DeltaEncoding: the older release shrinks to deltas of the newer.
  EXPECT_LT(first->pack_bytes_after, first->pack_bytes_before * 6 / 10);
  EXPECT_TRUE(first->verify_problems.empty());
  EXPECT_GT(first->verified_objects, 0u);
  auto second = Optimize(*store_, o);
  ASSERT_TRUE(second);

  EXPECT_EQ(second->bytes_saved(), 0u);
  for (const auto& r : second->results) {
    EXPECT_EQ(r.changed, 0u) << StrategyName(r.strategy) << ": " << r.detail;
  }
  ExpectDatabasesIntact();
}

TEST_F(OptimizeTest, GarbageCollectionAndRepackingGiveBackWhatTheyEstimate) {
  ASSERT_TRUE(RemoveDatabaseVersion(*store_, "db", "1"));
  const StrategyResult gc = CheckHonest(Strategy::kGarbageCollection);
  EXPECT_GT(gc.changed, 0u);
  EXPECT_GT(gc.bytes_saved, 0u);
  // Leave dead bytes behind (a rewrite), then repack them away.
  ASSERT_TRUE(Run(Strategy::kCompression, Mode::kRun));
  const StrategyResult repack = CheckHonest(Strategy::kRepacking);
  EXPECT_GT(repack.changed, 0u);
  auto stats = ComputeStats(*store_);
  ASSERT_OK(stats);
  EXPECT_EQ(stats->garbage_bytes, 0u);
  ExpectDatabasesIntact();
}

TEST_F(OptimizeTest, TargetSavingsStopsEarly) {
  OptimizeOptions o;
  o.strategies = {Strategy::kDeltaEncoding, Strategy::kCompression};
  o.target_savings = 64 << 10;
  auto r = Optimize(*store_, o);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->target_reached);
  ASSERT_EQ(r->results.size(), 2u);
  EXPECT_GE(r->results[0].bytes_saved, 64u << 10);
  EXPECT_TRUE(r->results[1].skipped);
  // Far less than everything DeltaEncoding could do.
  auto rest = Run(Strategy::kDeltaEncoding, Mode::kDryRun);
  ASSERT_OK(rest);
  EXPECT_GT(rest->results[0].bytes_saved, 0u);
  ExpectDatabasesIntact();
}

TEST_F(OptimizeTest, CachingWritesTheMostReadChunksFromTalariafsCounts) {
  auto dv = ResolveDatabase(*store_, "db/2");
  ASSERT_OK(dv);
  auto m = LoadManifest(*store_, dv->manifest);
  ASSERT_OK(m);
  ASSERT_TRUE(m && m->chunks.size() > 3);
  const core::ObjectId hot = m->chunks[1].id, warm = m->chunks[2].id;
  // What a daemon does: count reads, write them to the access directory.
  AccessRecorder recorder(store_->paths());
  store_->RecordAccessIn(&recorder);
  for (int i = 0; i < 5; i++) ASSERT_TRUE(store_->Get(hot));
  for (int i = 0; i < 2; i++) ASSERT_TRUE(store_->Get(warm));
  store_->RecordAccessIn(nullptr);
  ASSERT_TRUE(recorder.Flush());
  auto pending = PendingAccess(store_->paths());
  ASSERT_TRUE(pending);
  EXPECT_EQ((*pending)[hot], 5u);

  // A dry run neither folds the counts nor writes the list.
  auto dry = Run(Strategy::kCaching, Mode::kDryRun);
  ASSERT_TRUE(dry);
  EXPECT_EQ(dry->results[0].changed, 2u);
  EXPECT_TRUE(ReadWarmList(store_->paths())->empty());

  auto run = Run(Strategy::kCaching, Mode::kRun);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->access_reads_folded, 7u);
  EXPECT_TRUE(PendingAccess(store_->paths())->empty());
  auto list = ReadWarmList(store_->paths());
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (std::vector<core::ObjectId>{hot, warm}));
  // Folded into the index, where Compression sees them as hot.
  auto txn = store_->index().BeginRead();
  ASSERT_OK(txn);
  EXPECT_EQ((*store_->index().chunks().Get(*txn, hot))->access_count, 5u);
}

}  // namespace
}  // namespace talaria::store
