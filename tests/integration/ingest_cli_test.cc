// talaria-store ingest / db / taxonomy / query as users run them, including
// SIGKILL during an ingest and resuming it.

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/test_util.h"

namespace talaria {
namespace {

using testing::RunStore;

std::string Sample(const std::string& name) {
  return std::string(TALARIA_SOURCE_DIR) + "/tests/data/" + name;
}

// ~`mb` MB of FASTA over 30 taxa in batches, like a UniProt release.
std::string MakeDatabase(int mb) {
  std::string out;
  for (int i = 0; out.size() < static_cast<size_t>(mb) << 20; ++i) {
    out += ">sp|B" + std::to_string(i) + "|P" + std::to_string(i) +
           " Protein OX=" + std::to_string(100 + (i / 40) % 30) + "\n";
    std::string seq = testing::FastaLikeText(900, i % 5000);
    std::string residues;
    for (char c : seq) {
      if (c >= 'A' && c <= 'Z') residues += c;
    }
    residues.resize(std::min<size_t>(residues.size(), 200 + (i * 13) % 500));
    for (size_t k = 0; k < residues.size(); k += 60) out += residues.substr(k, 60) + "\n";
  }
  return out;
}

TEST(IngestCli, SigkillThenRerunResumesAndGivesTheSameResult) {
  testing::TempDir dir;
  testing::WriteFile(dir / "db.fasta", MakeDatabase(24));
  std::vector<std::string> ingest = {"ingest", dir / "db.fasta", "--db", "big",   "--version",
                                     "1",      "--batch-mb",     "1",    "--json"};
  // The uninterrupted reference.
  std::string ref = dir / "ref";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", ref}).exit_code, 0);
  auto start = std::chrono::steady_clock::now();
  auto whole = RunStore(ref, ingest);
  double full_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  std::string manifest = nlohmann::json::parse(whole.out)["manifest"];

  std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  std::mt19937_64 rng(42);
  int killed = 0;
  for (int round = 0; round < 4; ++round) {
    std::vector<std::string> argv = {testing::StoreBinary(), "--store", store};
    argv.insert(argv.end(), ingest.begin(), ingest.end());
    pid_t pid = testing::Spawn(argv);
    // Early in the run: each rerun resumes, so it has less left to do, and
    // a late kill would find it finished.
    std::uniform_real_distribution<double> when(0.1 * full_ms, 0.5 * full_ms);
    killed += testing::KillAfter(pid, static_cast<int64_t>(when(rng) * 1000));
    auto verify = RunStore(store, {"verify"});
    ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }
  EXPECT_GE(killed, 2) << "the kills should land during the ingest";
  auto last = RunStore(store, ingest);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  auto result = nlohmann::json::parse(last.out);
  EXPECT_EQ(result["manifest"], manifest) << "a resumed ingest must equal an uninterrupted one";
  if (!result["already_present"].get<bool>()) {
    EXPECT_TRUE(result["resumed"].get<bool>());
    EXPECT_LT(result["chunks_new"].get<uint64_t>(), result["chunks"].get<uint64_t>())
        << "chunks stored before the kills must not be stored again";
  }
  auto exported = RunStore(store, {"db", "export", "big", "-o", dir / "out.fasta"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(testing::Run({"/usr/bin/cmp", dir / "db.fasta", dir / "out.fasta"}).exit_code, 0);
  std::printf("[ info ] %d of 4 ingests killed mid-way; the re-run %s (%s chunks already stored)\n",
              killed, result["resumed"].get<bool>() ? "resumed" : "found the version complete",
              result["resumed_chunks"].dump().c_str());
}

TEST(IngestCli, DatabaseTaxonomyAndQueryCommands) {
  testing::TempDir dir;
  std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  auto r =
      RunStore(store, {"ingest", Sample("uniprot_query.fasta"), Sample("uniprot_titin.fasta.gz"),
                       "--db", "sample", "--version", "2026_01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ingested sample/2026_01: 501 records"), std::string::npos) << r.out;

  auto ls = nlohmann::json::parse(RunStore(store, {"db", "ls", "--json"}).out);
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0]["current"], "2026_01");
  auto show = nlohmann::json::parse(RunStore(store, {"db", "show", "sample", "--json"}).out);
  EXPECT_EQ(show["sources"].size(), 2u);
  EXPECT_EQ(show["sources"][1]["name"], "uniprot_titin.fasta");
  EXPECT_EQ(show["sources"][1]["encoding"], "gzip");

  auto exp = RunStore(store, {"db", "export", "sample/2026_01", "--file", "uniprot_query.fasta"});
  EXPECT_EQ(exp.exit_code, 0);
  EXPECT_EQ(exp.out, testing::ReadFileOrDie(Sample("uniprot_query.fasta")));
  auto ambiguous = RunStore(store, {"db", "export", "sample"});
  EXPECT_EQ(ambiguous.exit_code, 1);
  EXPECT_NE(ambiguous.err.find("--file"), std::string::npos);

  auto stats = nlohmann::json::parse(RunStore(store, {"taxonomy", "stats", "--json"}).out);
  EXPECT_EQ(stats["records"], 501);
  bool fly = false;
  for (const auto& t : stats["taxa"]) fly |= t["taxon"] == 7227 && t["records"] == 1;
  EXPECT_TRUE(fly) << stats.dump();
  auto q = nlohmann::json::parse(RunStore(store, {"query", "--taxon", "7227", "--json"}).out);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0]["records"], 1);
  auto sub = RunStore(store, {"query", "--taxon", "7227", "--subtree"});
  EXPECT_EQ(sub.exit_code, 1);
  EXPECT_NE(sub.err.find("taxonomy load"), std::string::npos);

