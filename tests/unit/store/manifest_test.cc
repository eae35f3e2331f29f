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
