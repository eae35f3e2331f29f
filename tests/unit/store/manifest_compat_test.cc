// A version written before paged manifests (format 2: chunk rows inline in
// the JSON, one TLAY2 layout object per source; docs/FORMAT.md §4.5) still
// loads to the same rows, exports byte for byte, gives the same taxon
// directory and layout, and passes verify.

#include <algorithm>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest.h"
#include "store/core/coding.h"
#include "store/maintenance/verify.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using core::ObjectId;
using nlohmann::json;

// The format 2 encoding, written here from FORMAT.md's description.
std::string EncodeFormat2(const DatabaseManifest& m, const std::vector<ObjectId>& layouts) {
  json sources = json::array();
  for (size_t i = 0; i < m.sources.size(); ++i) {
    const SourceFile& s = m.sources[i];
    sources.push_back({{"name", s.name},
                       {"input_name", s.input_name},
                       {"encoding", s.encoding},
                       {"size", s.size},
                       {"sha256", s.sha256.Hex()},
                       {"records", s.records},
                       {"residues", s.residues},
                       {"preamble", s.preamble},
                       {"layout", layouts[i].Hex()}});
  }
  json chunks = json::array();
  for (const ManifestChunk& c : m.chunks) {
    json row = json::array({c.id.Hex(), c.source, c.taxon, c.records, c.residues, c.bytes,
                            c.fai.IsZero() ? std::string() : c.fai.Hex()});
    if (!c.pieces.empty()) {
      json pieces = json::array();
      for (const TaxonPiece& p : c.pieces) {
        json piece = json::array({p.taxon, p.length, p.records, p.residues});
        if (!p.primary) piece.push_back(p.offset);
        pieces.push_back(piece);
      }
      row.push_back(pieces);
    }
    chunks.push_back(row);
  }
  return json{{"format", "talaria-database-manifest/2"},
              {"database", m.database},
              {"version", m.version},
              {"chunking",
               {{"min_bytes", m.chunking.min_chunk_bytes},
                {"max_bytes", m.chunking.max_chunk_bytes},
                {"target_bytes", m.chunking.target_chunk_bytes}}},
              {"sources", sources},
              {"chunk_fields", json::array({"id", "source", "taxon", "records", "residues", "bytes",
                                            "fai", "pieces"})},
              {"chunks", chunks}}
      .dump();
}

std::string EncodeTlay2(const std::vector<LayoutRun>& runs) {
  std::string out = "TLAY2";
  core::PutVarint(&out, runs.size());
  for (const LayoutRun& r : runs) {
    core::PutVarint(&out, r.taxon);
    core::PutVarint(&out, r.length);
  }
  return out;
}

class ManifestCompatTest : public testing::StoreTest {};

TEST_F(ManifestCompatTest, AFormatTwoVersionStillLoadsExportsAndVerifies) {
  // 400 small taxa of 1-3 short records (they share chunks) and a large one.
  std::mt19937_64 rng(5);
  std::string fasta;
  for (int i = 0; i < 1500; i++) {
    const uint64_t taxon = i % 3 == 0 ? 9606 : 100000 + rng() % 400;
    fasta += ">r" + std::to_string(i) + " OX=" + std::to_string(taxon) + "\n";
    for (uint64_t k = 0, n = 60 + rng() % 200; k < n; k++)
      fasta += "ACDEFGHIKLMNPQRSTVWY"[rng() % 20];
    fasta += "\n";
  }
  testing::WriteFile(dir_ / "db.fasta", fasta);
  IngestOptions o;
  o.database = "db";
  o.version = "1";
  o.files = {dir_ / "db.fasta"};
  o.chunking = {1024, 4096, 2048};
  ASSERT_TRUE(IngestDatabase(*store_, o));
  const index::DatabaseVersion v = testing::Value(ResolveDatabase(*store_, "db"));
  const DatabaseManifest paged = testing::Value(LoadManifest(*store_, v.manifest));
  ASSERT_TRUE(IsPaged(paged));
  ASSERT_GT(std::count_if(paged.chunks.begin(), paged.chunks.end(),
                          [](const ManifestChunk& c) { return c.taxon == kSharedStream; }),
            0);

  // The same version as an older ingest would have written it.
  PutOptions m;
  m.kind = ObjectKind::kManifest;
  const std::vector<LayoutRun> runs = testing::Value(LoadLayout(*store_, paged.sources[0]));
  const ObjectId layout = testing::Value(store_->Put(EncodeTlay2(runs), m));
  const ObjectId root = testing::Value(store_->Put(EncodeFormat2(paged, {layout}), m));
  index::DatabaseVersion old = v;
  old.manifest = root;
  ASSERT_TRUE(store_->index().Update(
      [&](index::WriteTxn& txn) { return store_->index().databases().Put(txn, old); }));

  const DatabaseManifest legacy = testing::Value(LoadManifest(*store_, root));
  EXPECT_EQ(legacy.format, 2);
  EXPECT_FALSE(IsPaged(legacy));
  ASSERT_EQ(legacy.chunks.size(), paged.chunks.size());
  for (size_t i = 0; i < legacy.chunks.size(); ++i) {
    const ManifestChunk &a = legacy.chunks[i], &b = paged.chunks[i];
    EXPECT_TRUE(a.id == b.id && a.source == b.source && a.taxon == b.taxon &&
                a.records == b.records && a.residues == b.residues && a.bytes == b.bytes &&
                a.fai == b.fai && a.pieces == b.pieces)
        << "row " << i;
  }
  EXPECT_EQ(testing::Value(LoadLayout(*store_, legacy.sources[0])), runs);
  std::vector<TaxonEntry> a = testing::Value(LoadTaxonDirectory(*store_, legacy));
  std::vector<TaxonEntry> b = testing::Value(LoadTaxonDirectory(*store_, paged));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {  // page numbers differ: one page against several
    EXPECT_EQ(a[i].taxon, b[i].taxon);
    EXPECT_EQ(a[i].bytes, b[i].bytes);
  }
  std::string exported;
  ASSERT_TRUE(ExportSource(*store_, legacy, legacy.sources[0], [&](std::string_view piece) {
    exported.append(piece);
    return core::OkStatus();
  }));
  EXPECT_TRUE(exported == fasta);
  auto report = VerifyStore(*store_, VerifyOptions{2, {}});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << (report->errors.empty() ? "" : report->errors[0].detail);
  // At least: manifest + its layout + a chunk and a record index per chunk.
  EXPECT_GE(report->references_checked, 2 + 2 * legacy.chunks.size());
}

}  // namespace
}  // namespace talaria::store
