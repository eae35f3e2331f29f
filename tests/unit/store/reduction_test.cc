#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest.h"
#include "store/catalog/taxonomy_loader.h"
#include "store/maintenance/gc.h"
#include "store/maintenance/index_rebuild.h"
#include "store/maintenance/roots.h"
#include "store/maintenance/verify.h"
#include "store/reduce/delta_record.h"
#include "store/reduce/reduction.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using core::Result;
using core::Status;

std::vector<std::string> SortedRecords(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view r : SplitRecords(text)) out.emplace_back(r);
  std::sort(out.begin(), out.end());
  return out;
}

class ReductionTest : public testing::StoreTest {
 protected:
  void Ingest(const std::string& path, const std::string& db = "db") {
    IngestOptions o;
    o.database = db;
    o.version = "1";
    o.files = {path};
    auto r = IngestDatabase(*store_, o);
    ASSERT_TRUE(r) << r.error().ToString();
  }

  std::string IngestGenerated(int records = 6000, int family_size = 8) {
    testing::ReleaseSpec spec;
    spec.records = records;
    spec.taxa = 6;
    spec.line_width = 60;
    spec.family_size = family_size;
    const std::string text = testing::ProteinRelease(spec, 1);
    testing::WriteFile(dir_ / "db.fasta", text);
    Ingest(dir_ / "db.fasta");
    return text;
  }

  Result<ReduceResult> Reduce(const std::string& profile, std::optional<double> ratio,
                              std::optional<double> identity, bool taxonomy_aware = false,
                              uint64_t window_bytes = kDefaultReduceWindowBytes,
                              const std::string& rank = "") {
    ReduceOptions o;
    o.database = "db";
    o.profile = profile;
    o.parameters.ratio = ratio;
    o.parameters.identity = identity;
    o.parameters.taxonomy_aware = taxonomy_aware;
    o.parameters.rank = rank;
    o.parameters.window_bytes = window_bytes;
    o.threads = 2;
    return ReduceDatabase(*store_, o);
  }

