// A manifest large enough to be many pages (small chunks, thousands of
// taxa), through a real mount: a by-taxon file reads only the pages its
// taxon needs, every file is still exact, and ls -l of by-taxon/ lists
// every taxon. Also what verify makes of a damaged taxon directory.

#include <filesystem>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/mount.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

namespace fsys = std::filesystem;
using testing::Mount;
using testing::RunStore;

// 6,000 taxa (100000 + k) of 1-9 records each, interleaved, short records.
std::string MakeManyTaxa() {
  std::mt19937_64 rng(11);
  std::vector<uint32_t> taxa;
  for (uint32_t t = 0; t < 6000; t++) {
    for (uint64_t k = 0, n = 1 + rng() % 9; k < n; k++) taxa.push_back(100000 + t);
  }
  std::shuffle(taxa.begin(), taxa.end(), rng);
  std::string out;
  for (size_t i = 0; i < taxa.size(); i++) {
    out += ">tr|B" + std::to_string(i) + "|B" + std::to_string(i) +
           "_SP Protein OS=Species OX=" + std::to_string(taxa[i]) + " SV=1\n";
    std::string seq(40 + rng() % 300, 'A');
    for (char& c : seq) c = "ACDEFGHIKLMNPQRSTVWY"[rng() % 20];
    for (size_t k = 0; k < seq.size(); k += 60) out += seq.substr(k, 60) + "\n";
  }
  return out;
}

uint64_t PagesRead(const Mount& m) {
  auto j = nlohmann::json::parse(testing::ReadFileOrDie(m / ".talaria/stats.json"));
  return j.at("manifest_pages_read").get<uint64_t>();
}

class MountManifestPagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    source_ = MakeManyTaxa();
    testing::WriteFile(*dir_ / "many.fasta", source_);
    store_ = *dir_ / "store";
    ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store_}).exit_code, 0);
    auto r = RunStore(store_, {"ingest", *dir_ / "many.fasta", "--db", "many", "--version", "1",
                               "--min-chunk-kb", "1", "--max-chunk-kb", "8"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static testing::TempDir* dir_;
  static std::string store_;
  static std::string source_;
};

testing::TempDir* MountManifestPagesTest::dir_ = nullptr;
std::string MountManifestPagesTest::store_;
std::string MountManifestPagesTest::source_;

TEST_F(MountManifestPagesTest, AByTaxonFileReadsOnlyItsPages) {
  Mount mnt(store_, *dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  const auto root =
      nlohmann::json::parse(testing::ReadFileOrDie(mnt / "databases/many/1/manifest.json"));
  const size_t chunk_pages = root.at("chunk_pages").size();
  const size_t taxon_pages = root.at("taxon_pages").size();
  ASSERT_GE(chunk_pages, 4u) << root.dump();
  ASSERT_GE(taxon_pages, 2u) << root.dump();
  EXPECT_EQ(PagesRead(mnt), 0u);

  const auto expected = testing::SortedRecordsByOx(source_);
  const std::string one = mnt / "by-taxon/103333/many.fasta";
  const std::string bytes = testing::ReadFileOrDie(one);
  EXPECT_EQ(fsys::file_size(one), bytes.size());
  EXPECT_TRUE(testing::SortedRecords(bytes) == expected.at(103333));
  const uint64_t read = PagesRead(mnt);
  EXPECT_GE(read, 2u) << "a taxon page and a chunk page";
  EXPECT_LE(read, 3u) << "of " << chunk_pages + taxon_pages << " pages";
}

TEST_F(MountManifestPagesTest, EveryFileIsExactAndEveryTaxonListed) {
  Mount mnt(store_, *dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  const auto expected = testing::SortedRecordsByOx(source_);
  size_t listed = 0;
  for (const auto& e : fsys::directory_iterator(mnt / "by-taxon")) {
    listed++;
    EXPECT_TRUE(expected.count(std::stoul(e.path().filename().string()))) << e.path();
  }
  EXPECT_EQ(listed, expected.size());
  for (const auto& [taxon, records] : expected) {
    if (taxon % 7 != 0) continue;  // a seventh of them: every page is touched
    const std::string path = mnt / ("by-taxon/" + std::to_string(taxon) + "/many.fasta");
    const std::string bytes = testing::ReadFileOrDie(path);
    EXPECT_EQ(fsys::file_size(path), bytes.size()) << taxon;
    EXPECT_TRUE(testing::SortedRecords(bytes) == records) << taxon;
  }
  EXPECT_TRUE(testing::ReadFileOrDie(mnt / "databases/many/1/many.fasta") == source_);
}

TEST_F(MountManifestPagesTest, ARereleaseSharesUnchangedPages) {
  // Release 2: one residue changed in the last record.
  std::string v2 = source_;
  const size_t line = v2.rfind('\n', v2.size() - 2) + 1;
  v2[line] = v2[line] == 'W' ? 'Y' : 'W';
  testing::WriteFile(*dir_ / "many2.fasta", v2);
  auto r = RunStore(store_, {"ingest", *dir_ / "many2.fasta", "--db", "many", "--version", "2",
                             "--min-chunk-kb", "1", "--max-chunk-kb", "8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  {
    Mount mnt(store_, *dir_ / "mnt");
    ASSERT_TRUE(mnt.ok()) << mnt.error();
    auto pages = [&](const std::string& version, const char* key) {
      std::set<std::string> ids;
      const auto root = nlohmann::json::parse(
          testing::ReadFileOrDie(mnt / ("databases/many/" + version + "/manifest.json")));
      for (const auto& p : root.at(key)) ids.insert(p.at(0).get<std::string>());
      return ids;
    };
    for (const char* key : {"chunk_pages", "taxon_pages"}) {
      const auto one = pages("1", key), two = pages("2", key);
      size_t changed = 0;
      for (const auto& id : two) changed += !one.count(id);
      EXPECT_EQ(one.size(), two.size()) << key;
      EXPECT_LE(changed, 2u) << key << ": one record changed, the pages around it at most";
    }
    EXPECT_TRUE(testing::ReadFileOrDie(mnt / "databases/many/2/many2.fasta") == v2);
  }
  r = RunStore(store_, {"db", "export", "many/2", "-o", *dir_ / "export2.fasta"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(testing::ReadFileOrDie(*dir_ / "export2.fasta") == v2);
  r = RunStore(store_, {"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace talaria