  auto bad = RunStore(store, {"ingest", dir / "missing.fasta", "--db", "x", "--version", "1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("missing.fasta"), std::string::npos);
  auto rm = RunStore(store, {"db", "rm", "sample", "2026_01"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(RunStore(store, {"db", "ls", "--json"}).out, "[]\n");
  // The (now empty) catalogue is the only root: gc frees everything the version used.
  auto gc = RunStore(store, {"gc", "--json"});
  ASSERT_EQ(gc.exit_code, 0) << gc.err;
  auto freed = nlohmann::json::parse(gc.out);
  EXPECT_EQ(freed["objects_removed"].get<uint64_t>() + 1, freed["objects_before"].get<uint64_t>());
  auto left = nlohmann::json::parse(RunStore(store, {"stats", "--json"}).out);
  EXPECT_EQ(left["objects"], 1);
}

}  // namespace
}  // namespace talaria

namespace talaria {
namespace {

TEST(IngestCli, IndexRebuildRestoresTheCatalogueAndChunkIndex) {
  testing::TempDir dir;
  std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  ASSERT_EQ(
      RunStore(store, {"ingest", Sample("dictdisc.faa"), "--db", "a", "--version", "1"}).exit_code,
      0);
  ASSERT_EQ(
      RunStore(store, {"ingest", Sample("uniprot_titin.fasta.gz"), "--db", "a", "--version", "2"})
          .exit_code,
      0);
  ASSERT_EQ(
      RunStore(store, {"ingest", Sample("uniprot_query.fasta"), "--db", "b", "--version", "x"})
          .exit_code,
      0);
  ASSERT_EQ(RunStore(store, {"db", "rm", "b", "x"}).exit_code, 0);
  std::string ls_before = RunStore(store, {"db", "ls", "--json"}).out;
  std::string query_before = RunStore(store, {"query", "--json"}).out;
  std::filesystem::remove(store + "/index/data.mdb");
  std::filesystem::remove(store + "/index/lock.mdb");
  auto rebuild = RunStore(store, {"index", "rebuild"});
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.err;
  EXPECT_NE(rebuild.out.find("2 database versions"), std::string::npos) << rebuild.out;
  EXPECT_EQ(RunStore(store, {"db", "ls", "--json"}).out, ls_before);  // times and current too
  EXPECT_EQ(RunStore(store, {"query", "--json"}).out, query_before);
  auto exported = RunStore(store, {"db", "export", "a/1"});
  EXPECT_EQ(exported.out, testing::ReadFileOrDie(Sample("dictdisc.faa")));
  EXPECT_EQ(RunStore(store, {"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace talaria

namespace talaria {
namespace {

TEST(IngestCli, StandardInputIsAnInputToo) {
  testing::TempDir dir;
  std::string store = dir / "store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store}).exit_code, 0);
  auto r =
      testing::Run({"/bin/sh", "-c",
                    "zcat " + Sample("mirbase_hairpin.fa.gz") + " | " + testing::StoreBinary() +
                        " --store " + store + " ingest - --db mirna --version 22"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto show = nlohmann::json::parse(RunStore(store, {"db", "show", "mirna", "--json"}).out);
  EXPECT_EQ(show["sources"][0]["name"], "stdin.fasta");
  EXPECT_EQ(show["sources"][0]["records"], 28645);
  ASSERT_EQ(RunStore(store, {"db", "export", "mirna", "-o", dir / "out.fa"}).exit_code, 0);
  auto unzipped = testing::Run({"/bin/sh", "-c", "zcat " + Sample("mirbase_hairpin.fa.gz")});
  EXPECT_EQ(testing::ReadFileOrDie(dir / "out.fa"), unzipped.out);
}

}  // namespace
}  // namespace talaria
