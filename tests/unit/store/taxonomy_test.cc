// The taxonomy tree, per-taxon statistics, chunk queries and --taxmap, on
// real stores.

#include <map>

#include <gtest/gtest.h>

#include "index/chunk_query.h"
#include "index/index.h"
#include "store/catalog/catalog_view.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest.h"
#include "store/catalog/taxonomy_loader.h"
#include "store/catalog/taxonomy_stats.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

// A small tree: 1 root > 2 Bacteria > 562 E. coli; 1 > 2759 Eukaryota >
// 40674 Mammalia > {9606 human, 10090 mouse}.
void WriteTaxdump(const testing::TempDir& dir) {
  testing::WriteFile(dir / "nodes.dmp",
                     "1\t|\t1\t|\tno rank\t|\t\t|\n"
                     "2\t|\t1\t|\tsuperkingdom\t|\t\t|\n"
                     "562\t|\t2\t|\tspecies\t|\tEC\t|\n"
                     "2759\t|\t1\t|\tsuperkingdom\t|\t\t|\n"
                     "40674\t|\t2759\t|\tclass\t|\t\t|\n"
                     "9606\t|\t40674\t|\tspecies\t|\tHS\t|\n"
                     "10090\t|\t40674\t|\tspecies\t|\tMM\t|\n");
  testing::WriteFile(dir / "names.dmp",
                     "1\t|\troot\t|\t\t|\tscientific name\t|\n"
                     "2\t|\tBacteria\t|\tBacteria <prokaryotes>\t|\tscientific name\t|\n"
                     "562\t|\tEscherichia coli\t|\t\t|\tscientific name\t|\n"
                     "562\t|\tE. coli\t|\t\t|\tcommon name\t|\n"
                     "2759\t|\tEukaryota\t|\t\t|\tscientific name\t|\n"
                     "40674\t|\tMammalia\t|\t\t|\tscientific name\t|\n"
                     "9606\t|\tHomo sapiens\t|\t\t|\tscientific name\t|\n"
                     "10090\t|\tMus musculus\t|\t\t|\tscientific name\t|\n");
}

struct Expected {
  uint64_t records = 0, residues = 0;
};

// A FASTA of `n` records over the given taxa, and the per-taxon truth
// computed here, independently of the store.
std::string MakeFasta(int n, const std::vector<uint32_t>& taxa,
                      std::map<uint32_t, Expected>* truth) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    uint32_t t = taxa[(i / 7) % taxa.size()];
    std::string seq;
    size_t len = 50 + (i * 37) % 700;
    for (size_t k = 0; k < len; ++k) seq += "ACDEFGHIKLMNPQRSTVWY"[(i + k * 7) % 20];
    out += ">sp|A" + std::to_string(i) + "|X Prot OX=" + std::to_string(t) + "\n";
    for (size_t k = 0; k < seq.size(); k += 60) out += seq.substr(k, 60) + "\n";
    (*truth)[t].records++;
    (*truth)[t].residues += seq.size();
  }
  return out;
}

class TaxonomyTest : public testing::StoreTest {
 protected:
  core::Result<IngestResult> Ingest(const std::string& version, const std::string& file,
                                    std::vector<std::string> taxmap = {}) {
    IngestOptions o;
    o.database = "db";
    o.version = version;
    o.files = {file};
    o.taxmap_files = std::move(taxmap);
    o.chunking = ChunkingOptions{4 << 10, 32 << 10, 12 << 10};
    return IngestDatabase(*store_, o);
  }
};

TEST_F(TaxonomyTest, LoadsTheTreeWithNamesRanksAndSubtrees) {
  WriteTaxdump(dir_);
  auto r = LoadTaxonomy(*store_, dir_ / "nodes.dmp", dir_ / "names.dmp");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->nodes, 7u);
  auto txn = store_->index().BeginRead();
  ASSERT_OK(txn);
  const auto& tax = store_->index().taxonomy();
  auto human = tax.Get(*txn, 9606);
  ASSERT_TRUE(human && *human);
  EXPECT_EQ((*human)->name, "Homo sapiens");
  EXPECT_EQ((*human)->rank, "species");
  EXPECT_EQ((*human)->parent, 40674u);
  auto sub = tax.Subtree(*txn, 40674);
  ASSERT_OK(sub);
  std::sort(sub->begin(), sub->end());
  EXPECT_EQ(*sub, (std::vector<uint32_t>{9606, 10090, 40674}));
  auto lineage = tax.Lineage(*txn, 10090);
  ASSERT_OK(lineage);
  ASSERT_EQ(lineage->size(), 4u);
  EXPECT_EQ(lineage->back().taxid, 1u);
}

TEST_F(TaxonomyTest, MalformedDumpNamesFileAndLine) {
  WriteTaxdump(dir_);
  testing::WriteFile(dir_ / "bad.dmp", "1\t|\t1\t|\tno rank\t|\nxx\t|\t1\t|\tspecies\t|\n");
  auto r = LoadTaxonomy(*store_, dir_ / "bad.dmp", dir_ / "names.dmp");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), core::Code::kParse);
  EXPECT_NE(r.error().message().find("bad.dmp:2"), std::string::npos) << r.error().message();
}

