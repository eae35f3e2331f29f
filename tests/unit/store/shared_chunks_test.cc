// Small taxa sharing chunks and records of several taxa (NCBI nr), through
// the store's own API: exact per-taxon records, byte-for-byte export, local
// updates, the taxon index, and the shared stream's taxonomic order.

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "index/index.h"
#include "store/catalog/catalog_view.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest.h"
#include "store/catalog/taxonomy_loader.h"
#include "store/catalog/taxonomy_stats.h"
#include "store/maintenance/verify.h"
#include "store/reduce/reduction.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using core::ObjectId;

// `taxa` small taxa of 1-3 records each (taxids 1000...) and two large
// ones (1 and 2), interleaved; UniProt-style headers with OX=.
std::string MakeManyTaxa(int taxa, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out;
  int n = 0;
  auto add = [&](uint32_t taxon) {
    out += ">sp|Q" + std::to_string(n) + "|R" + std::to_string(n) + "_X Protein " +
           std::to_string(n) + " OS=Some species OX=" + std::to_string(taxon) + " SV=1\n";
    n++;
    std::string seq(60 + rng() % 500, 'A');
    for (char& c : seq) c = "ACDEFGHIKLMNPQRSTVWY"[rng() % 20];
    for (size_t k = 0; k < seq.size(); k += 60) out += seq.substr(k, 60) + "\n";
  };
  for (int t = 0; t < taxa; ++t) {
    const int records = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < records; ++k) add(1000 + static_cast<uint32_t>((t * 7 + k * 3) % taxa));
    add(1 + static_cast<uint32_t>(rng() % 2));
  }
  return out;
}

std::vector<std::string> Records(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view r : SplitRecords(text)) out.emplace_back(r);
  std::sort(out.begin(), out.end());
  return out;
}

class SharedChunksTest : public testing::StoreTest {
 protected:
  core::Result<IngestResult> Ingest(const std::string& version, const std::string& text,
                                    std::vector<std::string> taxmap = {}) {
    const std::string path = dir_ / ("in-" + version + ".fasta");
    testing::WriteFile(path, text);
    IngestOptions o;
    o.database = "db";
    o.version = version;
    o.files = {path};
    o.taxmap_files = std::move(taxmap);
    return IngestDatabase(*store_, o);
  }

  DatabaseManifest Manifest(const std::string& version) {
    auto v = ResolveDatabase(*store_, "db/" + version);
    EXPECT_TRUE(v);
    auto m = LoadManifest(*store_, v->manifest);
    EXPECT_TRUE(m);
    return *m;
  }

  std::string Export(const DatabaseManifest& m) {
    std::string out;
    EXPECT_OK(ExportSource(*store_, m, m.sources[0], [&](std::string_view p) {
      out.append(p);
      return core::OkStatus();
    }));
    return out;
  }

  // What by-taxon/<taxon>/ serves: the taxon's ranges of the chunks.
  std::map<uint32_t, std::vector<std::string>> ServedByTaxon(const DatabaseManifest& m) {
    std::map<uint32_t, std::vector<std::string>> out;
    for (const auto& [taxon, ranges] : TaxonRanges(m)) {
      std::string text;
      for (const ChunkRange& r : ranges) {
        auto bytes = store_->Get(m.chunks[r.chunk].id);
        EXPECT_TRUE(bytes);
        text.append(**bytes, r.offset, r.length);
      }
      out[taxon] = Records(text);
    }
    return out;
  }
};

TEST_F(SharedChunksTest, ManySmallTaxaShareChunksAndEachTaxonGetsExactlyItsRecords) {
  const std::string source = MakeManyTaxa(2000, 1);
  auto r = Ingest("1", source);
  ASSERT_TRUE(r) << r.error().ToString();
  const auto expected = testing::SortedRecordsByOx(source);
  EXPECT_EQ(r->taxa, expected.size());
  const DatabaseManifest m = Manifest("1");
  size_t shared = 0;
  for (const ManifestChunk& c : m.chunks) shared += c.taxon == kSharedStream;
  EXPECT_GT(shared, 0u);
  const double objects_per_taxon = 2.0 * m.chunks.size() / expected.size();  // chunk + index
  EXPECT_LE(objects_per_taxon, 0.5) << m.chunks.size() << " chunks for " << expected.size();
  EXPECT_EQ(Export(m), source);
  EXPECT_TRUE(ServedByTaxon(m) == expected);

  // The taxon index finds a small taxon's shared chunk, until its version goes.
  const CatalogView catalog(*store_);
  auto chunks = catalog.ChunksOfTaxon(1000);
  ASSERT_OK(chunks);
  ASSERT_EQ(chunks->size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto hits, catalog.QueryChunks(ChunkQuery{{1000, 1999}}));
  EXPECT_GE(hits.size(), 1u);
  for (const auto& h : hits) EXPECT_EQ(h.meta.taxon, kSharedStream);
  auto report = VerifyStore(*store_, VerifyOptions{});
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
  ASSERT_OK(RemoveDatabaseVersion(*store_, "db", "1"));
  ASSERT_OK_AND_ASSIGN(auto gone, catalog.ChunksOfTaxon(1000));
  EXPECT_TRUE(gone.empty());
}

