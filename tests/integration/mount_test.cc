// talariafs mounted for real: every file compared byte for byte with what
// was ingested, concurrent random reads, write attempts, bad names, SIGTERM,
// a damaged pack, a version ingested while mounted, and the .fai files.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/core/object_id.h"
#include "store/core/store_paths.h"
#include "tests/testing/mount.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

namespace fsys = std::filesystem;
using testing::Mount;
using testing::RunStore;

std::string Sample(const std::string& name) {
  return std::string(TALARIA_SOURCE_DIR) + "/tests/data/" + name;
}

// ~`kb` KB of UniProt-style FASTA over 12 taxa, taxa interleaved in runs,
// line width 60, with a few records of other widths' worth of residues.
std::string MakeDatabase(size_t kb, uint64_t seed) {
  std::string out;
  std::mt19937_64 rng(seed);
  for (int i = 0; out.size() < kb * 1000; ++i) {
    const int taxon = 9600 + static_cast<int>((i / 7 + rng() % 3) % 12);
    out += ">sp|Q" + std::to_string(seed) + "_" + std::to_string(i) + "|P" + std::to_string(i) +
           " Protein " + std::to_string(i) + " OX=" + std::to_string(taxon) + "\n";
    std::string residues;
    const size_t len = 40 + rng() % 900;
    static const char kAlphabet[] = "ACDEFGHIKLMNPQRSTVWY";
    for (size_t k = 0; k < len; k++) residues += kAlphabet[(rng() >> 7) % 20];
    for (size_t k = 0; k < residues.size(); k += 60) out += residues.substr(k, 60) + "\n";
  }
  return out;
}

// Records of a FASTA text (header line through the line before the next
// header), by taxon from OX= (0 without one): parsed here, independently of
// the store.
std::map<uint32_t, std::vector<std::string>> RecordsByTaxon(const std::string& fasta) {
  std::map<uint32_t, std::vector<std::string>> out;
  static const std::regex ox(" OX=([0-9]+)");
  size_t pos = 0;
  while (pos < fasta.size()) {
    size_t next = fasta.find("\n>", pos);
    size_t end = next == std::string::npos ? fasta.size() : next + 1;
    std::string record = fasta.substr(pos, end - pos);
    std::string header = record.substr(0, record.find('\n'));
    std::smatch m;
    uint32_t taxon = std::regex_search(header, m, ox) ? std::stoul(m[1]) : 0;
    out[taxon].push_back(std::move(record));
    pos = end;
  }
  return out;
}

std::vector<std::string> SplitRecords(const std::string& fasta) {
  std::vector<std::string> out;
  for (auto& [taxon, records] : RecordsByTaxon(fasta)) {
    out.insert(out.end(), records.begin(), records.end());
  }
  return out;
}

std::string ReadAll(const std::string& path) { return testing::ReadFileOrDie(path); }

std::string Shell(const std::string& cmd) {
  auto r = testing::Run({"/bin/sh", "-c", cmd});
  EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  return r.out;
}

bool Have(const std::string& tool) {
  return testing::Run({"/bin/sh", "-c", "command -v " + tool}).exit_code == 0;
}

class MountTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    generated_ = MakeDatabase(3000, 1);
    testing::WriteFile(*dir_ / "uniprot.fasta", generated_);
    store_ = *dir_ / "store";
    ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store_}).exit_code, 0);
    auto r = RunStore(store_, {"ingest", *dir_ / "uniprot.fasta", "--db", "uniprot", "--version",
                               "2024_01", "--min-chunk-kb", "16", "--max-chunk-kb", "64"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunStore(store_, {"ingest", Sample("dictdisc.faa"), Sample("mirbase_hairpin.fa.gz"),
                          Sample("uniprot_query.fasta"), Sample("uniprot_titin.fasta.gz"), "--db",
                          "sample", "--version", "1"});
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
  static std::string generated_;
  std::unique_ptr<Mount> mount_;
};

testing::TempDir* MountTest::dir_ = nullptr;
std::string MountTest::store_;
std::string MountTest::generated_;

TEST_F(MountTest, DatabaseFilesAreTheIngestedFilesByteForByte) {
  std::map<std::string, std::string> expected = {
      {"uniprot/2024_01/uniprot.fasta", generated_},
      {"sample/1/dictdisc.faa", ReadAll(Sample("dictdisc.faa"))},
      {"sample/1/uniprot_query.fasta", ReadAll(Sample("uniprot_query.fasta"))},
      {"sample/1/mirbase_hairpin.fa", Shell("zcat " + Sample("mirbase_hairpin.fa.gz"))},
      {"sample/1/uniprot_titin.fasta", Shell("zcat " + Sample("uniprot_titin.fasta.gz"))},
  };
  for (const auto& [rel, bytes] : expected) {
    const std::string path = mnt() / ("databases/" + rel);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(static_cast<size_t>(st.st_size), bytes.size()) << path;
    EXPECT_TRUE(ReadAll(path) == bytes) << path << " differs from the ingested file";
    EXPECT_EQ(Shell("cat '" + path + "' | wc -c"), std::to_string(bytes.size()) + "\n");
  }
  // current follows the newest version; manifest.json is the manifest.
  EXPECT_EQ(fsys::read_symlink(mnt() / "databases/sample/current"), "1");
  auto manifest = nlohmann::json::parse(ReadAll(mnt() / "databases/sample/1/manifest.json"));
  EXPECT_EQ(manifest["database"], "sample");
  EXPECT_EQ(manifest["sources"].size(), 4u);
}

// A store whose chunks use a trained zstd dictionary (FORMAT.md §3.5) reads
// back exactly through the mount: the database file, and every chunk under
// by-hash/ hashes to its name.
TEST(MountDictionary, ChunksCompressedWithADictionaryReadExactly) {
  testing::TempDir dir;
  const std::string release = testing::DictionaryRelease(1);
  testing::WriteFile(dir / "db.fasta", release);
  const std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  auto r = RunStore(store, {"ingest", dir / "db.fasta", "--db", "db", "--version", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> chunks;
  for (const auto& j : nlohmann::json::parse(RunStore(store, {"ls", "--json"}).out)) {
    if (j["kind"] == "chunk" && j.contains("dictionary")) chunks.push_back(j["id"]);
  }
  ASSERT_GT(chunks.size(), 10u) << "the ingest should have trained a chunk dictionary";
  Mount mount(store, dir / "mnt");
  ASSERT_TRUE(mount.ok()) << mount.error();
  EXPECT_TRUE(ReadAll(mount / "databases/db/1/db.fasta") == release);
  for (const std::string& id : chunks) {
    EXPECT_EQ(core::ObjectId::Hash(ReadAll(mount / ("by-hash/" + id))).Hex(), id);
  }
}

TEST_F(MountTest, EveryByHashEntryHashesToItsName) {
  auto listed = RunStore(store_, {"ls", "--json"});
  ASSERT_EQ(listed.exit_code, 0);
  size_t in_store = nlohmann::json::parse(listed.out).size();
  size_t seen = 0;
  for (const auto& entry : fsys::directory_iterator(mnt() / "by-hash")) {
    const std::string name = entry.path().filename();
    const std::string bytes = ReadAll(entry.path());
    EXPECT_EQ(core::ObjectId::Hash(bytes).Hex(), name);
    EXPECT_EQ(fsys::file_size(entry.path()), bytes.size());
    seen++;
  }
  EXPECT_EQ(seen, in_store);
  EXPECT_GT(seen, 20u);
}

TEST_F(MountTest, ByTaxonFilesHoldExactlyTheRecordsOfTheirTaxon) {
  auto expected = RecordsByTaxon(generated_);
  ASSERT_EQ(expected.size(), 12u);
  size_t listed = 0;
  for (const auto& entry : fsys::directory_iterator(mnt() / "by-taxon")) {
    if (fsys::exists(entry.path() / "uniprot.fasta")) listed++;
  }
  EXPECT_EQ(listed, expected.size());
  for (auto& [taxon, records] : expected) {
    const std::string path = mnt() / ("by-taxon/" + std::to_string(taxon) + "/uniprot.fasta");
    std::string bytes = ReadAll(path);
    EXPECT_EQ(fsys::file_size(path), bytes.size());
    auto got = SplitRecords(bytes);
    std::sort(got.begin(), got.end());
    std::sort(records.begin(), records.end());
    EXPECT_TRUE(got == records) << "taxon " << taxon << ": " << got.size() << " records served, "
                                << records.size() << " in the source";
  }
  // The sample's records without a taxon are under 0.
  EXPECT_TRUE(fsys::exists(mnt() / "by-taxon/0/sample.fasta"));
  EXPECT_FALSE(fsys::exists(mnt() / "by-taxon/0/uniprot.fasta"));
}

TEST_F(MountTest, EightConcurrentReadersSeeEveryByteRight) {
  struct Target {
    std::string path, bytes;
  };
  std::vector<Target> targets = {
      {mnt() / "databases/uniprot/2024_01/uniprot.fasta", generated_},
      {mnt() / "by-taxon/9605/uniprot.fasta", ""},
      {mnt() / "databases/sample/1/mirbase_hairpin.fa",
       Shell("zcat " + Sample("mirbase_hairpin.fa.gz"))},
  };
  // The by-taxon file's expected bytes: its records, in source order.
  const auto by_taxon = RecordsByTaxon(generated_);
  for (const auto& r : by_taxon.at(9605)) targets[1].bytes += r;
  std::atomic<uint64_t> reads{0}, wrong{0}, failed{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; t++) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < 300; i++) {
        const Target& target = targets[rng() % targets.size()];
        int fd = ::open(target.path.c_str(), O_RDONLY);
        if (fd < 0) {
          failed++;
          continue;
        }
        const size_t size = target.bytes.size();
        const size_t off = rng() % (size + 100);
        const size_t len = 1 + rng() % (rng() % 4 == 0 ? 2'000'000 : 70'000);
        std::string buf(len, '\0');
        ssize_t got = ::pread(fd, buf.data(), len, static_cast<off_t>(off));
        ::close(fd);
        const size_t want = off >= size ? 0 : std::min(len, size - off);
        // A short read is allowed only at the end of the file.
        if (got < 0 || static_cast<size_t>(got) != want) {
          failed++;
        } else if (buf.compare(0, want, target.bytes, std::min(off, size), want) != 0) {
          if (wrong++ == 0) {
            ADD_FAILURE() << target.path << ": wrong bytes at " << off << " (+" << want << ")";
          }
        }
        reads++;
      }
    });
  }
  for (auto& r : readers) r.join();
  EXPECT_EQ(reads.load(), 2400u);
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_EQ(failed.load(), 0u);
}

