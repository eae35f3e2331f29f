#include <gtest/gtest.h>

#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest.h"
#include "store/maintenance/store_stats.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

class StoreStatsTest : public testing::StoreTest {
 protected:
  void Ingest(const std::string& version, const std::string& fasta) {
    testing::WriteFile(dir_ / ("v" + version + ".fasta"), fasta);
    IngestOptions o;
    o.database = "db";
    o.version = version;
    o.files = {dir_ / ("v" + version + ".fasta")};
    auto r = IngestDatabase(*store_, o);
    ASSERT_TRUE(r) << r.error().ToString();
  }
};

TEST_F(StoreStatsTest, DedupRatioCountsChunksSharedBetweenVersions) {
  std::string fasta;
  for (int i = 0; i < 3000; i++) {
    fasta += ">p" + std::to_string(i) + " OX=" + std::to_string(10 + i % 3) + "\n" +
             std::string(100 + i % 50, "ACDEFGHIKL"[i % 10]) + "\n";
  }
  Ingest("1", fasta);
  auto one = ComputeStats(*store_);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->versions, 1u);
  EXPECT_EQ(one->referenced_chunk_bytes, fasta.size());
  EXPECT_EQ(one->chunk_bytes, fasta.size());
  EXPECT_DOUBLE_EQ(one->dedup_ratio(), 1.0);
  // The same records again as version 2: every chunk is shared.
  Ingest("2", fasta);
  auto two = ComputeStats(*store_);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->versions, 2u);
  EXPECT_EQ(two->chunks, one->chunks);
  EXPECT_EQ(two->referenced_chunk_bytes, 2 * fasta.size());
  EXPECT_DOUBLE_EQ(two->dedup_ratio(), 2.0);
}

}  // namespace
}  // namespace talaria::store