  // Each child's taxon with its reference's taxon, from the profile's files.
  std::vector<std::pair<uint32_t, uint32_t>> ChildAndReferenceTaxa(const ReductionManifest& m) {
    std::map<std::string, uint32_t> ref_taxon;
    for (const auto& c : m.reference_chunks) {
      auto bytes = store_->Get(c.id);
      EXPECT_TRUE(bytes);
      for (std::string_view rec : SplitRecords(**bytes)) {
        ref_taxon[std::string(RecordId(rec))] = c.taxon;
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> out;
    const std::string deltas = Export(m, ExportDeltas);
    for (size_t pos = 0; pos < deltas.size();) {
      const size_t end = deltas.find('\n', pos) + 1;
      auto d = ParseDeltaLine(std::string_view(deltas).substr(pos, end - pos));
      EXPECT_TRUE(d);
      out.emplace_back(d->taxon, ref_taxon.at(d->reference_id));
      pos = end;
    }
    return out;
  }

  std::string Export(const ReductionManifest& m,
                     Status (*fn)(ObjectStore&, const ReductionManifest&, const Sink&)) {
    std::string out;
    auto st = fn(*store_, m, [&](std::string_view piece) {
      out.append(piece);
      return core::OkStatus();
    });
    EXPECT_TRUE(st) << st.error().ToString();
    return out;
  }

  // Every file of the profile: the expanded records are the source's, the
  // sizes are the manifest's, every child rebuilds and every delta line parses.
  void CheckProfile(const ReductionManifest& m, const std::string& source,
                    std::optional<double> identity) {
    const std::string refs = Export(m, ExportReferences);
    const std::string deltas = Export(m, ExportDeltas);
    const std::string r2c = Export(m, ExportRefToChildren);
    const std::string expanded = Export(m, ExportExpanded);
    EXPECT_TRUE(SortedRecords(expanded) == SortedRecords(source)) << "expanded != source";
    uint64_t child_bytes = 0, dat_bytes = 0;
    for (const auto& d : m.delta_chunks) {
      child_bytes += d.child_bytes;
      dat_bytes += d.deltas_dat_bytes;
    }
    EXPECT_EQ(refs.size(), m.statistics.reference_bytes);
    EXPECT_EQ(expanded.size(), m.statistics.reference_bytes + child_bytes);
    EXPECT_EQ(deltas.size(), dat_bytes);
    uint64_t r2c_bytes = 0;
    for (const auto& c : m.reference_chunks) r2c_bytes += c.ref2children_bytes;
    EXPECT_EQ(r2c.size(), r2c_bytes);
    EXPECT_EQ(SplitRecords(refs).size(), m.statistics.reference_sequences);
    // deltas.dat: one line per child, each parsing back to a delta that
    // rebuilds its child from the named reference.
    std::map<std::string, std::string> residues_of;
    for (std::string_view r : SplitRecords(refs)) {
      residues_of[std::string(RecordId(r))] = SplitRecord(r).residues;
    }
    size_t lines = 0;
    for (size_t pos = 0; pos < deltas.size(); lines++) {
      size_t end = deltas.find('\n', pos) + 1;
      auto d = ParseDeltaLine(std::string_view(deltas).substr(pos, end - pos));
      ASSERT_TRUE(d) << d.error().message();
      ASSERT_TRUE(residues_of.count(d->reference_id));
      auto child = RebuildChild(*d, residues_of[d->reference_id]);
      EXPECT_TRUE(child) << d->child_id;
      if (identity) {
        EXPECT_GE(Stats(d->script).identity(), *identity) << d->child_id;
      }
      pos = end;
    }
    EXPECT_EQ(lines, m.statistics.child_sequences);
  }
};

TEST_F(ReductionTest, IdentityReductionOfFamiliesIsExact) {
  const std::string source = IngestGenerated();
  auto r = Reduce("p90", std::nullopt, 0.9);
  ASSERT_TRUE(r) << r.error().ToString();
  const auto& s = r->manifest.statistics;
  EXPECT_EQ(s.original_sequences, 6000u);
  // Families of 8, each member ~5 % from the ancestor (~10 % from each
  // other): many members pair at 90 %, and at 80 % one reference per
  // family is enough.
  EXPECT_LT(s.reference_sequences, 6000u / 2);
  auto loose = Reduce("p80", std::nullopt, 0.8);
  ASSERT_TRUE(loose);
  EXPECT_NEAR(static_cast<double>(loose->manifest.statistics.reference_sequences), 750.0, 40.0);
  EXPECT_GT(s.coverage, 0.9);
  CheckProfile(r->manifest, source, 0.9);
  // Registered, and found by child and by reference.
  auto info = LoadReduction(*store_, "p90");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->entry.manifest, r->manifest_id);
  auto deltas = Export(r->manifest, ExportDeltas);
  auto first = ParseDeltaLine(deltas.substr(0, deltas.find('\n') + 1));
  ASSERT_TRUE(first);
  auto txn = store_->index().BeginRead();
  ASSERT_OK(txn);
  EXPECT_EQ(store_->index().reductions().ChildDeltaChunks(*txn, "p90", first->child_id)->size(),
            1u);
  EXPECT_GE(
      store_->index().reductions().ReferenceDeltaChunks(*txn, "p90", first->reference_id)->size(),
      1u);
}

TEST_F(ReductionTest, RatioIsMetWithinTwoPercent) {
  const std::string source = IngestGenerated();
  for (double ratio : {0.2, 0.4}) {
    auto r = Reduce("r" + std::to_string(static_cast<int>(ratio * 100)), ratio, std::nullopt);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_NEAR(r->manifest.statistics.actual_ratio, ratio, 0.02);
    CheckProfile(r->manifest, source, std::nullopt);
  }
}

TEST_F(ReductionTest, TaxonomyAwarePairsOnlyWithinATaxon) {
  const std::string source = IngestGenerated();
  auto r = Reduce("tax", std::nullopt, 0.8, /*taxonomy_aware=*/true);
  ASSERT_TRUE(r) << r.error().ToString();
  CheckProfile(r->manifest, source, 0.8);
  EXPECT_EQ(r->manifest.parameters.rank, "taxon");  // no taxonomy tree in the store
  const auto pairs = ChildAndReferenceTaxa(r->manifest);
  EXPECT_FALSE(pairs.empty());
  for (const auto& [child, reference] : pairs) EXPECT_EQ(child, reference);
}

TEST_F(ReductionTest, ChunksSharedBySmallTaxaReduceExactlyAndStayWithinEachTaxon) {
  testing::ReleaseSpec spec;
  spec.records = 3000;
  spec.taxa = 1000;  // three records a taxon: every taxon is small
  spec.line_width = 60;
  spec.family_size = 4;
  const std::string source = testing::ProteinRelease(spec, 1);
  testing::WriteFile(dir_ / "db.fasta", source);
  Ingest(dir_ / "db.fasta");
  auto r = Reduce("tax", std::nullopt, 0.8, /*taxonomy_aware=*/true);
  ASSERT_TRUE(r) << r.error().ToString();
  CheckProfile(r->manifest, source, 0.8);
  for (const auto& [child, reference] : ChildAndReferenceTaxa(r->manifest)) {
    EXPECT_EQ(child, reference);
  }
  auto plain = Reduce("any", std::nullopt, 0.8);
  ASSERT_TRUE(plain) << plain.error().ToString();
  CheckProfile(plain->manifest, source, 0.8);
  EXPECT_GT(plain->manifest.statistics.child_sequences, 0u);
}

// Families here span two taxa of one genus: 70 and 72 are species of genus
// 1000, 71 and 73 of genus 2000, and a family's members alternate between
// 70 and 72 or between 71 and 73.
TEST_F(ReductionTest, WithATaxonomyTreeTaxonomyAwarePairsWithinAGenus) {
  testing::ReleaseSpec spec;
  spec.records = 4080;
  spec.taxa = 4;
  spec.family_size = 8;  // 510 families: member k of family f is record f + 510k
  const std::string source = testing::ProteinRelease(spec, 1);
  testing::WriteFile(dir_ / "db.fasta", source);
  Ingest(dir_ / "db.fasta");
  auto no_tree = Reduce("no-tree", std::nullopt, 0.8, true, kDefaultReduceWindowBytes, "genus");
  ASSERT_FALSE(no_tree);
  EXPECT_NE(no_tree.error().message().find("taxonomy load"), std::string::npos);

  testing::WriteFile(dir_ / "nodes.dmp",
                     "1\t|\t1\t|\tno rank\t|\n"
                     "1000\t|\t1\t|\tgenus\t|\n"
                     "2000\t|\t1\t|\tgenus\t|\n"
                     "70\t|\t1000\t|\tspecies\t|\n"
                     "72\t|\t1000\t|\tspecies\t|\n"
                     "71\t|\t2000\t|\tspecies\t|\n"
                     "73\t|\t2000\t|\tspecies\t|\n");
  testing::WriteFile(dir_ / "names.dmp", "1\t|\troot\t|\t\t|\tscientific name\t|\n");
  ASSERT_TRUE(LoadTaxonomy(*store_, dir_ / "nodes.dmp", dir_ / "names.dmp"));

  auto genus = Reduce("genus", std::nullopt, 0.8, /*taxonomy_aware=*/true);
  ASSERT_TRUE(genus) << genus.error().ToString();
  EXPECT_EQ(genus->manifest.parameters.rank, "genus");
  CheckProfile(genus->manifest, source, 0.8);
  auto genus_of = [](uint32_t taxon) { return taxon % 2 == 0 ? 1000 : 2000; };
  size_t across_species = 0;
  for (const auto& [child, reference] : ChildAndReferenceTaxa(genus->manifest)) {
    EXPECT_EQ(genus_of(child), genus_of(reference));
    across_species += child != reference;
  }
  EXPECT_GT(across_species, 500u);

  auto typo = Reduce("typo", std::nullopt, 0.8, true, kDefaultReduceWindowBytes, "gneus");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message().find("ranks there: genus, no rank, species"), std::string::npos)
      << typo.error().message();

