#include <gtest/gtest.h>

#include <random>
#include <set>

#include "store/catalog/manifest.h"
#include "store/catalog/manifest_pages.h"
#include "store/core/coding.h"

namespace talaria::store {
namespace {

DatabaseManifest Sample() {
  DatabaseManifest m;
  m.database = "uniprot";
  m.version = "2026_01";
  SourceFile s;
  s.name = "sprot.fasta";
  s.input_name = "sprot.fasta.gz";
  s.encoding = "gzip";
  s.size = 1234;
  s.sha256 = core::ObjectId::Hash("file");
  s.records = 10;
  s.residues = 999;
  s.preamble = "\n";
  s.layout = {LayoutPageRef{core::ObjectId::Hash("layout1"), 2, 1000},
              LayoutPageRef{core::ObjectId::Hash("layout2"), 1, 233}};
  m.sources.push_back(s);
  m.chunks.push_back(ManifestChunk{core::ObjectId::Hash("c1"), 0, 9606, 5, 500, 600});
  m.chunks.push_back(ManifestChunk{core::ObjectId::Hash("c2"), 0, 10090, 5, 499, 634});
  m.chunk_pages = {ChunkPageRef{core::ObjectId::Hash("page"), 2}};
  m.taxon_pages = {TaxonPageRef{core::ObjectId::Hash("taxa"), 9606, 2}};
  return m;
}

TEST(Manifest, RootRoundTripsAndIsCanonical) {
  DatabaseManifest m = Sample();
  std::string a = EncodeManifest(m);
  auto back = DecodeManifest(a);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(EncodeManifest(*back), a);
  EXPECT_EQ(back->format, 3);
  EXPECT_TRUE(IsPaged(*back));
  EXPECT_TRUE(back->chunks.empty()) << "format 3 rows live in pages, not in the root";
  EXPECT_EQ(back->chunk_pages, m.chunk_pages);
  EXPECT_EQ(back->taxon_pages, m.taxon_pages);
  EXPECT_EQ(back->sources[0].layout, m.sources[0].layout);
  EXPECT_EQ(back->sources[0].sha256, m.sources[0].sha256);
  EXPECT_EQ(back->sources[0].preamble, "\n");
  EXPECT_EQ(a.find("time"), std::string::npos);  // no clock in a hashed object
  EXPECT_EQ(a.find(m.chunks[0].id.Hex()), std::string::npos);
}

TEST(Manifest, RejectsWhatIsNotAManifest) {
  EXPECT_FALSE(DecodeManifest("not json"));
  EXPECT_FALSE(DecodeManifest("{\"format\":\"something-else\"}"));
  std::string broken = EncodeManifest(Sample());
  broken.replace(broken.find("\"chunk_pages\""), 13, "\"chunk_pagez\"");
  auto r = DecodeManifest(broken);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), core::Code::kCorruption);
  DatabaseManifest unordered = Sample();
  unordered.taxon_pages.push_back(TaxonPageRef{core::ObjectId::Hash("t2"), 9606, 1});
  EXPECT_FALSE(DecodeManifest(EncodeManifest(unordered))) << "taxon pages must ascend";
}

// A shared chunk of taxa 562 and 1280, whose second record is also 9606's.
ManifestChunk SharedChunk() {
  ManifestChunk c{core::ObjectId::Hash("c3"), 0, kSharedStream, 3, 300, 900, {}, {}};
  c.fai = core::ObjectId::Hash("fai3");
  c.pieces = {TaxonPiece{562, 0, 600, 2, 200, true}, TaxonPiece{9606, 300, 300, 1, 100, false},
              TaxonPiece{1280, 600, 300, 1, 100, true}};
  return c;
}

std::vector<ManifestChunk> ChunkRows(const DatabaseManifest& m) {
  auto rows = DecodeChunkPage(EncodeChunkPage(m.chunks, 0, m.chunks.size()), m.sources.size());
  EXPECT_TRUE(rows) << rows.error().ToString();
  return rows ? *rows : std::vector<ManifestChunk>{};
}

