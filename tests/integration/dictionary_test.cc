// zstd dictionaries end to end: ingest trains one from its first batch,
// objects use them and read back exactly, gc keeps them while used and drops
// them (with the index's pointer) when not, a rolled-back ingest takes its
// dictionary with it, and a writer killed while training leaves a store that
// verify passes.

#include <chrono>
#include <cstdio>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/pack/frame.h"
#include "store/pack/zstd_dictionary.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

using testing::RunStore;

struct Objects {
  std::vector<std::string> dictionaries;   // ids of kind dictionary
  std::map<std::string, int> users;        // dictionary id -> objects using it
  std::map<std::string, int> kinds_using;  // kind -> objects using a dictionary
};

Objects ListObjects(const std::string& store) {
  auto ls = RunStore(store, {"ls", "--json"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  Objects o;
  for (const auto& j : nlohmann::json::parse(ls.out)) {
    if (j["kind"] == "dictionary") o.dictionaries.push_back(j["id"]);
    if (j.contains("dictionary")) {
      o.users[j["dictionary"]]++;
      o.kinds_using[j["kind"]]++;
    }
  }
  return o;
}

void Ingest(const std::string& store, const std::string& file, const std::string& version) {
  auto r = RunStore(store, {"ingest", file, "--db", "db", "--version", version});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// A fresh store at dir/store holding DictionaryRelease(1) as db/1 (file
// dir/r1.fasta).
std::string StoreWithRelease1(const testing::TempDir& dir) {
  std::string store = dir / "store";
  EXPECT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  testing::WriteFile(dir / "r1.fasta", testing::DictionaryRelease(1));
  Ingest(store, dir / "r1.fasta", "1");
  return store;
}

TEST(Dictionary, FrameRoundTripNeedsItsDictionary) {
  std::vector<std::string> samples;
  for (int i = 0; i < 40; ++i) samples.push_back(testing::FastaLikeText(64 << 10, 100 + i));
  std::vector<std::string_view> views(samples.begin(), samples.end());
  auto trained = store::TrainZstdDictionary(views, 32 << 10);
  ASSERT_OK(trained);
  store::ZstdDictionary dict(*trained);
  const std::string raw = testing::FastaLikeText(50000, 999);
  auto frame = store::EncodeFrame(store::CodecSpec{}, raw, {}, &dict);
  ASSERT_OK(frame);
  auto h = store::ParseFrameHeader(*frame);
  ASSERT_OK(h);
  EXPECT_TRUE(h->uses_dictionary());
  auto back = store::DecodeFrame(*frame, {}, &dict);
  ASSERT_OK(back);
  EXPECT_EQ(*back, raw);
  // Without it: an error. (With another dictionary zstd may decode wrong
  // bytes: the record names its dictionary by SHA-256 and the store checks
  // the object's own hash, which is what keeps them from a reader.)
  EXPECT_FALSE(store::DecodeFrame(*frame));
  // Too few samples: no dictionary, a clear error.
  auto few = store::TrainZstdDictionary(std::span(views).first(2), 32 << 10);
  EXPECT_FALSE(few);
}

TEST(Dictionary, IngestTrainsThemAndEveryReleaseExportsExactly) {
  testing::TempDir dir;
  std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  const std::string r1 = testing::DictionaryRelease(1), r2 = testing::DictionaryRelease(2);
  testing::WriteFile(dir / "r1.fasta", r1);
  testing::WriteFile(dir / "r2.fasta", r2);
  Ingest(store, dir / "r1.fasta", "1");
  Objects after1 = ListObjects(store);
  ASSERT_EQ(after1.dictionaries.size(), 1u) << "one for chunks (record indexes use none)";
  EXPECT_GT(after1.kinds_using["chunk"], 10);
  EXPECT_EQ(after1.kinds_using.size(), 1u);
  // Release 2 reuses them (no new training) for what is not a delta.
  Ingest(store, dir / "r2.fasta", "2");
  Objects after2 = ListObjects(store);
  EXPECT_EQ(after2.dictionaries, after1.dictionaries);
  EXPECT_EQ(RunStore(store, {"db", "export", "db/1"}).out, r1);
  EXPECT_EQ(RunStore(store, {"db", "export", "db/2"}).out, r2);
  auto verify = RunStore(store, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // The same data without dictionaries takes more room.
  std::string plain = dir / "plain";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", plain}).exit_code, 0);
  testing::WriteFile(plain + "/storage.toml", "[storage]\ndictionaries = false\n");
  Ingest(plain, dir / "r1.fasta", "1");
  EXPECT_TRUE(ListObjects(plain).dictionaries.empty());
  auto stored = [](const std::string& s) {
    return nlohmann::json::parse(RunStore(s, {"stats", "--json"}).out)["stored_bytes"]
        .get<uint64_t>();
  };
  std::string one = dir / "one";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", one}).exit_code, 0);
  Ingest(one, dir / "r1.fasta", "1");
  EXPECT_LT(stored(one), stored(plain));
}

TEST(Dictionary, GcKeepsThemWhileUsedAndDropsThemWhenNot) {
  testing::TempDir dir;
  const std::string store = StoreWithRelease1(dir);
  const Objects before = ListObjects(store);
  ASSERT_EQ(before.dictionaries.size(), 1u);
  ASSERT_EQ(RunStore(store, {"gc"}).exit_code, 0);
  EXPECT_EQ(ListObjects(store).dictionaries, before.dictionaries) << "used: kept";
  EXPECT_EQ(RunStore(store, {"db", "export", "db/1"}).out,
            testing::ReadFileOrDie(dir / "r1.fasta"));

  ASSERT_EQ(RunStore(store, {"db", "rm", "db", "1"}).exit_code, 0);
  ASSERT_EQ(RunStore(store, {"gc"}).exit_code, 0);
  EXPECT_TRUE(ListObjects(store).dictionaries.empty()) << "unused: removed";
  auto verify = RunStore(store, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // The index no longer names them: the next ingest trains new ones.
  testing::WriteFile(dir / "other.fasta", testing::DictionaryRelease(1, 99));
  Ingest(store, dir / "other.fasta", "2");
  const Objects again = ListObjects(store);
  EXPECT_EQ(again.dictionaries.size(), 1u);
  EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0);
}

TEST(Dictionary, AnIngestRolledBackOnBadInputTakesItsDictionaryWithIt) {
  testing::TempDir dir;
  std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  // The first batch (8 MiB) trains the dictionaries; the damage comes after.
  std::string bad =
      testing::DictionaryRelease(1) + testing::DictionaryRelease(1, 3) + ">broken\nMK\x02Q\n";
  testing::WriteFile(dir / "bad.fasta", bad);
  auto r = RunStore(store, {"ingest", dir / "bad.fasta", "--db", "db", "--version", "1"});
  ASSERT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad.fasta"), std::string::npos) << r.err;
  EXPECT_TRUE(ListObjects(store).dictionaries.empty());
  auto verify = RunStore(store, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  testing::WriteFile(dir / "good.fasta", testing::DictionaryRelease(1));
  Ingest(store, dir / "good.fasta", "1");
  EXPECT_EQ(ListObjects(store).dictionaries.size(), 1u);
}

TEST(Dictionary, SigkillWhileAnIngestTrainsLeavesAStoreThatVerifies) {
  testing::TempDir dir;
  const std::string release = testing::DictionaryRelease(1);
  testing::WriteFile(dir / "r1.fasta", release);
  // Time one whole ingest, then kill others at points spread over it.
  std::string probe = dir / "probe";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", probe}).exit_code, 0);
  auto start = std::chrono::steady_clock::now();
  Ingest(probe, dir / "r1.fasta", "1");
  const double full_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::mt19937_64 rng(2026120501);
  int killed = 0;
  for (int round = 0; round < 6; ++round) {
    std::string store = dir / ("s" + std::to_string(round));
    ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
    pid_t pid = testing::Spawn({testing::StoreBinary(), "--store", store, "ingest",
                                dir / "r1.fasta", "--db", "db", "--version", "1"});
    std::uniform_real_distribution<double> when(0.1 * full_ms, 0.9 * full_ms);
    killed += testing::KillAfter(pid, static_cast<int64_t>(when(rng) * 1000));
    auto verify = RunStore(store, {"verify"});
    ASSERT_EQ(verify.exit_code, 0) << "round " << round << ": " << verify.out << verify.err;
    Ingest(store, dir / "r1.fasta", "1");
    EXPECT_EQ(RunStore(store, {"db", "export", "db/1"}).out, release) << "round " << round;
    EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0);
    EXPECT_LE(ListObjects(store).dictionaries.size(), 2u);
  }
  EXPECT_GE(killed, 3) << "the kills should mostly land while ingesting";
}

TEST(Dictionary, ADamagedDictionaryIsReportedAndNeverDecodesWrongBytes) {
  testing::TempDir dir;
  const std::string store = StoreWithRelease1(dir);
  auto ls = nlohmann::json::parse(RunStore(store, {"ls", "--json"}).out);
  std::string dict_id;
  uint64_t pack = 0, offset = 0;
  for (const auto& j : ls) {
    if (j["kind"] == "dictionary") {
      dict_id = j["id"];
      pack = j["pack"];
      offset = j["offset"];
    }
  }
  ASSERT_FALSE(dict_id.empty());
  char name[64];
  std::snprintf(name, sizeof name, "/packs/%02x/%016llx.pack", static_cast<unsigned>(pack & 0xff),
                static_cast<unsigned long long>(pack));
  // A byte in the middle of the dictionary's stored payload.
  testing::MustSh("printf '\\377' | dd of=" + store + name + " bs=1 seek=" +
                  std::to_string(offset + 96 + 32 + 200) + " conv=notrunc status=none");
  auto out = RunStore(store, {"db", "export", "db/1"});
  EXPECT_NE(out.exit_code, 0);
  EXPECT_NE(out.out, testing::ReadFileOrDie(dir / "r1.fasta"));
  auto verify = RunStore(store, {"verify"});
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_NE(verify.out.find(dict_id), std::string::npos) << verify.out;
}

}  // namespace
}  // namespace talaria