  auto taxon = Reduce("taxon", std::nullopt, 0.8, true, kDefaultReduceWindowBytes, "taxon");
  ASSERT_TRUE(taxon) << taxon.error().ToString();
  EXPECT_EQ(taxon->manifest.parameters.rank, "taxon");
  for (const auto& [child, reference] : ChildAndReferenceTaxa(taxon->manifest)) {
    EXPECT_EQ(child, reference);
  }
  // A family split over two species needs a reference in each.
  EXPECT_LT(genus->manifest.statistics.reference_sequences,
            taxon->manifest.statistics.reference_sequences);
}

// Windows bound memory: a version is reduced a window of source bytes at a
// time. Everything stays exact; whole taxa per window change nothing; a
// child may have its reference in an earlier window.
TEST_F(ReductionTest, WindowsKeepEveryRecordExactAndWholeTaxaChangeNothing) {
  const std::string source = IngestGenerated(6000);
  const uint64_t source_bytes = source.size();

  auto whole = Reduce("whole", std::nullopt, 0.8, false, /*window_bytes=*/0);
  ASSERT_TRUE(whole) << whole.error().ToString();
  EXPECT_EQ(whole->windows, 1u);
  auto windowed = Reduce("windowed", std::nullopt, 0.8, false, source_bytes / 5);
  ASSERT_TRUE(windowed) << windowed.error().ToString();
  EXPECT_GE(windowed->windows, 5u);
  CheckProfile(windowed->manifest, source, 0.8);
  // References of earlier windows are carried forward (up to half a window
  // of residues: here all of them), so pairs across windows are still made.
  EXPECT_LE(windowed->manifest.statistics.reference_sequences,
            whole->manifest.statistics.reference_sequences * 105 / 100);

  // Six taxa of about a sixth each: a window of a third holds whole taxa,
  // and a taxonomy-aware reduction is the same as with no windows.
  auto aware_whole = Reduce("aware-whole", std::nullopt, 0.8, true, 0);
  auto aware_windowed = Reduce("aware-windowed", std::nullopt, 0.8, true, source_bytes / 3);
  ASSERT_TRUE(aware_whole && aware_windowed);
  EXPECT_GE(aware_windowed->windows, 3u);
  auto ids = [](const ReductionManifest& m) {
    std::vector<core::ObjectId> out;
    for (const auto& c : m.reference_chunks) out.push_back(c.id);
    for (const auto& d : m.delta_chunks) out.push_back(d.id);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids(aware_windowed->manifest), ids(aware_whole->manifest));
  EXPECT_EQ(aware_windowed->manifest.statistics.reference_sequences,
            aware_whole->manifest.statistics.reference_sequences);
  CheckProfile(aware_windowed->manifest, source, 0.8);

  // Taxa larger than a window are split between windows: more windows than taxa.
  auto split = Reduce("split", std::nullopt, 0.8, true, source_bytes / 20);
  ASSERT_TRUE(split) << split.error().ToString();
  EXPECT_GT(split->windows, 6u);
  // The references of earlier windows of a split taxon are carried forward.
  EXPECT_LE(split->manifest.statistics.reference_sequences,
            aware_whole->manifest.statistics.reference_sequences * 105 / 100);
  CheckProfile(split->manifest, source, 0.8);
  for (const auto& [child, reference] : ChildAndReferenceTaxa(split->manifest)) {
    EXPECT_EQ(child, reference);
  }
  auto report = VerifyStore(*store_, VerifyOptions{});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
}

