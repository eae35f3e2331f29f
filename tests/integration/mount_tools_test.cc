// Real bioinformatics tools from Debian reading a talariafs mount, each
// compared with the same tool on a native copy; a damaged pack read through
// the mount; by-taxon subtrees and names with a taxonomy loaded.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/core/store_paths.h"
#include "tests/testing/mount.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

namespace fsys = std::filesystem;
using testing::Mount;
using testing::RunStore;

// UniProt-style FASTA: `n` records over taxa 9601..9604, families of close
// variants so that searches find several hits.
std::string MakeProteins(int n, uint64_t seed) {
  static const char kAlphabet[] = "ACDEFGHIKLMNPQRSTVWY";
  std::mt19937_64 rng(seed);
  std::vector<std::string> families;
  for (int f = 0; f < 40; f++) {
    std::string s;
    for (int k = 0; k < 150 + static_cast<int>(rng() % 250); k++) s += kAlphabet[rng() % 20];
    families.push_back(s);
  }
  std::string out;
  for (int i = 0; i < n; i++) {
    std::string seq = families[i % families.size()];
    for (auto& c : seq) {
      if (rng() % 10 == 0) c = kAlphabet[rng() % 20];
    }
    out += ">sp|P" + std::to_string(10000 + i) + "|PROT" + std::to_string(i) + " Protein " +
           std::to_string(i) + " OX=" + std::to_string(9601 + (i / 5) % 4) + "\n";
    for (size_t k = 0; k < seq.size(); k += 60) out += seq.substr(k, 60) + "\n";
  }
  return out;
}

using testing::MustSh;
using testing::Sh;
bool Have(const std::string& tool) { return testing::HaveTool(tool); }

class MountToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(dir_ / "prot.fasta", MakeProteins(600, 7));
    store_ = dir_ / "store";
    ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store_}).exit_code, 0);
    auto r = RunStore(store_, {"ingest", dir_ / "prot.fasta", "--db", "prot", "--version", "1",
                               "--min-chunk-kb", "8", "--max-chunk-kb", "32"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    native_ = dir_ / "native";
    fsys::create_directories(native_);
  }

  // A native copy of a mounted file under the same base name.
  std::string NativeCopy(const std::string& mounted) {
    std::string copy = native_ + "/" + fsys::path(mounted).filename().string();
    fsys::copy_file(mounted, copy, fsys::copy_options::overwrite_existing);
    return copy;
  }

  testing::TempDir dir_;
  std::string store_, native_;
};

