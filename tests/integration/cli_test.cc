// talaria-store as a user meets it: commands, output, exit codes.

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "index/index.h"
#include "store/core/object_id.h"
#include "store/core/store_paths.h"
#include "store/object/object_store.h"
#include "store/object/writable_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

using testing::RunStore;
using testing::TempDir;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = dir_ / "store";
    auto r = testing::Run({testing::StoreBinary(), "init", store_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string Put(const std::string& name, const std::string& data) {
    testing::WriteFile(dir_ / name, data);
    auto r = RunStore(store_, {"put", dir_ / name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 64);
  }
  TempDir dir_;
  std::string store_;
};

TEST_F(CliTest, PutPrintsSha256sumCompatibleLinesAndGetReturnsTheBytes) {
  std::string a = testing::FastaLikeText(200000, 1), b = testing::RandomBytes(70000, 2);
  testing::WriteFile(dir_ / "a.fasta", a);
  testing::WriteFile(dir_ / "b.bin", b);
  auto r = RunStore(store_, {"put", dir_ / "a.fasta", dir_ / "b.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, core::ObjectId::Hash(a).Hex() + "  " + (dir_ / "a.fasta") + "\n" +
                       core::ObjectId::Hash(b).Hex() + "  " + (dir_ / "b.bin") + "\n");
  EXPECT_TRUE(r.err.empty()) << r.err;
  testing::WriteFile(dir_ / "sums", r.out);
  auto sums = testing::Run({"/usr/bin/sha256sum", "-c", "--quiet", dir_ / "sums"});
  EXPECT_EQ(sums.exit_code, 0) << sums.out << sums.err;
  auto got = RunStore(store_, {"get", core::ObjectId::Hash(a).Hex()});
  EXPECT_EQ(got.exit_code, 0);
  EXPECT_EQ(got.out, a);
  auto to_file = RunStore(store_, {"get", core::ObjectId::Hash(b).Hex(), "-o", dir_ / "out"});
  EXPECT_EQ(to_file.exit_code, 0);
  EXPECT_EQ(testing::ReadFileOrDie(dir_ / "out"), b);
}

TEST_F(CliTest, HasAnswersWithItsExitCode) {
  std::string id = Put("x", "some content");
  auto yes = RunStore(store_, {"has", id});
  EXPECT_EQ(yes.exit_code, 0);
  EXPECT_EQ(yes.out, "yes\n");
  auto no = RunStore(store_, {"has", core::ObjectId::Hash("other").Hex()});
  EXPECT_EQ(no.exit_code, 1);
  EXPECT_EQ(no.out, "no\n");
}

TEST_F(CliTest, LsStatsAndVerifyReportWhatIsStored) {
  std::string id = Put("x", testing::FastaLikeText(100000, 3));
  auto ls = RunStore(store_, {"ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0);
  auto arr = nlohmann::json::parse(ls.out);
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0]["id"], id);
  EXPECT_EQ(arr[0]["raw_bytes"], 100000);
  EXPECT_EQ(arr[0]["codec"], "zstd");
  auto stats = RunStore(store_, {"stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0);
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["objects"], 1);
  EXPECT_EQ(s["raw_bytes"], 100000);
  EXPECT_GT(s["compression_ratio"].get<double>(), 2.0);
  auto verify = RunStore(store_, {"verify", "--json"});
  EXPECT_EQ(verify.exit_code, 0);
  auto v = nlohmann::json::parse(verify.out);
  EXPECT_EQ(v["ok"], true);
  EXPECT_EQ(v["objects_checked"], 1);
  auto human = RunStore(store_, {"stats"});
  EXPECT_NE(human.out.find("objects       1"), std::string::npos) << human.out;
}

TEST_F(CliTest, CodecFlagAndStorageTomlChooseTheCodec) {
  std::string text = testing::FastaLikeText(50000, 4);
  testing::WriteFile(dir_ / "t", text);
  ASSERT_EQ(RunStore(store_, {"--codec", "snappy", "put", dir_ / "t"}).exit_code, 0);
  auto ls = nlohmann::json::parse(RunStore(store_, {"ls", "--json"}).out);
  bool found = false;
  for (const auto& o : ls) found |= o["raw_bytes"] == 50000 && o["codec"] == "snappy";
  EXPECT_TRUE(found) << ls.dump();
  auto bad = RunStore(store_, {"--codec", "zstd:99", "put", dir_ / "t"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("zstd levels are 1 to 22"), std::string::npos) << bad.err;
}

TEST_F(CliTest, UsageErrorsExitTwoAndErrorsAreOneLineOnStderr) {
  auto none = testing::Run({testing::StoreBinary()});
  EXPECT_EQ(none.exit_code, 2);
  auto unknown = RunStore(store_, {"get"});
  EXPECT_EQ(unknown.exit_code, 2);
  auto bad_id = RunStore(store_, {"get", "xyz"});
  EXPECT_EQ(bad_id.exit_code, 1);
  EXPECT_TRUE(bad_id.out.empty());
  EXPECT_EQ(std::count(bad_id.err.begin(), bad_id.err.end(), '\n'), 1) << bad_id.err;
  EXPECT_EQ(bad_id.err.rfind("talaria-store: ", 0), 0u) << bad_id.err;
  auto gc_without_roots = RunStore(store_, {"gc"});
  EXPECT_EQ(gc_without_roots.exit_code, 1);
  EXPECT_NE(gc_without_roots.err.find("nothing to keep"), std::string::npos);
}

TEST_F(CliTest, HelpExplainsEveryCommand) {
  auto help = testing::Run({testing::StoreBinary(), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd : {"init", "put", "get", "has", "ls", "stats", "verify", "gc", "index"}) {
    EXPECT_NE(help.out.find(cmd), std::string::npos) << cmd;
  }
  auto verify_help = testing::Run({testing::StoreBinary(), "verify", "--help"});
  EXPECT_NE(verify_help.out.find("hash_mismatch"), std::string::npos);
}

TEST_F(CliTest, GcKeepsWhatTheKeepFileNamesAndDryRunChangesNothing) {
  std::string keep = Put("k", testing::RandomBytes(300000, 5));
  std::string drop = Put("d", testing::RandomBytes(300000, 6));
  testing::WriteFile(dir_ / "keep.txt", "# roots\n" + keep + "  k\n\n");
  auto dry = RunStore(store_, {"gc", "--keep-file", dir_ / "keep.txt", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(nlohmann::json::parse(dry.out)["objects_removed"], 1);
  EXPECT_EQ(RunStore(store_, {"has", drop}).exit_code, 0);
  auto gc = RunStore(store_, {"gc", "--keep-file", dir_ / "keep.txt"});
  ASSERT_EQ(gc.exit_code, 0) << gc.err;
  EXPECT_NE(gc.out.find("removed 1 of 2 objects"), std::string::npos) << gc.out;
  EXPECT_EQ(RunStore(store_, {"has", drop}).exit_code, 1);
  EXPECT_EQ(RunStore(store_, {"has", keep}).exit_code, 0);
  testing::WriteFile(dir_ / "bad.txt", keep + "\nnot-an-id\n");
  auto bad = RunStore(store_, {"gc", "--keep-file", dir_ / "bad.txt"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.txt:2"), std::string::npos) << bad.err;
}

TEST_F(CliTest, VerifyRepairRestoresLostIndexEntriesAndListsWhatItCannotMend) {
  std::string lost, damaged;
  for (int i = 0; i < 2; i++) {
    std::string id = Put("f" + std::to_string(i), testing::FastaLikeText(20000, i));
    (i == 0 ? lost : damaged) = id;
  }
  auto ls = nlohmann::json::parse(RunStore(store_, {"ls", "--json"}).out);
  nlohmann::json victim;
  for (const auto& o : ls) {
    if (o["id"] == damaged) victim = o;
  }
  // Lose one object's index entry (its record stays in the pack) ...
  {
    store::OpenOptions o;
    auto config = store::ObjectStore::LoadConfig(store_);
    ASSERT_TRUE(config);
    auto store = store::WritableStore::Open(store_, *config, o);
    ASSERT_TRUE(store);
    auto id = core::ObjectId::Parse(lost);
    ASSERT_OK(id);
    ASSERT_TRUE((*store)->index().Update(
        [&](index::WriteTxn& txn) { return (*store)->index().objects().Delete(txn, *id); }));
  }
  // ... and damage the other's bytes in its pack.
  {
    std::fstream pack(store::StorePaths(store_).pack_file(victim["pack"].get<uint64_t>()),
                      std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(victim["offset"].get<uint64_t>() + 200);
    pack.seekp(at);
    pack.write("XXXX", 4);
  }
  EXPECT_EQ(RunStore(store_, {"has", lost}).exit_code, 1);
  auto before = RunStore(store_, {"verify"});
  EXPECT_EQ(before.exit_code, 1);
  EXPECT_NE(before.out.find(damaged), std::string::npos) << before.out;

  auto repair = RunStore(store_, {"verify", "--repair"});
  EXPECT_EQ(repair.exit_code, 1) << "the damaged object cannot be mended";
  EXPECT_NE(repair.out.find("not repaired: " + damaged), std::string::npos) << repair.out;
  EXPECT_EQ(RunStore(store_, {"has", lost}).exit_code, 0) << "the rebuilt index finds it again";
  EXPECT_EQ(RunStore(store_, {"get", lost}).out, testing::FastaLikeText(20000, 0));
  auto after = nlohmann::json::parse(RunStore(store_, {"verify", "--json"}).out);
  ASSERT_EQ(after["errors"].size(), 1u);
  EXPECT_EQ(after["errors"][0]["id"], damaged);
}

// Every file of a store, by path, but its lock files: runtime state, not
// content (writer.lock is empty; LMDB's lock.mdb records who reads the index).
std::map<std::string, std::string> TreeFiles(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = e.path().filename();
    if (e.is_regular_file() && name != "writer.lock" && name != "lock.mdb") {
      files[e.path()] = testing::ReadFileOrDie(e.path());
    }
  }
  return files;
}

TEST_F(CliTest, AnalyzeFindsDeltaAndGarbageOpportunitiesAndChangesNothing) {
  std::string v1, v2;
  for (int i = 0; i < 4000; i++) {
    std::string seq = testing::FastaLikeText(400, i % 997);
    std::string residues;
    for (char c : seq) {
      if (c >= 'A' && c <= 'Z') residues += c;
    }
    std::string rec = ">q" + std::to_string(i) + " OX=" + std::to_string(30 + i % 4) + "\n";
    v1 += rec + residues + "\n";
    v2 += rec + (i % 9 == 0 ? "M" : "") + residues + "\n";
  }
  for (const auto& [v, text] : {std::pair{"1", v1}, std::pair{"2", v2}}) {
    testing::WriteFile(dir_ / "db.fasta", text);
    auto r = RunStore(store_, {"ingest", dir_ / "db.fasta", "--db", "db", "--version", v,
                               "--no-delta", "--min-chunk-kb", "16", "--max-chunk-kb", "64"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto files = TreeFiles(store_);
  auto analyzed = RunStore(store_, {"analyze", "--json"});
  ASSERT_EQ(analyzed.exit_code, 0) << analyzed.err;
  EXPECT_TRUE(TreeFiles(store_) == files) << "analyze changed the store";
  auto a = nlohmann::json::parse(analyzed.out);
  EXPECT_GT(a["delta_encoding"]["candidates"].get<uint64_t>(), 10u);
  EXPECT_GT(a["delta_encoding"]["saving_bytes"].get<uint64_t>(), 0u);
  // Unreferenced: what gc would remove (here a superseded catalogue snapshot).
  auto dry = nlohmann::json::parse(RunStore(store_, {"gc", "--dry-run", "--json"}).out);
  EXPECT_EQ(a["unreferenced"]["objects"], dry["objects_removed"]);
  EXPECT_LE(a["unreferenced"]["objects"].get<uint64_t>(), 1u);
  // Once version 1 is gone, its objects are garbage, as gc then finds.
  ASSERT_EQ(RunStore(store_, {"db", "rm", "db", "1"}).exit_code, 0);
  auto after = nlohmann::json::parse(RunStore(store_, {"analyze", "--json"}).out);
  auto gc = nlohmann::json::parse(RunStore(store_, {"gc", "--json"}).out);
  EXPECT_GT(after["unreferenced"]["objects"].get<uint64_t>(), 10u);
  EXPECT_EQ(after["unreferenced"]["objects"], gc["objects_removed"]);
  EXPECT_EQ(after["unreferenced"]["bytes"], gc["bytes_removed"]);
}

void IngestReleases(const std::string& store, const std::string& dir,
                    const std::map<std::string, std::string>& releases) {
  for (const auto& [v, text] : releases) {
    testing::WriteFile(dir + "/db.fasta", text);
    auto r = RunStore(store, {"ingest", dir + "/db.fasta", "--db", "db", "--version", v,
                              "--no-delta", "--min-chunk-kb", "16", "--max-chunk-kb", "64"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
}

std::map<std::string, std::string> TwoReleases() {
  testing::ReleaseSpec spec;
  spec.records = 8000;
  spec.line_width = 60;
  spec.family_size = 8;
  return {{"1", testing::ProteinRelease(spec, 1)}, {"2", testing::ProteinRelease(spec, 2)}};
}

TEST_F(CliTest, OptimizeDryRunAndEstimateChangeNothingAndARunKeepsEveryByte) {
  const auto releases = TwoReleases();
  IngestReleases(store_, dir_.path(), releases);
  // Reads a daemon counted and has not handed over yet: only a real run folds them.
  std::filesystem::create_directories(store_ + "/access");
  testing::WriteFile(store_ + "/access/1-0.counts",
                     core::ObjectId::Hash("not a chunk").Hex() + "\t3\n");
  auto files = TreeFiles(store_);
  auto estimate = RunStore(store_, {"optimize", "--strategies", "all", "--estimate", "--json"});
  ASSERT_EQ(estimate.exit_code, 0) << estimate.err;
  auto dry = RunStore(store_, {"optimize", "--strategies", "all", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_TRUE(TreeFiles(store_) == files) << "--estimate or --dry-run changed the store";
  auto e = nlohmann::json::parse(estimate.out), d = nlohmann::json::parse(dry.out);
  EXPECT_EQ(e["strategies"].size(), 8u);
  EXPECT_GT(d["bytes_saved"].get<uint64_t>(), 0u);

  auto run = RunStore(store_, {"optimize", "--strategies", "all", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto r = nlohmann::json::parse(run.out);
  EXPECT_TRUE(r["verify_problems"].empty());
  EXPECT_GT(r["verified_objects"].get<uint64_t>(), 0u);
  EXPECT_LT(r["pack_bytes_after"].get<uint64_t>(), r["pack_bytes_before"].get<uint64_t>());
  EXPECT_FALSE(std::filesystem::exists(store_ + "/access/1-0.counts"));
  for (const auto& [v, text] : releases) {
    auto out = RunStore(store_, {"db", "export", "db/" + v});
    EXPECT_TRUE(out.exit_code == 0 && out.out == text) << "db/" << v << " differs";
  }
  EXPECT_EQ(RunStore(store_, {"verify"}).exit_code, 0);
  // Usage errors are usage errors.
  EXPECT_EQ(RunStore(store_, {"optimize", "--strategies", "Shrink"}).exit_code, 2);
  EXPECT_EQ(
      RunStore(store_, {"optimize", "--strategies", "all", "--target-savings", "5X"}).exit_code, 2);
}

TEST_F(CliTest, DbRmThenGcGivesBackWhatThatVersionAloneHeld) {
  IngestReleases(store_, dir_.path(), TwoReleases());  // one pack: the writer's
  auto stats = [&] { return nlohmann::json::parse(RunStore(store_, {"stats", "--json"}).out); };
  const uint64_t before = stats()["pack_bytes"].get<uint64_t>();
  ASSERT_EQ(RunStore(store_, {"db", "rm", "db", "1"}).exit_code, 0);
  auto dry = nlohmann::json::parse(RunStore(store_, {"gc", "--dry-run", "--json"}).out);
  const uint64_t alone = dry["bytes_removed"].get<uint64_t>();
  EXPECT_GT(alone, before / 10);
  auto gc = RunStore(store_, {"gc", "--json"});
  ASSERT_EQ(gc.exit_code, 0) << gc.err;
  auto after = stats();
  EXPECT_EQ(after["garbage_bytes"].get<uint64_t>(), 0u);
  // All of it, but for a fresh pack header and the catalogue snapshot db rm wrote.
  EXPECT_NEAR(static_cast<double>(after["pack_bytes"].get<uint64_t>()),
              static_cast<double>(before - alone), 1024.0);
}

}  // namespace
}  // namespace talaria