TEST_F(ReductionTest, BundledRealProteinsReduceExactly) {
  const std::string path = std::string(TALARIA_SOURCE_DIR) + "/tests/data/dictdisc.faa";
  Ingest(path);
  auto r = Reduce("real", std::nullopt, 0.5);
  ASSERT_TRUE(r) << r.error().ToString();
  CheckProfile(r->manifest, testing::ReadFileOrDie(path), 0.5);
  for (double ratio : {0.3, 0.6}) {
    auto by_ratio =
        Reduce("real" + std::to_string(static_cast<int>(ratio * 100)), ratio, std::nullopt);
    ASSERT_TRUE(by_ratio) << by_ratio.error().ToString();
    EXPECT_NEAR(by_ratio->manifest.statistics.actual_ratio, ratio, 0.02);
    CheckProfile(by_ratio->manifest, testing::ReadFileOrDie(path), std::nullopt);
  }
}

TEST_F(ReductionTest, SameReductionTwiceIsUnchangedAndAnotherIsRefused) {
  IngestGenerated(1000);
  auto a = Reduce("p", std::nullopt, 0.9);
  ASSERT_TRUE(a);
  auto b = Reduce("p", std::nullopt, 0.9);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->unchanged);
  EXPECT_EQ(a->manifest_id, b->manifest_id);
  auto c = Reduce("p", std::nullopt, 0.7);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("reduction rm p"), std::string::npos);
  EXPECT_FALSE(Reduce("bad/name", std::nullopt, 0.9));
}