bool SameRow(const ManifestChunk& a, const ManifestChunk& b) {
  return a.id == b.id && a.source == b.source && a.taxon == b.taxon && a.records == b.records &&
         a.residues == b.residues && a.bytes == b.bytes && a.fai == b.fai && a.pieces == b.pieces;
}

TEST(ManifestPages, ChunkRowsRoundTripAndAreChecked) {
  DatabaseManifest m = Sample();
  m.chunks.push_back(SharedChunk());
  std::vector<ManifestChunk> rows = ChunkRows(m);
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_TRUE(SameRow(rows[i], m.chunks[i])) << i;
  EXPECT_TRUE(rows[0].pieces.empty()) << "a chunk of one taxon needs no pieces";
  EXPECT_EQ(PiecesOf(rows[0]), (std::vector<TaxonPiece>{TaxonPiece{9606, 0, 600, 5, 500, true}}));
  // Only part of the rows.
  auto tail = DecodeChunkPage(EncodeChunkPage(m.chunks, 1, 3), 1);
  ASSERT_TRUE(tail);
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_TRUE(SameRow((*tail)[1], m.chunks[2]));

  {  // a secondary piece outside the chunk
    DatabaseManifest bad = m;
    bad.chunks[2].pieces[1].offset = 800;
    EXPECT_FALSE(DecodeChunkPage(EncodeChunkPage(bad.chunks, 0, 3), 1));
  }
  for (auto damage : {+1, -1}) {  // primaries past the chunk, or short of it
    DatabaseManifest bad = m;
    bad.chunks[2].pieces[2].length += damage;
    auto r = DecodeChunkPage(EncodeChunkPage(bad.chunks, 0, 3), 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::Code::kCorruption);
  }
  const std::string bytes = EncodeChunkPage(m.chunks, 0, 3);
  EXPECT_FALSE(DecodeChunkPage(bytes, 0)) << "a row naming a source the manifest lacks";
  for (size_t cut = 0; cut < bytes.size(); cut += 7)
    EXPECT_FALSE(DecodeChunkPage(bytes.substr(0, cut), 1)) << cut;
  EXPECT_FALSE(DecodeChunkPage(bytes + "x", 1));
  EXPECT_FALSE(DecodeChunkPage("TMTX1" + bytes.substr(5), 1)) << "another kind of page";
}

TEST(ManifestPages, TaxonDirectoryListsEachTaxonsBytesAndPages) {
  DatabaseManifest m = Sample();
  m.chunks.push_back(SharedChunk());
  // Pages: rows [0, 2) and [2, 3).
  std::vector<TaxonEntry> dir = BuildTaxonDirectory(m.chunks, {2, 3});
  EXPECT_EQ(dir, (std::vector<TaxonEntry>{
                     {562, 600, {1}}, {1280, 300, {1}}, {9606, 900, {0, 1}}, {10090, 634, {0}}}));
  // Each entry's bytes are its by-taxon file: TaxonRanges' lengths.
  const auto ranges = TaxonRanges(m);
  for (const TaxonEntry& e : dir) {
    uint64_t bytes = 0;
    for (const ChunkRange& r : ranges.at(e.taxon)) bytes += r.length;
    EXPECT_EQ(bytes, e.bytes) << e.taxon;
  }
  auto back = DecodeTaxonPage(EncodeTaxonPage(dir, 0, dir.size()));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, dir);
  auto part = DecodeTaxonPage(EncodeTaxonPage(dir, 2, 4));
  ASSERT_TRUE(part);
  EXPECT_EQ(part->front().taxon, 9606u);
  const std::string bytes = EncodeTaxonPage(dir, 0, dir.size());
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_FALSE(DecodeTaxonPage(bytes.substr(0, cut))) << cut;
  std::vector<TaxonEntry> repeated = {{9606, 1, {0}}, {9606, 1, {0}}};
  EXPECT_FALSE(DecodeTaxonPage(EncodeTaxonPage(repeated, 0, 2))) << "taxa must ascend";
}

