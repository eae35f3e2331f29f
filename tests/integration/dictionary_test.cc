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

// `optimize --strategies Dictionaries` (with extra arguments) as JSON: the
// strategy's result.
nlohmann::json OptimizeDictionaries(const std::string& store, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"optimize", "--strategies", "Dictionaries", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = RunStore(store, args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded() || j["strategies"].empty()) return nlohmann::json::object();
  return j["strategies"][0];
}

TEST(Dictionary, OptimizeTrainsOneForAStoreIngestedWithout) {
  testing::TempDir dir;
  const std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  testing::WriteFile(store + "/storage.toml", "[storage]\ndictionaries = false\n");
  const std::string release = testing::DictionaryRelease(1);
  testing::WriteFile(dir / "r1.fasta", release);
  Ingest(store, dir / "r1.fasta", "1");
  ASSERT_TRUE(ListObjects(store).dictionaries.empty());
  // Turned off: the strategy says so and does nothing.
  auto off = OptimizeDictionaries(store);
  EXPECT_EQ(off["changed"], 0);
  EXPECT_NE(off["detail"].get<std::string>().find("turned off"), std::string::npos) << off;

  testing::WriteFile(store + "/storage.toml", "[storage]\ndictionaries = true\n");
  // A dry run says what a real run then does, and writes nothing.
  auto dry = OptimizeDictionaries(store, {"--dry-run"});
  EXPECT_GT(dry["changed"].get<uint64_t>(), 10u) << dry;
  EXPECT_TRUE(ListObjects(store).dictionaries.empty());
  auto run = OptimizeDictionaries(store);
  EXPECT_EQ(run["changed"], dry["changed"]) << run;
  EXPECT_EQ(run["bytes_saved"], dry["bytes_saved"]);
  const Objects after = ListObjects(store);
  ASSERT_EQ(after.dictionaries.size(), 1u) << run;
  EXPECT_EQ(after.users.at(after.dictionaries[0]), run["changed"].get<int>());
  EXPECT_EQ(RunStore(store, {"db", "export", "db/1"}).out, release);
  auto verify = RunStore(store, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // Nothing moved on since: a second run changes nothing.
  auto again = OptimizeDictionaries(store);
  EXPECT_EQ(again["changed"], 0) << again;
  EXPECT_EQ(ListObjects(store).dictionaries, after.dictionaries);
}

TEST(Dictionary, OptimizeRetrainsWhenTheDataHasMovedOn) {
  testing::TempDir dir;
  const std::string store = StoreWithRelease1(dir);
  const Objects first = ListObjects(store);
  ASSERT_EQ(first.dictionaries.size(), 1u);
  // Release 2 is other families of other taxa with other headers: the first
  // dictionary knows little of it, and none of its chunks is a delta.
  testing::ReleaseSpec spec;
  spec.records = 24000;
  spec.taxa = 40;
  spec.first_taxon = 5000;
  spec.min_length = 300;
  spec.line_width = 60;
  spec.family_size = 6;
  spec.seed = 99;
  spec.id_prefix = "tr|A0A";
  spec.id_suffix = "|A0A_METAG Uncharacterized protein OS=uncultured marine bacterium";
  const std::string other = testing::ProteinRelease(spec, 1);
  testing::WriteFile(dir / "r2.fasta", other);
  Ingest(store, dir / "r2.fasta", "2");
  ASSERT_EQ(ListObjects(store).dictionaries, first.dictionaries);

  auto run = OptimizeDictionaries(store);
  EXPECT_GT(run["changed"].get<uint64_t>(), 10u) << run;
  EXPECT_GT(run["bytes_saved"].get<uint64_t>(), 0u) << run;
  const Objects after = ListObjects(store);
  ASSERT_EQ(after.dictionaries.size(), 2u) << run;
  std::string second;
  for (const auto& d : after.dictionaries) {
    if (d != first.dictionaries[0]) second = d;
  }
  EXPECT_EQ(after.users.at(second), run["changed"].get<int>());
  // Both versions read back exactly; the store verifies.
  EXPECT_EQ(RunStore(store, {"db", "export", "db/2"}).out, other);
  EXPECT_EQ(RunStore(store, {"db", "export", "db/1"}).out,
            testing::ReadFileOrDie(dir / "r1.fasta"));
  auto verify = RunStore(store, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // A second run keeps the new one.
  auto again = OptimizeDictionaries(store);
  EXPECT_EQ(again["changed"], 0) << again;
  // gc keeps the first while release 1's chunks use it, drops it with them.
  ASSERT_EQ(RunStore(store, {"gc"}).exit_code, 0);
  EXPECT_EQ(ListObjects(store).dictionaries.size(),
            after.users.count(first.dictionaries[0]) ? 2u : 1u);
  ASSERT_EQ(RunStore(store, {"db", "rm", "db", "1"}).exit_code, 0);
  ASSERT_EQ(RunStore(store, {"gc"}).exit_code, 0);
  EXPECT_EQ(ListObjects(store).dictionaries, std::vector<std::string>{second});
  EXPECT_EQ(RunStore(store, {"db", "export", "db/2"}).out, other);
  EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0);
}

TEST(Dictionary, SigkillDuringARetrainingOptimizeLeavesAStoreThatVerifies) {
  testing::TempDir dir;
  const std::string release = testing::DictionaryRelease(1);
  testing::WriteFile(dir / "r1.fasta", release);
  auto fresh = [&](const std::string& name) {
    std::string store = dir / name;
    EXPECT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
    testing::WriteFile(store + "/storage.toml", "[storage]\ndictionaries = false\n");
    Ingest(store, dir / "r1.fasta", "1");
    testing::WriteFile(store + "/storage.toml", "[storage]\ndictionaries = true\n");
    return store;
  };
  const std::vector<std::string> optimize = {"optimize", "--strategies", "Dictionaries"};
  const std::string probe = fresh("probe");
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RunStore(probe, optimize).exit_code, 0);
  const double full_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::mt19937_64 rng(2026120502);
  int killed = 0;
  for (int round = 0; round < 4; ++round) {
    const std::string store = fresh("s" + std::to_string(round));
    std::vector<std::string> argv = {testing::StoreBinary(), "--store", store};
    argv.insert(argv.end(), optimize.begin(), optimize.end());
    pid_t pid = testing::Spawn(argv);
    std::uniform_real_distribution<double> when(0.1 * full_ms, 0.9 * full_ms);
    killed += testing::KillAfter(pid, static_cast<int64_t>(when(rng) * 1000));
    auto verify = RunStore(store, {"verify"});
    ASSERT_EQ(verify.exit_code, 0) << "round " << round << ": " << verify.out << verify.err;
    EXPECT_EQ(RunStore(store, {"db", "export", "db/1"}).out, release) << "round " << round;
    // Running it again finishes the move: every whole chunk on one dictionary.
    ASSERT_EQ(RunStore(store, optimize).exit_code, 0);
    const Objects o = ListObjects(store);
    ASSERT_EQ(o.dictionaries.size(), 1u) << "round " << round;
    EXPECT_EQ(o.users, ListObjects(probe).users) << "round " << round;
    EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0);
  }
  EXPECT_GE(killed, 2) << "the kills should mostly land while optimizing";
}

}  // namespace
}  // namespace talaria