TEST_F(ReductionTest, RemovingAProfileThenGcFreesItsObjectsAndKeepsTheDatabase) {
  const std::string source = IngestGenerated(2000);
  auto r = Reduce("gone", std::nullopt, 0.9);
  ASSERT_TRUE(r);
  const auto objects = ReductionObjects(r->manifest_id, r->manifest);
  ASSERT_TRUE(RemoveReduction(*store_, "gone"));
  EXPECT_FALSE(LoadReduction(*store_, "gone"));
  EXPECT_FALSE(RemoveReduction(*store_, "gone"));
  auto roots = DatabaseRoots(*store_);
  ASSERT_TRUE(roots);
  auto gc = CollectGarbage(*store_, *roots, GcOptions{});
  ASSERT_TRUE(gc);
  // Reference chunks identical to a source chunk stay (the database uses
  // them); everything else of the profile is gone.
  std::set<core::ObjectId> kept(roots->begin(), roots->end());
  for (const auto& id : objects) EXPECT_EQ(*store_->Has(id), kept.count(id) > 0) << id.Hex();
  auto v = ResolveDatabase(*store_, "db");
  ASSERT_OK(v);
  auto m = LoadManifest(*store_, v->manifest);
  ASSERT_OK(m);
  std::string out;
  ASSERT_TRUE(ExportSource(*store_, *m, m->sources[0], [&](std::string_view p) {
    out.append(p);
    return core::OkStatus();
  }));
  EXPECT_TRUE(out == source);
  EXPECT_TRUE(VerifyStore(*store_, VerifyOptions{2, {}})->ok());
}

TEST_F(ReductionTest, IndexRebuildRestoresProfilesAndForgetsRemovedOnes) {
  const std::string source = IngestGenerated(1500);
  auto kept = Reduce("kept", std::nullopt, 0.9);
  auto gone = Reduce("gone", std::nullopt, 0.8);
  ASSERT_TRUE(kept && gone);
  ASSERT_TRUE(RemoveReduction(*store_, "gone"));
  const std::string deltas = Export(kept->manifest, ExportDeltas);
  auto first = ParseDeltaLine(deltas.substr(0, deltas.find('\n') + 1));
  ASSERT_TRUE(first);
  store_.reset();
  auto rebuilt = RebuildIndex(root_);
  ASSERT_TRUE(rebuilt) << rebuilt.error().ToString();
  Reopen();
  auto list = ListReductions(*store_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].profile, "kept");
  EXPECT_EQ((*list)[0].entry.manifest, kept->manifest_id);
  {
    auto txn = store_->index().BeginRead();
    ASSERT_OK(txn);
    EXPECT_EQ(store_->index().reductions().ChildDeltaChunks(*txn, "kept", first->child_id)->size(),
              1u);
  }
  CheckProfile(kept->manifest, source, 0.9);
}