TEST(ManifestPages, TaxonRangesAndUnions) {
  DatabaseManifest m = Sample();
  m.chunks.push_back(SharedChunk());
  auto ranges = TaxonRanges(m);
  EXPECT_EQ(ranges[9606], (std::vector<ChunkRange>{{0, 0, 600}, {2, 300, 300}}));
  EXPECT_EQ(ranges[562], (std::vector<ChunkRange>{{2, 0, 600}}));
  EXPECT_EQ(ranges[1280], (std::vector<ChunkRange>{{2, 600, 300}}));
  // 562 and 9606 together: the shared record once.
  std::vector<ChunkRange> both = ranges[562];
  both.insert(both.end(), ranges[9606].begin(), ranges[9606].end());
  EXPECT_EQ(UnionOfRanges(both), (std::vector<ChunkRange>{{0, 0, 600}, {2, 0, 600}}));
}

TEST(Manifest, FormatOneAndTwoManifestsStillDecode) {
  const std::string source =
      R"("sources":[{"encoding":"plain","input_name":"a.fasta","layout":")" +
      core::ObjectId::Hash("l").Hex() +
      R"(","name":"a.fasta","preamble":"","records":5,"residues":500,"sha256":")" +
      core::ObjectId::Hash("f").Hex() + R"(","size":600}],"version":"1"})";
  const std::string v1 =
      R"({"chunk_fields":["id","source","taxon","records","residues","bytes","fai"],)"
      R"("chunking":{"max_bytes":1048576,"min_bytes":65536,"target_bytes":262144},)"
      R"("chunks":[[")" +
      core::ObjectId::Hash("c1").Hex() +
      R"(",0,9606,5,500,600,""]],)"
      R"("database":"uniprot","format":"talaria-database-manifest/1",)" +
      source;
  auto m = DecodeManifest(v1);
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(m->format, 1);
  EXPECT_FALSE(IsPaged(*m));
  ASSERT_EQ(m->chunks.size(), 1u);
  EXPECT_EQ(PiecesOf(m->chunks[0]).size(), 1u);
  EXPECT_EQ(TaxonRanges(*m)[9606], (std::vector<ChunkRange>{{0, 0, 600}}));
  ASSERT_EQ(m->sources[0].layout.size(), 1u) << "one layout object: one page of unknown size";
  EXPECT_EQ(m->sources[0].layout[0], (LayoutPageRef{core::ObjectId::Hash("l"), 0, 0}));

  // Format 2: a shared chunk with pieces (a primary's offset implied, a
  // secondary's given).
  const std::string v2 =
      R"({"chunk_fields":["id","source","taxon","records","residues","bytes","fai","pieces"],)"
      R"("chunking":{"max_bytes":1048576,"min_bytes":65536,"target_bytes":262144},)"
      R"("chunks":[[")" +
      core::ObjectId::Hash("c3").Hex() +
      R"(",0,4294967295,2,200,600,"",[[562,300,1,100],[9606,300,1,100,0],[1280,300,1,100]]]],)"
      R"("database":"uniprot","format":"talaria-database-manifest/2",)" +
      source;
  auto m2 = DecodeManifest(v2);
  ASSERT_TRUE(m2) << m2.error().ToString();
  EXPECT_EQ(m2->format, 2);
  ASSERT_EQ(m2->chunks.size(), 1u);
  EXPECT_EQ(m2->chunks[0].pieces,
            (std::vector<TaxonPiece>{TaxonPiece{562, 0, 300, 1, 100, true},
                                     TaxonPiece{9606, 0, 300, 1, 100, false},
                                     TaxonPiece{1280, 300, 300, 1, 100, true}}));
}