TEST_F(TaxonomyTest, StatsPerTaxonEqualCountsFromTheSourceFile) {
  std::map<uint32_t, Expected> truth;
  testing::WriteFile(dir_ / "in.fasta", MakeFasta(3000, {562, 9606, 10090, 0}, &truth));
  ASSERT_TRUE(Ingest("1", dir_ / "in.fasta"));
  WriteTaxdump(dir_);
  ASSERT_TRUE(LoadTaxonomy(*store_, dir_ / "nodes.dmp", dir_ / "names.dmp"));
  auto stats = ComputeTaxonomyStats(*store_, std::nullopt);
  ASSERT_TRUE(stats) << stats.error().ToString();
  ASSERT_EQ(stats->taxa.size(), truth.size());
  for (const TaxonCount& t : stats->taxa) {
    EXPECT_EQ(t.records, truth[t.taxon].records) << t.taxon;
    EXPECT_EQ(t.residues, truth[t.taxon].residues) << t.taxon;
  }
  auto human = std::find_if(stats->taxa.begin(), stats->taxa.end(),
                            [](const TaxonCount& t) { return t.taxon == 9606; });
  ASSERT_NE(human, stats->taxa.end());
  EXPECT_EQ(human->name, "Homo sapiens");
}

TEST_F(TaxonomyTest, QueriesSelectChunksByTaxonSubtreeSizeAndLimit) {
  std::map<uint32_t, Expected> truth;
  testing::WriteFile(dir_ / "in.fasta", MakeFasta(3000, {562, 9606, 10090}, &truth));
  ASSERT_TRUE(Ingest("1", dir_ / "in.fasta"));
  auto txn = store_->index().BeginRead();
  ASSERT_OK(txn);
  auto run = [&](index::ChunkQuery q) {
    auto hits = index::RunChunkQuery(*txn, store_->index().chunks(), store_->index().objects(), q);
    EXPECT_TRUE(hits);
    return *hits;
  };
  index::ChunkQuery human;
  human.taxa = {9606};
  uint64_t records = 0;
  for (const auto& h : run(human)) {
    EXPECT_EQ(h.meta.taxon, 9606u);
    records += h.meta.records;
  }
  EXPECT_EQ(records, truth[9606].records);
  index::ChunkQuery mammals;
  mammals.taxa = {9606, 10090};
  EXPECT_EQ(run(mammals).size(), run(human).size() + run(index::ChunkQuery{{10090}}).size());
  index::ChunkQuery big;
  big.min_bytes = 20 << 10;
  for (const auto& h : run(big)) EXPECT_GE(h.meta.raw_bytes, 20u << 10);
  index::ChunkQuery limited;
  limited.limit = 3;
  EXPECT_EQ(run(limited).size(), 3u);
}

TEST_F(TaxonomyTest, TaxmapWinsOverTheHeader) {
  std::string fasta =
      ">XP_000001.1 a OX=9606\nMKV\n>XP_000002.1 b OX=9606\nMKL\n>sp|P12345|N c\nMMM\n";
  testing::WriteFile(dir_ / "in.fasta", fasta);
  testing::WriteFile(dir_ / "map",
                     "accession\taccession.version\ttaxid\tgi\n"
                     "XP_000001\tXP_000001.1\t562\t11\n"
                     "P12345\tP12345\t10090\t12\n");
  ASSERT_EQ(testing::Run({"/bin/sh", "-c", "gzip " + (dir_ / "map")}).exit_code, 0);
  auto r = Ingest("1", dir_ / "in.fasta", {dir_ / "map.gz"});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->taxmap_rows, 2u);
  EXPECT_EQ(r->taxmap_hits, 2u);
  auto stats = ComputeTaxonomyStats(*store_, std::string("db"));
  ASSERT_OK(stats);
  std::map<uint32_t, uint64_t> got;
  for (const auto& t : stats->taxa) got[t.taxon] = t.records;
  EXPECT_EQ(got, (std::map<uint32_t, uint64_t>{{562, 1}, {9606, 1}, {10090, 1}}));
  testing::WriteFile(dir_ / "badmap", "accession\taccession.version\ttaxid\tgi\nX\tX.1\tnine\t1\n");
  auto bad = Ingest("2", dir_ / "in.fasta", {dir_ / "badmap"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("badmap:2"), std::string::npos) << bad.error().message();
}

TEST_F(TaxonomyTest, RemovingAVersionDropsChunksOnlyItUsed) {
  std::map<uint32_t, Expected> truth;
  testing::WriteFile(dir_ / "a.fasta", MakeFasta(800, {562, 9606}, &truth));
  testing::WriteFile(dir_ / "b.fasta",
                     MakeFasta(800, {562, 9606}, &truth) + ">extra OX=10090\nMKV\n");
  ASSERT_TRUE(Ingest("1", dir_ / "a.fasta"));
  ASSERT_TRUE(Ingest("2", dir_ / "b.fasta"));
  auto count = [&]() { return testing::Value(CatalogView(*store_).QueryChunks({})).size(); };
  size_t both = count();
  ASSERT_TRUE(RemoveDatabaseVersion(*store_, "db", "2"));
  size_t one = count();
  EXPECT_LT(one, both);
  auto txn = store_->index().BeginRead();
  EXPECT_TRUE(store_->index().chunks().FindByTaxon(*txn, 10090)->empty());
  EXPECT_FALSE(store_->index().chunks().FindByTaxon(*txn, 562)->empty());
}

}  // namespace
}  // namespace talaria::store
