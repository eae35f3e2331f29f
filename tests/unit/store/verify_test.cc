#include <random>
#include <set>

#include <gtest/gtest.h>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest.h"
#include "store/maintenance/verify.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

class VerifyTest : public testing::StoreTest {
 protected:
  // A database version of `n` records over 5 taxa, in small chunks.
  DatabaseManifest IngestDatabase(int n) {
    static const char kAlphabet[] = "ACDEFGHIKLMNPQRSTVWY";
    std::mt19937_64 rng(n);
    std::string fasta;
    for (int i = 0; i < n; i++) {
      fasta += ">r" + std::to_string(i) + " OX=" + std::to_string(100 + i % 5) + "\n";
      for (int k = 0; k < 120; k++) fasta += kAlphabet[rng() % 20];
      fasta += "\n";
    }
    testing::WriteFile(dir_ / "db.fasta", fasta);
    IngestOptions o;
    o.database = "db";
    o.version = "1";
    o.files = {dir_ / "db.fasta"};
    o.chunking.min_chunk_bytes = 1024;
    o.chunking.max_chunk_bytes = 4096;
    o.chunking.target_chunk_bytes = 2048;
    auto r = store::IngestDatabase(*store_, o);
    EXPECT_TRUE(r) << r.error().ToString();
    auto v = testing::Value(ResolveDatabase(*store_, "db"));
    return testing::Value(LoadManifest(*store_, v.manifest));
  }
};

TEST_F(VerifyTest, ChecksEveryReferenceOfEveryVersion) {
  DatabaseManifest m = IngestDatabase(400);
  auto report = VerifyStore(*store_, VerifyOptions{2, {}});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  // manifest + its pages (layout, chunk rows, taxon directory) + a chunk and
  // a record index per chunk (+ delta bases: none)
  ASSERT_EQ(m.sources.size(), 1u);
  EXPECT_FALSE(m.chunk_pages.empty());
  EXPECT_FALSE(m.taxon_pages.empty());
  EXPECT_EQ(report->references_checked, 1 + m.sources[0].layout.size() + m.chunk_pages.size() +
                                            m.taxon_pages.size() + 2 * m.chunks.size());
  EXPECT_EQ(report->objects_checked, report->objects_total);
}

// A manifest whose pages decode but disagree: its taxon directory gives a
// taxon the wrong size, or a layout page starts a stream where the pages
// before it did not leave it. Readers trust both, so verify checks them.
TEST_F(VerifyTest, PagesThatDisagreeWithTheChunkRowsAreReported) {
  DatabaseManifest m = IngestDatabase(400);
  const index::DatabaseVersion v = testing::Value(ResolveDatabase(*store_, "db"));
  auto publish = [&](const DatabaseManifest& bad) {
    PutOptions o;
    o.kind = ObjectKind::kManifest;
    const core::ObjectId root = testing::Value(store_->Put(EncodeManifest(bad), o));
    index::DatabaseVersion w = v;
    w.manifest = root;
    ASSERT_TRUE(store_->index().Update(
        [&](index::WriteTxn& txn) { return store_->index().databases().Put(txn, w); }));
  };
  auto invalid = [&]() {
    auto report = VerifyStore(*store_, VerifyOptions{2, {}});
    EXPECT_TRUE(report);
    std::string details;
    for (const auto& e : report->errors) {
      if (e.kind == VerifyErrorKind::kInvalidFormat) details += e.detail + "\n";
    }
    return details;
  };
  {
    std::vector<TaxonEntry> dir = testing::Value(LoadTaxonDirectory(*store_, m));
    dir[0].bytes += 1;
    DatabaseManifest bad = m;
    PutOptions o;
    o.kind = ObjectKind::kManifest;
    bad.taxon_pages = {{testing::Value(store_->Put(EncodeTaxonPage(dir, 0, dir.size()), o)),
                        dir[0].taxon, static_cast<uint32_t>(dir.size())}};
    publish(bad);
    EXPECT_NE(invalid().find("taxon directory does not match"), std::string::npos);
  }
  {
    std::vector<LayoutRun> runs = testing::Value(LoadLayout(*store_, m.sources[0]));
    ASSERT_GT(runs.size(), 10u);
    std::vector<LayoutPage> pages = SplitLayout(runs, {5, runs.size()});
    pages[1].starts[0].offset += 1;
    DatabaseManifest bad = m;
    bad.sources[0].layout.clear();
    PutOptions o;
    o.kind = ObjectKind::kManifest;
    for (const LayoutPage& p : pages) {
      uint64_t bytes = 0;
      for (const LayoutRun& r : p.runs) bytes += r.length;
      bad.sources[0].layout.push_back(
          {testing::Value(store_->Put(EncodeLayoutPage(p), o)), p.runs.size(), bytes});
    }
    publish(bad);
    EXPECT_NE(invalid().find("does not fit the pages before it"), std::string::npos);
  }
  publish(m);
  EXPECT_EQ(invalid(), "");
}

TEST_F(VerifyTest, AnObjectMissingFromTheIndexIsReportedWithWhoNeedsIt) {
  DatabaseManifest m = IngestDatabase(400);
  const ManifestChunk lost = m.chunks[m.chunks.size() / 2];
  ASSERT_TRUE(store_->index().Update(
      [&](index::WriteTxn& txn) { return store_->index().objects().Delete(txn, lost.fai); }));
  auto report = VerifyStore(*store_, VerifyOptions{2, {}});
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok());
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].id, lost.fai);
  EXPECT_EQ(report->errors[0].kind, VerifyErrorKind::kMissingReference);
  EXPECT_NE(report->errors[0].detail.find("db/1"), std::string::npos) << report->errors[0].detail;
  EXPECT_NE(report->errors[0].detail.find(lost.id.Hex()), std::string::npos);
}

TEST_F(VerifyTest, SampleReReadsTheSameFractionEveryTime) {
  IngestDatabase(6000);
  VerifyOptions o{2, {}};
  o.sample = 0.25;
  auto a = VerifyStore(*store_, o);
  auto b = VerifyStore(*store_, o);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->ok());
  EXPECT_EQ(a->objects_checked, b->objects_checked);
  EXPECT_EQ(a->raw_bytes_checked, b->raw_bytes_checked);
  const double fraction = static_cast<double>(a->objects_checked) / a->objects_total;
  EXPECT_GT(a->objects_total, 200u);
  EXPECT_GT(fraction, 0.15);
  EXPECT_LT(fraction, 0.35);
  o.sample = 1.0;
  EXPECT_EQ(VerifyStore(*store_, o)->objects_checked, a->objects_total);
}

}  // namespace
}  // namespace talaria::store
