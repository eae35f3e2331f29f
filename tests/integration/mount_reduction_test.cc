// reductions/<profile>/ through a real mount: exact sizes, every file equal
// to `reduction export`, expanded.fasta holding every source record, and
// the reduction workflow an aligner user follows — index references.fasta,
// search, expand hits through ref2children.tsv — recovering the top hits a
// search of the whole database finds.

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/reduce/reduction.h"
#include "tests/testing/mount.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

using testing::MustSh;
using testing::RunStore;

std::multiset<std::string> Records(const std::string& text) {
  std::multiset<std::string> out;
  for (std::string_view r : store::SplitRecords(text)) out.emplace(r);
  return out;
}

class MountReductionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::ReleaseSpec spec;
    spec.records = 4000;
    spec.taxa = 4;
    spec.line_width = 60;
    spec.family_size = 10;
    spec.id_prefix = "P";
    source_ = testing::ProteinRelease(spec, 1);
    testing::WriteFile(dir_ / "db.fasta", source_);
    store_ = dir_ / "store";
    ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store_}).exit_code, 0);
    auto r = RunStore(store_, {"ingest", dir_ / "db.fasta", "--db", "db", "--version", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto red = RunStore(
        store_, {"reduce", "--db", "db", "--profile", "p80", "--identity", "0.8", "--json"});
    ASSERT_EQ(red.exit_code, 0) << red.err;
  }

  testing::TempDir dir_;
  std::string store_, source_;
};