TEST_F(SharedChunksTest, AnEditToASmallTaxonChangesOneOrTwoChunks) {
  const std::string v1 = MakeManyTaxa(3000, 2);
  ASSERT_TRUE(Ingest("1", v1));
  const DatabaseManifest m1 = Manifest("1");
  std::set<ObjectId> before;
  for (const ManifestChunk& c : m1.chunks) before.insert(c.id);
  // One residue of a record of small taxon 1777.
  std::string v2 = v1;
  const size_t at = v2.find('\n', v2.find(" OX=1777 ")) + 1;
  v2[at] = v2[at] == 'W' ? 'Y' : 'W';
  auto r2 = Ingest("2", v2);
  ASSERT_TRUE(r2) << r2.error().ToString();
  const DatabaseManifest m2 = Manifest("2");
  size_t fresh = 0;
  for (const ManifestChunk& c : m2.chunks) fresh += !before.count(c.id);
  EXPECT_GE(fresh, 1u);
  EXPECT_LE(fresh, 2u);
  EXPECT_EQ(r2->chunks_delta, fresh) << "stored as byte deltas of release 1's chunks";
  EXPECT_LT(r2->chunk_bytes_added, 4096u);
  EXPECT_EQ(Export(m2), v2);
}

TEST_F(SharedChunksTest, NrRecordsOfSeveralTaxaAreStoredOnceAndListedUnderEach) {
  // Identical sequences of human, chimpanzee and mouse under one record, as
  // NCBI nr joins them (SOH between the headers); accessions mapped by a table.
  const std::string source =
      ">WP_000001.1 hemoglobin [Homo sapiens]\x01XP_000002.1 hemoglobin [Pan troglodytes]"
      "\x01XP_000003.1 hemoglobin [Mus musculus]\nMVLSPADKTNVKAAWGKVGA\nHAGEYGAEAL\n"
      ">WP_000004.1 myoglobin [Homo sapiens]\nMGLSDGEWQLVLNVWGKVEAD\n"
      ">XP_000005.1 actin [Pan troglodytes]\x01WP_000006.1 actin [Homo sapiens]\nMDDDIAALVV\n"
      ">XP_000007.1 unmapped protein\nMKKLLPT\n";
  testing::WriteFile(dir_ / "nr.accession2taxid",
                     "accession\taccession.version\ttaxid\tgi\n"
                     "WP_000001\tWP_000001.1\t9606\t1\n"
                     "XP_000002\tXP_000002.1\t9598\t2\n"
                     "XP_000003\tXP_000003.1\t10090\t3\n"
                     "WP_000004\tWP_000004.1\t9606\t4\n"
                     "XP_000005\tXP_000005.1\t9598\t5\n"
                     "WP_000006\tWP_000006.1\t9606\t6\n");
  auto r = Ingest("1", source, {dir_ / "nr.accession2taxid"});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->records, 4u) << "stored once";
  EXPECT_EQ(r->taxmap_hits, 3u);
  const DatabaseManifest m = Manifest("1");
  EXPECT_EQ(Export(m), source);
  const std::vector<std::string> all = Records(source);  // sorted: WP_1, WP_4, XP_5, XP_7
  auto served = ServedByTaxon(m);
  EXPECT_EQ(served[9606], (std::vector<std::string>{all[0], all[1], all[2]}));
  EXPECT_EQ(served[9598], (std::vector<std::string>{all[0], all[2]}));
  EXPECT_EQ(served[10090], (std::vector<std::string>{all[0]}));
  EXPECT_EQ(served[0], (std::vector<std::string>{all[3]}));
  ASSERT_OK_AND_ASSIGN(TaxonomyStats stats, ComputeTaxonomyStats(*store_, std::string("db")));
  std::map<uint32_t, uint64_t> counts;
  for (const TaxonCount& t : stats.taxa) counts[t.taxon] = t.records;
  EXPECT_EQ(counts, (std::map<uint32_t, uint64_t>{{0, 1}, {9598, 2}, {9606, 3}, {10090, 1}}));
  EXPECT_EQ(stats.records, 4u);

  // Any other control byte in a header is still an error naming file and line.
  auto bad = Ingest("2", ">a ok\nMKV\n>b bad\x02header\nMKV\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), core::Code::kParse);
  EXPECT_NE(bad.error().message().find("in-2.fasta:3"), std::string::npos) << bad.error().message();
}

TEST_F(SharedChunksTest, WithATaxonomyTheSharedStreamKeepsGeneraTogether) {
  // Genus 10 holds species 5, 50, 500; genus 20 holds 6, 60, 600. By taxon
  // id the species would alternate between the genera.
  testing::WriteFile(
      dir_ / "nodes.dmp",
      "1\t|\t1\t|\tno rank\t|\n10\t|\t1\t|\tgenus\t|\n20\t|\t1\t|\tgenus\t|\n"
      "5\t|\t10\t|\tspecies\t|\n50\t|\t10\t|\tspecies\t|\n500\t|\t10\t|\tspecies\t|\n"
      "6\t|\t20\t|\tspecies\t|\n60\t|\t20\t|\tspecies\t|\n600\t|\t20\t|\tspecies\t|\n");
  testing::WriteFile(dir_ / "names.dmp", "1\t|\troot\t|\t\t|\tscientific name\t|\n");
  ASSERT_OK(LoadTaxonomy(*store_, dir_ / "nodes.dmp", dir_ / "names.dmp"));
  std::string source;
  for (int i = 0; i < 6; i++) {
    for (uint32_t taxon : {600u, 5u, 60u, 500u, 6u, 50u}) {
      source += ">r" + std::to_string(taxon) + "_" + std::to_string(i) +
                " OX=" + std::to_string(taxon) + "\nMKVLAAGIVG\n";
    }
  }
  ASSERT_TRUE(Ingest("1", source));
  const DatabaseManifest m = Manifest("1");
  std::vector<uint32_t> order;
  for (const ManifestChunk& c : m.chunks) {
    for (const TaxonPiece& p : PiecesOf(c)) order.push_back(p.taxon);
  }
  EXPECT_EQ(order, (std::vector<uint32_t>{5, 50, 500, 6, 60, 600}));
  EXPECT_EQ(Export(m), source);
}

}  // namespace
}  // namespace talaria::store