TEST_F(ReductionTest, ExportedFilesImportBackIntoTheSameProfile) {
  const std::string source = IngestGenerated(1500);
  auto r = Reduce("orig", std::nullopt, 0.85);
  ASSERT_TRUE(r);
  const std::string refs = dir_ / "references.fasta", deltas = dir_ / "deltas.dat",
                    r2c = dir_ / "ref2children.tsv";
  testing::WriteFile(refs, Export(r->manifest, ExportReferences));
  testing::WriteFile(deltas, Export(r->manifest, ExportDeltas));
  testing::WriteFile(r2c, Export(r->manifest, ExportRefToChildren));
  ImportOptions o;
  o.database = "db";
  o.profile = "again";
  o.references = refs;
  o.deltas = deltas;
  o.ref2children = r2c;
  auto imported = ImportReduction(*store_, o);
  ASSERT_TRUE(imported) << imported.error().ToString();
  // The same chunks and deltas; only the parameters (unknown to files) differ.
  EXPECT_EQ(imported->manifest.reference_chunks, r->manifest.reference_chunks);
  EXPECT_EQ(imported->manifest.delta_chunks, r->manifest.delta_chunks);
  EXPECT_FALSE(imported->manifest.parameters.identity.has_value());
  CheckProfile(imported->manifest, source, 0.85);

  // Bad input names the file and line, and registers nothing.
  std::string text = testing::ReadFileOrDie(deltas);
  const size_t second = text.find('\n') + 1;
  testing::WriteFile(dir_ / "bad.dat", text.substr(0, second) + "garbage\n" + text.substr(second));
  o.profile = "bad";
  o.deltas = dir_ / "bad.dat";
  auto bad = ImportReduction(*store_, o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("bad.dat:2:"), std::string::npos) << bad.error().message();
  // A child left out is a record in neither file.
  testing::WriteFile(dir_ / "short.dat", text.substr(second));
  o.deltas = dir_ / "short.dat";
  o.ref2children.clear();
  auto missing = ImportReduction(*store_, o);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("is in neither"), std::string::npos);
  EXPECT_FALSE(LoadReduction(*store_, "bad"));
}

TEST(DeltaRecord, TextAndBinaryFormsRoundTripAnyRecord) {
  const std::string ref = ">ref one\nACDEFGHIKL\nMNPQ\n";
  const std::vector<std::string> children = {
      ">c1 tab\there\r\nACDEFGHIKW\r\nMNPQ\r\n",  // CRLF, a TAB in the header
      ">c2\nACD\nEFGHIK\n\nLMNPQ",                // ragged lines, a blank line, no final newline
      ">c3 back\\slash\nacdefghiklmnpq*\n",       // lower case and '*'
  };
  const std::string ref_residues = SplitRecord(ref).residues;
  std::vector<DeltaRecord> ds;
  for (const std::string& c : children) {
    RecordParts p = SplitRecord(c);
    auto a = AlignBanded(ref_residues, p.residues, AlignmentLimits{0.0});
    ASSERT_TRUE(a);
    DeltaRecord d;
    d.child_id = RecordId(c);
    d.reference_id = "ref";
    d.taxon = 9606;
    d.header_line = p.header_line;
    d.layout = p.layout;
    d.script = a->script;
    d.sha256 = core::ObjectId::Hash(c);
    auto rebuilt = RebuildChild(d, ref_residues);
    ASSERT_TRUE(rebuilt) << c;
    EXPECT_EQ(*rebuilt, c);
    auto parsed = ParseDeltaLine(FormatDeltaLine(d));
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(*parsed, d) << FormatDeltaLine(d);
    ds.push_back(d);
  }
  auto decoded = DecodeDeltaChunk(EncodeDeltaChunk(ds));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, ds);
  EXPECT_FALSE(ParseDeltaLine("a\tb\ttaxon:x\t>h\t@60\t#00\n"));
  EXPECT_FALSE(DecodeDeltaChunk("TLDC1\x05"));
}

}  // namespace
}  // namespace talaria::store