TEST_F(MountTest, WritesFailWithErofsAndBadNamesWithEnoent) {
  const std::string file = mnt() / "databases/sample/1/dictdisc.faa";
  errno = 0;
  EXPECT_LT(::open(file.c_str(), O_WRONLY), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_LT(::open((mnt() / "databases/new.txt").c_str(), O_WRONLY | O_CREAT, 0644), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_NE(::mkdir((mnt() / "by-taxon/x").c_str(), 0755), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_NE(::unlink(file.c_str()), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_NE(::rename(file.c_str(), (mnt() / "databases/sample/1/x").c_str()), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_NE(::chmod(file.c_str(), 0777), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_NE(::truncate(file.c_str(), 0), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_NE(::symlink("a", (mnt() / "databases/l").c_str()), 0);
  EXPECT_EQ(errno, EROFS);

  for (const char* bad :
       {"by-hash/zz", "by-hash/0000000000000000000000000000000000000000000000000000000000000000",
        "by-hash/ABCDEF", "by-taxon/abc", "by-taxon/012", "by-taxon/9605/nope.fasta",
        "by-taxon/9605/uniprot.fasta.pin", "databases/nope", "databases/sample/2",
        "databases/sample/1/nope.faa", "reductions/x", "nothing"}) {
    struct stat st {};
    errno = 0;
    EXPECT_NE(::stat((mnt() / bad).c_str(), &st), 0) << bad;
    EXPECT_EQ(errno, ENOENT) << bad;
  }
  EXPECT_TRUE(fsys::is_empty(mnt() / "reductions"));
}

TEST_F(MountTest, StatsJsonCountsWhatWasServed) {
  ReadAll(mnt() / "databases/sample/1/dictdisc.faa");
  auto stats = nlohmann::json::parse(ReadAll(mnt() / ".talaria/stats.json"));
  EXPECT_GE(stats["bytes_served"].get<uint64_t>(), 200598u);
  EXPECT_GT(stats["requests"].get<uint64_t>(), 0u);
  EXPECT_GT(stats["cache"]["misses"].get<uint64_t>(), 0u);
  EXPECT_EQ(stats["errors"].get<uint64_t>(), 0u);
}

TEST_F(MountTest, SigtermUnmountsCleanly) {
  EXPECT_TRUE(mnt().StopWith(SIGTERM));
  EXPECT_FALSE(testing::IsMounted(mnt().path()));
}

TEST_F(MountTest, SigintUnmountsCleanly) {
  EXPECT_TRUE(mnt().StopWith(SIGINT));
  EXPECT_FALSE(testing::IsMounted(mnt().path()));
}

TEST_F(MountTest, FusermountUnmountEndsTheDaemon) {
  EXPECT_EQ(testing::Run({"/bin/fusermount3", "-u", mnt().path()}).exit_code, 0);
  EXPECT_TRUE(mnt().StopWith(0));  // signal 0: only waits for the exit
}

TEST_F(MountTest, VirtualFaiIsWhatSamtoolsWouldWrite) {
  if (!Have("samtools")) GTEST_SKIP() << "samtools is not installed (packaging/install-deps.sh)";
  testing::TempDir native;
  for (const std::string rel :
       {"databases/sample/1/mirbase_hairpin.fa", "databases/uniprot/2024_01/uniprot.fasta",
        "by-taxon/9601/uniprot.fasta"}) {
    const std::string copy = native / fsys::path(rel).filename().string();
    fsys::copy_file(mnt() / rel, copy, fsys::copy_options::overwrite_existing);
    Shell("samtools faidx '" + copy + "'");
    EXPECT_TRUE(ReadAll(copy + ".fai") == ReadAll(mnt() / (rel + ".fai"))) << rel;
  }
  // samtools uses the served .fai read-only and fetches the same region.
  const std::string mounted = mnt() / "databases/sample/1/mirbase_hairpin.fa";
  EXPECT_EQ(Shell("samtools faidx '" + mounted + "' cel-mir-84:10-70 hsa-let-7a-1"),
            Shell("samtools faidx '" + native / "mirbase_hairpin.fa" +
                  "' cel-mir-84:10-70 hsa-let-7a-1"));
  if (Have("seqkit")) {
    EXPECT_EQ(Shell("seqkit faidx '" + mounted + "' hsa-let-7a-1"),
              Shell("seqkit faidx '" + native / "mirbase_hairpin.fa" + "' hsa-let-7a-1"));
  }
}

TEST_F(MountTest, NewVersionAppearsWithoutRemounting) {
  // Look first, so the kernel has cached the old answers.
  EXPECT_FALSE(fsys::exists(mnt() / "databases/sample/2"));
  EXPECT_EQ(fsys::read_symlink(mnt() / "databases/sample/current"), "1");
  testing::TempDir tmp;
  testing::WriteFile(tmp / "extra.fasta", ">new OX=9606\nMKV\n");
  auto r = RunStore(store_, {"ingest", tmp / "extra.fasta", "--db", "sample", "--version", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto start = std::chrono::steady_clock::now();
  while (!fsys::exists(mnt() / "databases/sample/2/extra.fasta") &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(fsys::exists(mnt() / "databases/sample/2/extra.fasta"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the link's attr timeout
  EXPECT_EQ(fsys::read_symlink(mnt() / "databases/sample/current"), "2");
  EXPECT_EQ(ReadAll(mnt() / "by-taxon/9606/sample.fasta"), ">new OX=9606\nMKV\n");
  r = RunStore(store_, {"db", "rm", "sample", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// Peak resident memory of a process, in bytes (VmHWM).
uint64_t PeakRss(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

TEST(MountMemory, StaysBoundedWhateverIsReadOrListed) {
  testing::TempDir dir;
  const std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  const std::string big = MakeDatabase(160'000, 3);
  testing::WriteFile(dir / "big.fasta", big);
  auto r = RunStore(store, {"ingest", dir / "big.fasta", "--db", "big", "--version", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Mount mnt(store, dir / "mnt", {"-o", "cache_mb=16,map_cache_mb=8"});
  ASSERT_TRUE(mnt.ok()) << mnt.error();
  // Everything once: the source, every by-taxon file, every object.
  size_t read = testing::ReadFileOrDie(mnt / "databases/big/1/big.fasta").size();
  for (const auto& t : fsys::directory_iterator(mnt / "by-taxon")) {
    read += testing::ReadFileOrDie(t.path() / "big.fasta").size();
  }
  for (const auto& o : fsys::directory_iterator(mnt / "by-hash")) {
    read += fsys::file_size(o.path());
  }
  EXPECT_GE(read, 2 * big.size());
  // 16 MiB of objects, 8 MiB of maps, 4 MiB of decode buffers, plus
  // threads and their buffers: far below the 320 MB that went through.
  const uint64_t peak = PeakRss(mnt.pid());
  EXPECT_GT(peak, 0u);
  EXPECT_LT(peak, uint64_t{120} << 20) << "daemon peak RSS " << (peak >> 20) << " MiB";
  std::cout << "daemon peak RSS " << (peak >> 20) << " MiB after reading " << (read >> 20)
            << " MiB\n";
}

TEST(MountCommand, WorksFromAnFstabLineAndHasHelp) {
  auto help = testing::Run({testing::DaemonBinary(), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* opt : {"-f", "cache_mb", "allow_other", "fusermount3 -u", "fuse.talariafs"}) {
    EXPECT_NE(help.out.find(opt), std::string::npos) << opt;
  }
  auto bad = testing::Run({testing::DaemonBinary(), "only-one-argument"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("STORE and MOUNTPOINT"), std::string::npos) << bad.err;

  testing::TempDir dir;
  const std::string store = dir / "store", mnt = dir / "mnt";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  testing::WriteFile(dir / "a.fasta", ">a OX=9606\nMKV\n");
  ASSERT_EQ(RunStore(store, {"ingest", dir / "a.fasta", "--db", "a", "--version", "1"}).exit_code,
            0);
  fsys::create_directories(mnt);
  // mount(8) through mount.fuse3, as a boot would from /etc/fstab (here a
  // private fstab, -T); "rw" comes from mount(8) itself.
  testing::WriteFile(dir / "fstab", testing::DaemonBinary() + "#" + store + " " + mnt +
                                        " fuse allow_other,nofail 0 0\n");
  auto mounted = testing::Run({"/bin/mount", "-T", dir / "fstab", mnt});
  ASSERT_EQ(mounted.exit_code, 0) << mounted.err;
  EXPECT_TRUE(testing::IsMounted(mnt));
  std::ifstream mounts("/proc/self/mounts");
  std::string line, options;
  while (std::getline(mounts, line)) {
    if (line.find(" " + mnt + " ") != std::string::npos) options = line;
  }
  for (const char* opt : {"ro,", "nosuid", "nodev", "allow_other", "default_permissions"}) {
    EXPECT_NE(options.find(opt), std::string::npos) << opt << " in " << options;
  }
  EXPECT_EQ(testing::ReadFileOrDie(mnt + "/by-taxon/9606/a.fasta"), ">a OX=9606\nMKV\n");
  EXPECT_EQ(testing::Run({"/bin/fusermount3", "-u", mnt}).exit_code, 0);
  for (int i = 0; i < 100 && testing::IsMounted(mnt); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(testing::IsMounted(mnt));
}

}  // namespace
}  // namespace talaria
