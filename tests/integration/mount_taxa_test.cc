// Real scale of taxa through a real mount: thousands of small taxa sharing
// chunks, and NCBI nr-style records of several taxa. Every by-taxon file and
// subtree file holds exactly its records (compared with the source parsed
// here), sizes are exact, .fai files are samtools', and the source files
// come back byte for byte.

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "tests/testing/mount.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

namespace fsys = std::filesystem;
using testing::Mount;
using testing::RunStore;

constexpr int kGenera = 40;
constexpr int kSpeciesPerGenus = 50;

// Species 100000 + g * 100 + s of genus 5000 + g; 1-3 records each, in an
// order that interleaves genera; plus one large taxon (9606).
std::string MakeSmallTaxa(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> taxa;
  for (int g = 0; g < kGenera; g++) {
    for (int s = 0; s < kSpeciesPerGenus; s++) {
      const int n = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < n; k++) taxa.push_back(100000 + g * 100 + s);
    }
  }
  std::shuffle(taxa.begin(), taxa.end(), rng);
  std::string out;
  int i = 0;
  auto add = [&](uint32_t taxon) {
    out += ">tr|A" + std::to_string(i) + "|A" + std::to_string(i) + "_SP Protein " +
           std::to_string(i) + " OS=Species OX=" + std::to_string(taxon) + " SV=1\n";
    i++;
    std::string seq(50 + rng() % 600, 'A');
    for (char& c : seq) c = "ACDEFGHIKLMNPQRSTVWY"[rng() % 20];
    for (size_t k = 0; k < seq.size(); k += 60) out += seq.substr(k, 60) + "\n";
  };
  for (size_t k = 0; k < taxa.size(); k++) {
    add(taxa[k]);
    if (k % 4 == 0) add(9606);
  }
  return out;
}

using testing::SortedRecords;

// Records of an nr-style file: SOH-joined headers, taxa from a table.
const char kNr[] =
    ">WP_000001.1 hemoglobin [Homo sapiens]\x01XP_000002.1 hemoglobin [Pan troglodytes]"
    "\x01XP_000003.1 hemoglobin [Mus musculus]\nMVLSPADKTNVKAAWGKVGA\nHAGEYGAEAL\n"
    ">WP_000004.1 myoglobin [Homo sapiens]\nMGLSDGEWQLVLNVWGKVEAD\n"
    ">XP_000005.1 actin [Pan troglodytes]\x01WP_000006.1 actin [Homo sapiens]\nMDDDIAALVV\n";

class MountTaxaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    source_ = MakeSmallTaxa(3);
    testing::WriteFile(*dir_ / "uniprot.fasta", source_);
    testing::WriteFile(*dir_ / "nr.fasta", kNr);
    testing::WriteFile(*dir_ / "nr.accession2taxid",
                       "accession\taccession.version\ttaxid\tgi\n"
                       "WP_000001\tWP_000001.1\t9606\t1\nXP_000002\tXP_000002.1\t9598\t2\n"
                       "XP_000003\tXP_000003.1\t10090\t3\nWP_000004\tWP_000004.1\t9606\t4\n"
                       "XP_000005\tXP_000005.1\t9598\t5\nWP_000006\tWP_000006.1\t9606\t6\n");
    std::string nodes = "1\t|\t1\t|\tno rank\t|\n9606\t|\t1\t|\tspecies\t|\n";
    std::string names = "1\t|\troot\t|\t\t|\tscientific name\t|\n";
    for (int g = 0; g < kGenera; g++) {
      nodes += std::to_string(5000 + g) + "\t|\t1\t|\tgenus\t|\n";
      names += std::to_string(5000 + g) + "\t|\tGenus " + std::to_string(g) +
               "\t|\t\t|\tscientific name\t|\n";
      for (int s = 0; s < kSpeciesPerGenus; s++) {
        nodes += std::to_string(100000 + g * 100 + s) + "\t|\t" + std::to_string(5000 + g) +
                 "\t|\tspecies\t|\n";
      }
    }
    testing::WriteFile(*dir_ / "nodes.dmp", nodes);
    testing::WriteFile(*dir_ / "names.dmp", names);
    store_ = *dir_ / "store";
    ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store_}).exit_code, 0);
    auto r = RunStore(store_, {"taxonomy", "load", *dir_ / "nodes.dmp", *dir_ / "names.dmp"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunStore(store_, {"ingest", *dir_ / "uniprot.fasta", "--db", "uniprot", "--version", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunStore(store_, {"ingest", *dir_ / "nr.fasta", "--db", "nr", "--version", "1", "--taxmap",
                          *dir_ / "nr.accession2taxid"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    mount_ = std::make_unique<Mount>(store_, *dir_ / "mnt");
    ASSERT_TRUE(mount_->ok()) << mount_->error();
  }
  void TearDown() override { mount_.reset(); }
  Mount& mnt() { return *mount_; }

  static testing::TempDir* dir_;
  static std::string store_;
  static std::string source_;
  std::unique_ptr<Mount> mount_;
};

testing::TempDir* MountTaxaTest::dir_ = nullptr;
std::string MountTaxaTest::store_;
std::string MountTaxaTest::source_;

TEST_F(MountTaxaTest, EverySmallTaxonsFileHoldsExactlyItsRecords) {
  const auto expected = testing::SortedRecordsByOx(source_);
  ASSERT_GT(expected.size(), 1500u);
  size_t checked = 0;
  for (const auto& [taxon, records] : expected) {
    const std::string path = mnt() / ("by-taxon/" + std::to_string(taxon) + "/uniprot.fasta");
    const std::string bytes = testing::ReadFileOrDie(path);
    EXPECT_EQ(fsys::file_size(path), bytes.size()) << taxon;
    EXPECT_TRUE(SortedRecords(bytes) == records) << "taxon " << taxon;
    checked++;
  }
  EXPECT_EQ(checked, expected.size());
  EXPECT_TRUE(testing::ReadFileOrDie(mnt() / "databases/uniprot/1/uniprot.fasta") == source_);
}

TEST_F(MountTaxaTest, GenusSubtreeFilesAreTheUnionOfTheirSpecies) {
  const auto expected = testing::SortedRecordsByOx(source_);
  for (int g : {0, 17, kGenera - 1}) {
    std::vector<std::string> want;
    for (int s = 0; s < kSpeciesPerGenus; s++) {
      auto it = expected.find(100000 + g * 100 + s);
      if (it != expected.end()) want.insert(want.end(), it->second.begin(), it->second.end());
    }
    std::sort(want.begin(), want.end());
    const std::string dir = mnt() / ("by-taxon/" + std::to_string(5000 + g));
    EXPECT_TRUE(SortedRecords(testing::ReadFileOrDie(dir + "/uniprot.subtree.fasta")) == want)
        << "genus " << 5000 + g;
    EXPECT_EQ(testing::ReadFileOrDie(dir + "/.name"), "Genus " + std::to_string(g) + "\tgenus\n");
  }
}

TEST_F(MountTaxaTest, NrRecordsAreServedByteForByteAndUnderEachOfTheirTaxa) {
  EXPECT_EQ(testing::ReadFileOrDie(mnt() / "databases/nr/1/nr.fasta"), std::string(kNr));
  const auto records = SortedRecords(kNr);  // WP_000001 (3 taxa), WP_000004, XP_000005 (2 taxa)
  EXPECT_EQ(SortedRecords(testing::ReadFileOrDie(mnt() / "by-taxon/9606/nr.fasta")), records);
  EXPECT_EQ(SortedRecords(testing::ReadFileOrDie(mnt() / "by-taxon/9598/nr.fasta")),
            (std::vector<std::string>{records[0], records[2]}));
  EXPECT_EQ(SortedRecords(testing::ReadFileOrDie(mnt() / "by-taxon/10090/nr.fasta")),
            (std::vector<std::string>{records[0]}));
  // The root's subtree lists the record of three taxa once.
  EXPECT_EQ(SortedRecords(testing::ReadFileOrDie(mnt() / "by-taxon/1/nr.subtree.fasta")), records);
}

TEST_F(MountTaxaTest, FaiOfSharedChunkFilesIsWhatSamtoolsWouldWrite) {
  if (testing::Run({"/bin/sh", "-c", "command -v samtools"}).exit_code != 0) {
    GTEST_SKIP() << "samtools is not installed (packaging/install-deps.sh)";
  }
  testing::TempDir native;
  for (const std::string rel : {"by-taxon/100517/uniprot.fasta",
                                "by-taxon/5003/uniprot.subtree.fasta", "by-taxon/9598/nr.fasta"}) {
    const std::string copy = native / "copy.fasta";
    fsys::copy_file(mnt() / rel, copy, fsys::copy_options::overwrite_existing);
    auto r = testing::Run({"/bin/sh", "-c", "samtools faidx '" + copy + "'"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(testing::ReadFileOrDie(copy + ".fai"), testing::ReadFileOrDie(mnt() / (rel + ".fai")))
        << rel;
  }
}

}  // namespace
}  // namespace talaria