TEST_F(MountReductionTest, EveryFileIsServedWithItsExactSizeAndBytes) {
  testing::Mount mnt(store_, dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  EXPECT_EQ(MustSh("ls '" + mnt / "reductions" + "'"), "p80\n");
  for (const char* f :
       {"references.fasta", "deltas.dat", "ref2children.tsv", "expanded.fasta", "manifest.json"}) {
    const std::string path = mnt / (std::string("reductions/p80/") + f);
    auto exported = RunStore(store_, {"reduction", "export", "p80", "--file", f});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << f;
    EXPECT_EQ(static_cast<size_t>(st.st_size), exported.out.size()) << f;
    EXPECT_TRUE(testing::ReadFileOrDie(path) == exported.out) << f << " differs from the export";
  }
  // manifest.json: the stored manifest (the object is free of clock time)
  // plus when the profile was made and how long it took, from the index.
  {
    auto served =
        nlohmann::json::parse(testing::ReadFileOrDie(mnt / "reductions/p80/manifest.json"));
    auto shown =
        nlohmann::json::parse(RunStore(store_, {"reduction", "show", "p80", "--json"}).out);
    EXPECT_EQ(served.at("created"), shown.at("created"));
    EXPECT_EQ(served.at("statistics").at("elapsed_ms"), shown.at("elapsed_ms"));
    auto object = RunStore(store_, {"get", shown.at("manifest").get<std::string>()});
    ASSERT_EQ(object.exit_code, 0) << object.err;
    auto stored = nlohmann::json::parse(object.out);
    EXPECT_FALSE(stored.contains("created"));
    served.erase("created");
    served.at("statistics").erase("elapsed_ms");
    EXPECT_EQ(served, stored);
  }
  const std::string expanded = testing::ReadFileOrDie(mnt / "reductions/p80/expanded.fasta");
  EXPECT_TRUE(Records(expanded) == Records(source_)) << "expanded.fasta != the source's records";
  // Reads at random offsets give the same bytes as the whole file.
  std::mt19937_64 rng(5);
  std::string got;
  for (int i = 0; i < 50; i++) {
    const uint64_t off = rng() % expanded.size();
    const size_t len = 1 + rng() % 100'000;
    ASSERT_EQ(testing::ReadRange(mnt / "reductions/p80/expanded.fasta", off, len,
                                 POSIX_FADV_DONTNEED, &got),
              0);
    EXPECT_TRUE(got == expanded.substr(off, len)) << off;
  }
  // references.fasta has a .fai that samtools uses.
  if (testing::HaveTool("samtools")) {
    const std::string refs = testing::ReadFileOrDie(mnt / "reductions/p80/references.fasta");
    const std::string first(store::RecordId(refs));
    EXPECT_EQ(MustSh("samtools faidx '" + mnt / "reductions/p80/references.fasta" + "' '" + first +
                     "' | head -1"),
              ">" + first + "\n");
  }
  // A removed profile leaves the tree.
  ASSERT_EQ(RunStore(store_, {"reduction", "rm", "p80"}).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the name timeout
  EXPECT_EQ(MustSh("ls '" + mnt / "reductions" + "'"), "");
}

// --window-size from the command line: the version is reduced in several
// windows and the mounted expanded.fasta is still exactly the source;
// grouping by a rank needs a taxonomy tree, and says so.
TEST_F(MountReductionTest, AWindowedReductionIsServedExactly) {
  auto red = RunStore(store_, {"reduce", "--db", "db", "--profile", "win", "--identity", "0.8",
                               "--window-size", "64K", "--json"});
  ASSERT_EQ(red.exit_code, 0) << red.err;
  const auto j = nlohmann::json::parse(red.out);
  EXPECT_GT(j.at("windows").get<uint64_t>(), 3u) << red.out;
  auto shown = RunStore(store_, {"reduction", "show", "win", "--json"});
  EXPECT_EQ(nlohmann::json::parse(shown.out).at("parameters").at("window_bytes"), 65536);
  testing::Mount mnt(store_, dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  EXPECT_TRUE(Records(testing::ReadFileOrDie(mnt / "reductions/win/expanded.fasta")) ==
              Records(source_));

  auto genus = RunStore(store_, {"reduce", "--db", "db", "--profile", "g", "--identity", "0.8",
                                 "--taxonomy-aware", "--rank", "genus"});
  EXPECT_NE(genus.exit_code, 0);
  EXPECT_NE(genus.err.find("needs a taxonomy tree"), std::string::npos) << genus.err;
}

TEST_F(MountReductionTest, BlastOfReferencesExpandedThroughRefToChildrenRecoversTopHits) {
  if (!testing::HaveTool("makeblastdb") || !testing::HaveTool("blastp")) {
    GTEST_SKIP() << "ncbi-blast+ is not installed (packaging/install-deps.sh)";
  }
  testing::Mount mnt(store_, dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  const std::string work = dir_ / "work";
  std::filesystem::create_directories(work);
  // Queries: 100 records of the source, a few residues changed.
  std::mt19937_64 rng(11);
  std::string queries;
  auto records = store::SplitRecords(source_);
  for (int q = 0; q < 100; q++) {
    std::string rec(records[rng() % records.size()]);
    const size_t header = rec.find('\n') + 1;
    for (int k = 0; k < 5; k++) {
      const size_t pos = header + rng() % (rec.size() - header);
      if (rec[pos] != '\n') rec[pos] = "ACDEFGHIKLMNPQRSTVWY"[rng() % 20];
    }
    queries += ">q" + std::to_string(q) + "\n" + rec.substr(header);
  }
  testing::WriteFile(work + "/q.fasta", queries);
  auto top_hits = [&](const std::string& fasta, const std::string& name) {
    MustSh("makeblastdb -in '" + fasta + "' -dbtype prot -out '" + work + "/" + name +
           "' >/dev/null");
    const std::string out =
        MustSh("blastp -query '" + work + "/q.fasta' -db '" + work + "/" + name +
               "' -outfmt '6 qseqid sseqid bitscore' -max_target_seqs 5");
    std::map<std::string, std::vector<std::pair<std::string, double>>> hits;
    std::istringstream in(out);
    std::string q, s;
    double score;
    while (in >> q >> s >> score) hits[q].emplace_back(s, score);
    return hits;
  };
  auto full = top_hits(dir_ / "db.fasta", "full");
  auto reduced = top_hits(mnt / "reductions/p80/references.fasta", "reduced");
  std::map<std::string, std::vector<std::string>> children;
  {
    std::istringstream in(testing::ReadFileOrDie(mnt / "reductions/p80/ref2children.tsv"));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string ref, kid;
      fields >> ref;
      while (fields >> kid) children[ref].push_back(kid);
    }
  }
  // BLAST names subjects by their id; a reference hit stands for itself and
  // its children.
  int found = 0, total = 0;
  for (const auto& [q, hits] : full) {
    total++;
    const std::string& best = hits.front().first;
    std::set<std::string> expanded;
    for (const auto& [ref, score] : reduced[q]) {
      expanded.insert(ref);
      for (const auto& kid : children[ref]) expanded.insert(kid);
    }
    found += expanded.count(best) > 0;
  }
  ASSERT_GT(total, 90);
  EXPECT_GE(static_cast<double>(found) / total, 0.95) << found << " of " << total;
}

}  // namespace
}  // namespace talaria