TEST(Layout, MergesContiguousRunsAndPagesRoundTrip) {
  std::vector<LayoutRun> runs;
  AppendToLayout(&runs, 9606, 100);
  AppendToLayout(&runs, 9606, 50);  // same taxon: one run
  AppendToLayout(&runs, 562, 70);
  AppendToLayout(&runs, 9606, 10);  // back to 9606: a new run
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0], (LayoutRun{9606, 150}));
  // Pages [0, 2) and [2, 3): the second starts 9606's stream at 150.
  std::vector<LayoutPage> pages = SplitLayout(runs, {2, 3});
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].starts, (std::vector<LayoutStart>{{562, 0}, {9606, 0}}));
  EXPECT_EQ(pages[1].starts, (std::vector<LayoutStart>{{9606, 150}}));
  for (const LayoutPage& p : pages) {
    auto back = DecodeLayoutPage(EncodeLayoutPage(p));
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(*back, p);
    std::string bytes = EncodeLayoutPage(p);
    EXPECT_FALSE(DecodeLayoutPage(bytes.substr(0, bytes.size() - 1)));
    EXPECT_FALSE(DecodeLayoutPage(bytes + "x"));
  }
  // A format 1/2 layout object: its runs, no starts.
  std::string v2 = "TLAY2";
  core::PutVarint(&v2, runs.size());
  for (const LayoutRun& r : runs) {
    core::PutVarint(&v2, r.taxon);
    core::PutVarint(&v2, r.length);
  }
  auto old = DecodeLayoutPage(v2);
  ASSERT_TRUE(old) << old.error().ToString();
  EXPECT_EQ(old->runs, runs);
  EXPECT_TRUE(old->starts.empty());
}

// Pages cut by content: an edit (a changed row, one inserted, one removed)
// changes the pages around it and no others, so a release costs the pages
// its records touch.
TEST(ManifestPages, ContentDefinedCutsKeepMostPagesAcrossAnEdit) {
  std::mt19937_64 rng(7);
  std::vector<ManifestChunk> rows;
  for (int i = 0; i < 40000; ++i) {
    rows.push_back(ManifestChunk{core::ObjectId::Hash(std::to_string(rng())), 0,
                                 static_cast<TaxonId>(i / 3), 4, 1000, 5000});
  }
  auto pages_of = [](const std::vector<ManifestChunk>& r) {
    std::set<std::string> pages;
    std::vector<size_t> ends = CutChunkPages(r);
    for (size_t p = 0, begin = 0; p < ends.size(); begin = ends[p++]) {
      EXPECT_LE(ends[p] - begin, 4096u);
      pages.insert(EncodeChunkPage(r, begin, ends[p]));
    }
    return pages;
  };
  const std::set<std::string> before = pages_of(rows);
  EXPECT_GT(before.size(), 20u);
  EXPECT_LT(before.size(), 200u);
  std::vector<ManifestChunk> edited = rows;
  edited[10000].id = core::ObjectId::Hash("edited");
  edited.insert(edited.begin() + 20000, ManifestChunk{core::ObjectId::Hash("new"), 0, 7, 1, 1, 1});
  edited.erase(edited.begin() + 30000);
  const std::set<std::string> after = pages_of(edited);
  size_t changed = 0;
  for (const std::string& p : after) changed += !before.count(p);
  EXPECT_LE(changed, 6u) << "of " << after.size() << " pages";

  // Layout pages likewise.
  std::vector<LayoutRun> runs;
  for (int i = 0; i < 200000; ++i)
    runs.push_back(LayoutRun{static_cast<TaxonId>(rng() % 5000), 100 + rng() % 900});
  std::vector<size_t> ends = CutLayoutPages(runs);
  EXPECT_GT(ends.size(), 5u);
  EXPECT_EQ(ends.back(), runs.size());
  std::vector<LayoutRun> edited_runs = runs;
  edited_runs.insert(edited_runs.begin() + 100000, LayoutRun{1, 5});
  std::vector<size_t> edited_ends = CutLayoutPages(edited_runs);
  size_t kept = 0;
  for (size_t e : ends)
    kept += e > 100000 && std::count(edited_ends.begin(), edited_ends.end(), e + 1);
  size_t after_edit = 0;
  for (size_t e : ends) after_edit += e > 100000;
  EXPECT_GE(kept + 1, after_edit) << "cuts after the insertion move with it";
}

}  // namespace
}  // namespace talaria::store
