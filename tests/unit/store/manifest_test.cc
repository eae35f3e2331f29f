#include <gtest/gtest.h>

#include "store/catalog/manifest.h"

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
  s.layout = core::ObjectId::Hash("layout");
  m.sources.push_back(s);
  m.chunks.push_back(ManifestChunk{core::ObjectId::Hash("c1"), 0, 9606, 5, 500, 600});
  m.chunks.push_back(ManifestChunk{core::ObjectId::Hash("c2"), 0, 10090, 5, 499, 634});
  return m;
}

TEST(Manifest, RoundTripsAndIsCanonical) {
  DatabaseManifest m = Sample();
  std::string a = EncodeManifest(m);
  auto back = DecodeManifest(a);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(EncodeManifest(*back), a);
  EXPECT_EQ(back->chunks[1].taxon, 10090u);
  EXPECT_EQ(back->sources[0].sha256, m.sources[0].sha256);
  EXPECT_EQ(back->sources[0].preamble, "\n");
  EXPECT_EQ(a.find("time"), std::string::npos);  // no clock in a hashed object
}

TEST(Manifest, RejectsWhatIsNotAManifest) {
  EXPECT_FALSE(DecodeManifest("not json"));
  EXPECT_FALSE(DecodeManifest("{\"format\":\"something-else\"}"));
  std::string broken = EncodeManifest(Sample());
  broken.replace(broken.find("\"chunks\""), 8, "\"chunkz\"");
  auto r = DecodeManifest(broken);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), core::Code::kCorruption);
}

// A shared chunk of taxa 562 and 1280, whose second record is also 9606's.
ManifestChunk SharedChunk() {
  ManifestChunk c{core::ObjectId::Hash("c3"), 0, kSharedStream, 3, 300, 900, {}, {}};
  c.pieces = {TaxonPiece{562, 0, 600, 2, 200, true}, TaxonPiece{9606, 300, 300, 1, 100, false},
              TaxonPiece{1280, 600, 300, 1, 100, true}};
  return c;
}

TEST(Manifest, PiecesOfSharedChunksRoundTripAndAreChecked) {
  DatabaseManifest m = Sample();
  m.chunks.push_back(SharedChunk());
  auto back = DecodeManifest(EncodeManifest(m));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->chunks[2].pieces, m.chunks[2].pieces);
  {  // a secondary piece outside the chunk
    DatabaseManifest bad = m;
    bad.chunks[2].pieces[1].offset = 800;
    EXPECT_FALSE(DecodeManifest(EncodeManifest(bad)));
  }
  EXPECT_TRUE(back->chunks[0].pieces.empty()) << "a chunk of one taxon needs no pieces";
  EXPECT_EQ(PiecesOf(back->chunks[0]),
            (std::vector<TaxonPiece>{TaxonPiece{9606, 0, 600, 5, 500, true}}));

  auto ranges = TaxonRanges(*back);
  EXPECT_EQ(ranges[9606], (std::vector<ChunkRange>{{0, 0, 600}, {2, 300, 300}}));
  EXPECT_EQ(ranges[562], (std::vector<ChunkRange>{{2, 0, 600}}));
  EXPECT_EQ(ranges[1280], (std::vector<ChunkRange>{{2, 600, 300}}));
  // 562 and 9606 together: the shared record once.
  std::vector<ChunkRange> both = ranges[562];
  both.insert(both.end(), ranges[9606].begin(), ranges[9606].end());
  EXPECT_EQ(UnionOfRanges(both), (std::vector<ChunkRange>{{0, 0, 600}, {2, 0, 600}}));

  for (auto damage : {+1, -1}) {  // primaries past the chunk, or short of it
    DatabaseManifest bad = m;
    bad.chunks[2].pieces[2].length += damage;
    auto r = DecodeManifest(EncodeManifest(bad));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::Code::kCorruption);
  }
}

TEST(Manifest, FormatOneManifestsStillDecode) {
  const std::string v1 =
      R"({"chunk_fields":["id","source","taxon","records","residues","bytes","fai"],)"
      R"("chunking":{"max_bytes":1048576,"min_bytes":65536,"target_bytes":262144},)"
      R"("chunks":[[")" +
      core::ObjectId::Hash("c1").Hex() +
      R"(",0,9606,5,500,600,""]],)"
      R"("database":"uniprot","format":"talaria-database-manifest/1","sources":[{"encoding":"plain",)"
      R"("input_name":"a.fasta","layout":")" +
      core::ObjectId::Hash("l").Hex() +
      R"(","name":"a.fasta","preamble":"","records":5,"residues":500,"sha256":")" +
      core::ObjectId::Hash("f").Hex() + R"(","size":600}],"version":"1"})";
  auto m = DecodeManifest(v1);
  ASSERT_TRUE(m) << m.error().ToString();
  ASSERT_EQ(m->chunks.size(), 1u);
  EXPECT_EQ(PiecesOf(m->chunks[0]).size(), 1u);
  EXPECT_EQ(TaxonRanges(*m)[9606], (std::vector<ChunkRange>{{0, 0, 600}}));
}

TEST(Layout, MergesContiguousRunsAndRoundTrips) {
  std::vector<LayoutRun> runs;
  AppendToLayout(&runs, 9606, 100);
  AppendToLayout(&runs, 9606, 50);  // same taxon: one run
  AppendToLayout(&runs, 562, 70);
  AppendToLayout(&runs, 9606, 10);  // back to 9606: a new run
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0], (LayoutRun{9606, 150}));
  auto back = DecodeLayout(EncodeLayout(runs));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, runs);
  std::string bytes = EncodeLayout(runs);
  EXPECT_FALSE(DecodeLayout(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(DecodeLayout(bytes + "x"));
}

}  // namespace
}  // namespace talaria::store