TEST_F(MountToolsTest, SeqkitReadsTheMountAsItReadsANativeFile) {
  if (!Have("seqkit")) GTEST_SKIP() << "seqkit is not installed (packaging/install-deps.sh)";
  Mount mnt(store_, dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  for (const std::string rel : {"databases/prot/1/prot.fasta", "by-taxon/9602/prot.fasta"}) {
    const std::string mounted = mnt / rel, native = NativeCopy(mounted);
    EXPECT_EQ(MustSh("seqkit stats -T -b '" + mounted + "'"),
              MustSh("seqkit stats -T -b '" + native + "'"));
    const std::string table = MustSh("seqkit fx2tab -n -l -g '" + mounted + "'");
    EXPECT_EQ(table, MustSh("seqkit fx2tab -n -l -g '" + native + "'"));
    EXPECT_FALSE(table.empty());
  }
}

TEST_F(MountToolsTest, BlastOnAByTaxonFileFindsWhatItFindsOnTheNativeFile) {
  if (!Have("makeblastdb") || !Have("blastp")) GTEST_SKIP() << "ncbi-blast+ is not installed";
  Mount mnt(store_, dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  const std::string mounted = mnt / "by-taxon/9603/prot.fasta", native = NativeCopy(mounted);
  // Queries: the first three records of another taxon.
  MustSh("awk '/^>/{n++} n<=3' '" + std::string(mnt / "by-taxon/9601/prot.fasta") + "' > '" +
         native_ + "/q.fasta'");
  std::string hits[2];
  int i = 0;
  for (const std::string& input : {mounted, native}) {
    const std::string db = native_ + "/db" + std::to_string(i);
    MustSh("makeblastdb -in '" + input + "' -dbtype prot -out '" + db + "' >/dev/null");
    hits[i++] =
        MustSh("blastp -query '" + native_ + "/q.fasta' -db '" + db +
               "' -outfmt '6 qseqid sseqid pident length evalue bitscore' -max_target_seqs 20");
  }
  EXPECT_EQ(hits[0], hits[1]);
  EXPECT_GT(std::count(hits[0].begin(), hits[0].end(), '\n'), 5);
}

TEST_F(MountToolsTest, DiamondAndMmseqsBuildTheirDatabasesFromMountedPaths) {
  Mount mnt(store_, dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  const std::string mounted = mnt / "databases/prot/1/prot.fasta";
  if (Have("diamond")) {
    MustSh("diamond makedb --in '" + mounted + "' -d '" + native_ + "/dmnd' --quiet");
    std::string info = MustSh("diamond dbinfo -d '" + native_ + "/dmnd.dmnd' 2>&1");
    EXPECT_NE(info.find("Sequences  600"), std::string::npos) << info;
  } else {
    ADD_FAILURE() << "diamond is not installed (packaging/install-deps.sh)";
  }
  if (Have("mmseqs")) {
    MustSh("mmseqs createdb '" + mounted + "' '" + native_ + "/mm' -v 1");
    EXPECT_EQ(MustSh("wc -l < '" + native_ + "/mm.index'"), "600\n");
    // Its records are the mount's, byte for byte.
    MustSh("mmseqs convert2fasta '" + native_ + "/mm' '" + native_ + "/mm.fasta' -v 1");
    EXPECT_EQ(MustSh("seqkit seq -s -w 0 '" + native_ + "/mm.fasta' | sort | md5sum"),
              MustSh("seqkit seq -s -w 0 '" + mounted + "' | sort | md5sum"));
  } else {
    ADD_FAILURE() << "mmseqs is not installed (packaging/install-deps.sh)";
  }
}

// Reads [off, off+len) with readahead off; returns the errno (0 if read).
int ReadRange(const std::string& path, uint64_t off, uint64_t len, std::string* out) {
  return testing::ReadRange(path, off, len, POSIX_FADV_RANDOM, out);
}

TEST_F(MountToolsTest, DamagedPackGivesEioForItsRangeAndEverythingElseStillReads) {
  // Pick one chunk and learn, through a healthy mount, where it sits.
  auto ls = RunStore(store_, {"ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0);
  nlohmann::json victim;
  for (const auto& o : nlohmann::json::parse(ls.out)) {
    if (o["kind"] == "chunk" && !o.contains("base")) victim = o;
  }
  ASSERT_FALSE(victim.is_null());
  const std::string id = victim["id"];
  std::string chunk, source, before;
  std::vector<std::pair<std::string, std::string>> taxon_files;
  std::map<std::string, std::string> fai_before;
  {
    Mount mnt(store_, dir_ / "mnt");
    ASSERT_TRUE(mnt.ok()) << mnt.error();
    chunk = testing::ReadFileOrDie(mnt / ("by-hash/" + id));
    source = testing::ReadFileOrDie(mnt / "databases/prot/1/prot.fasta");
    for (int t = 9601; t <= 9604; t++) {
      std::string rel = "by-taxon/" + std::to_string(t) + "/prot.fasta";
      taxon_files.emplace_back(rel, testing::ReadFileOrDie(mnt / rel));
      fai_before[rel] = testing::ReadFileOrDie(mnt / (rel + ".fai"));
    }
  }
  // Damage one byte inside the chunk's frame.
  store::StorePaths paths(store_);
  {
    std::fstream pack(paths.pack_file(victim["pack"].get<uint64_t>()),
                      std::ios::in | std::ios::out | std::ios::binary);
    const uint64_t at =
        victim["offset"].get<uint64_t>() + victim["stored_bytes"].get<uint64_t>() / 2 + 40;
    pack.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    pack.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    pack.seekp(static_cast<std::streamoff>(at));
    pack.write(&c, 1);
  }
  Mount mnt(store_, dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  std::string got;
  EXPECT_EQ(ReadRange(mnt / ("by-hash/" + id), 0, 4096, &got), EIO);
  int damaged_files = 0;
  for (const auto& [rel, bytes] : taxon_files) {
    const size_t at = bytes.find(chunk);
    if (at == std::string::npos) {
      // Taxa the chunk is not part of read whole and right.
      EXPECT_TRUE(testing::ReadFileOrDie(mnt / rel) == bytes) << rel;
      continue;
    }
    damaged_files++;
    // The .fai comes from the chunks' record indexes, not their bytes: it
    // is still served, and right.
    EXPECT_EQ(testing::ReadFileOrDie(mnt / (rel + ".fai")), fai_before[rel]) << rel;
    // The chunk's pages fail; pages well away from it read right.
    EXPECT_EQ(ReadRange(mnt / rel, at + chunk.size() / 2, 100, &got), EIO) << rel;
    for (uint64_t off = 0; off < bytes.size(); off += 4096) {
      const uint64_t len = std::min<uint64_t>(4096, bytes.size() - off);
      const bool near = off + len + 8192 > at && off < at + chunk.size() + 8192;
      if (near) continue;
      ASSERT_EQ(ReadRange(mnt / rel, off, len, &got), 0) << rel << " at " << off;
      ASSERT_TRUE(got == bytes.substr(off, len)) << rel << " at " << off;
    }
  }
  EXPECT_EQ(damaged_files, 1);
  // The source file: the chunk's records fail, the first and last pages
  // (elsewhere) still read, and the daemon keeps serving.
  auto cat = Sh("cat '" + std::string(mnt / "databases/prot/1/prot.fasta") + "' > /dev/null");
  EXPECT_NE(cat.exit_code, 0);
  EXPECT_NE(cat.err.find("Input/output error"), std::string::npos) << cat.err;
  if (source.find(chunk) > 8192) {  // the first page is not the damaged chunk's
    EXPECT_EQ(ReadRange(mnt / "databases/prot/1/prot.fasta", 0, 4096, &got), 0);
    EXPECT_TRUE(got == source.substr(0, 4096));
  }
  auto stats = nlohmann::json::parse(testing::ReadFileOrDie(mnt / ".talaria/stats.json"));
  EXPECT_GT(stats["read_errors"].get<uint64_t>(), 0u);
  EXPECT_TRUE(testing::IsMounted(mnt.path()));
  EXPECT_NE(mnt.Log().find(id), std::string::npos) << "the log names the damaged object";
}

TEST_F(MountToolsTest, SubtreeFilesAndNamesFollowTheTaxonomy) {
  // 9600 (genus) -> 9601, 9602; 9603 -> 9604; root 1 above both.
  testing::WriteFile(
      dir_ / "nodes.dmp",
      "1\t|\t1\t|\tno rank\t|\n9600\t|\t1\t|\tgenus\t|\n9601\t|\t9600\t|\tspecies\t|\n"
      "9602\t|\t9600\t|\tspecies\t|\n9603\t|\t1\t|\tgenus\t|\n"
      "9604\t|\t9603\t|\tspecies\t|\n");
  testing::WriteFile(dir_ / "names.dmp",
                     "1\t|\troot\t|\t\t|\tscientific name\t|\n"
                     "9600\t|\tPongo\t|\t\t|\tscientific name\t|\n"
                     "9601\t|\tPongo abelii\t|\t\t|\tscientific name\t|\n"
                     "9602\t|\tPongo pygmaeus\t|\t\t|\tscientific name\t|\n"
                     "9603\t|\tOther\t|\t\t|\tscientific name\t|\n"
                     "9604\t|\tOther one\t|\t\t|\tscientific name\t|\n");
  auto r = RunStore(store_, {"taxonomy", "load", dir_ / "nodes.dmp", dir_ / "names.dmp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Mount mnt(store_, dir_ / "mnt");
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  EXPECT_EQ(testing::ReadFileOrDie(mnt / "by-taxon/9601/.name"), "Pongo abelii\tspecies\n");
  EXPECT_EQ(testing::ReadFileOrDie(mnt / "by-taxon/9600/.name"), "Pongo\tgenus\n");
  // A genus with no records of its own: no <db>.fasta, but a subtree file.
  EXPECT_FALSE(fsys::exists(mnt / "by-taxon/9600/prot.fasta"));
  auto sorted_lines = [](const std::string& s) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  std::string a = testing::ReadFileOrDie(mnt / "by-taxon/9601/prot.fasta");
  std::string b = testing::ReadFileOrDie(mnt / "by-taxon/9602/prot.fasta");
  std::string sub = testing::ReadFileOrDie(mnt / "by-taxon/9600/prot.subtree.fasta");
  EXPECT_EQ(fsys::file_size(mnt / "by-taxon/9600/prot.subtree.fasta"), sub.size());
  EXPECT_EQ(sorted_lines(sub), sorted_lines(a + b));
  // The root's subtree is the whole database (as records).
  std::string all = testing::ReadFileOrDie(mnt / "by-taxon/1/prot.subtree.fasta");
  EXPECT_EQ(sorted_lines(all),
            sorted_lines(testing::ReadFileOrDie(mnt / "databases/prot/1/prot.fasta")));
  // A leaf's subtree is its own records.
  EXPECT_EQ(testing::ReadFileOrDie(mnt / "by-taxon/9604/prot.subtree.fasta"),
            testing::ReadFileOrDie(mnt / "by-taxon/9604/prot.fasta"));
}

}  // namespace
}  // namespace talaria
