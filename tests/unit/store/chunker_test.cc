#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "store/core/object_id.h"
#include "store/fasta/chunker.h"
#include "tests/testing/test_util.h"

namespace talaria::store {
namespace {

struct Rec {
  TaxonId taxon;
  std::string text;
};

std::vector<Rec> MakeRecords(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Rec> out;
  for (int i = 0; i < n; ++i) {
    std::string seq(80 + rng() % 900, 'A');
    for (char& c : seq) c = "ACDEFGHIKLMNPQRSTVWY"[rng() % 20];
    out.push_back(Rec{static_cast<TaxonId>(rng() % 5),
                      ">r" + std::to_string(seed) + "_" + std::to_string(i) + "\n" + seq + "\n"});
  }
  return out;
}

// chunk id -> taxon, for every chunk made from `records`.
std::map<core::ObjectId, TaxonId> Chunk(const std::vector<Rec>& records, const ChunkingOptions& o,
                                        std::vector<ClosedChunk>* all = nullptr,
                                        SpillOptions spill = {}, uint64_t* spilled = nullptr) {
  std::map<core::ObjectId, TaxonId> ids;
  Chunker chunker(
      o,
      [&](ClosedChunk&& c) {
        ids[core::ObjectId::Hash(c.bytes)] = c.taxon;
        if (all) all->push_back(std::move(c));
      },
      spill);
  for (const Rec& r : records) EXPECT_TRUE(chunker.Add(r.taxon, r.text, 0));
  EXPECT_TRUE(chunker.Finish());
  if (spilled) *spilled = chunker.spilled_bytes();
  return ids;
}

ChunkingOptions Small() { return ChunkingOptions{8 << 10, 64 << 10, 24 << 10}; }

TEST(Chunker, ChunksHoldOneTaxonWithinTheSizeBounds) {
  std::vector<ClosedChunk> chunks;
  auto records = MakeRecords(3000, 1);
  Chunk(records, Small(), &chunks);
  std::map<TaxonId, size_t> per_taxon_small;
  uint64_t total = 0;
  for (const ClosedChunk& c : chunks) {
    EXPECT_LE(c.bytes.size(), 64u << 10);
    if (c.bytes.size() < (8u << 10)) per_taxon_small[c.taxon]++;  // only a taxon's last chunk
    total += c.records;
    for (size_t pos = 0; (pos = c.bytes.find('>', pos)) != std::string::npos; ++pos) {
      size_t nl = c.bytes.find('\n', pos);
      int idx = std::stoi(c.bytes.substr(pos + 4, nl - pos - 4));
      EXPECT_EQ(records[idx].taxon, c.taxon);
    }
  }
  EXPECT_EQ(total, 3000u);
  for (const auto& [taxon, n] : per_taxon_small) EXPECT_LE(n, 1u) << taxon;
}

TEST(Chunker, OneInsertedRecordChangesAtMostTwoChunksOfItsTaxonOnly) {
  auto records = MakeRecords(4000, 2);
  auto before = Chunk(records, Small());
  for (int trial = 0; trial < 10; ++trial) {
    auto changed = records;
    size_t at = 200 + trial * 350;
    TaxonId taxon = changed[at].taxon;
    changed.insert(changed.begin() + static_cast<long>(at), Rec{taxon, ">inserted\nMKVLA\n"});
    auto after = Chunk(changed, Small());
    std::set<TaxonId> touched;
    size_t new_chunks = 0;
    for (const auto& [id, t] : after) {
      if (!before.count(id)) {
        new_chunks++;
        touched.insert(t);
      }
    }
    EXPECT_LE(new_chunks, 2u) << "trial " << trial;
    EXPECT_GE(new_chunks, 1u);
    EXPECT_EQ(touched, std::set<TaxonId>{taxon});
  }
}

TEST(Chunker, RemovingOrEditingARecordIsLocalToo) {
  auto records = MakeRecords(4000, 3);
  auto before = Chunk(records, Small());
  auto removed = records;
  removed.erase(removed.begin() + 1234);
  auto edited = records;
  edited[2345].text.back() = 'W';
  edited[2345].text += "\n";
  for (const auto* variant : {&removed, &edited}) {
    auto after = Chunk(*variant, Small());
    size_t fresh = 0;
    for (const auto& [id, t] : after) fresh += !before.count(id);
    EXPECT_LE(fresh, 2u);
  }
}

TEST(Chunker, SpillingToDiskChangesNoChunk) {
  testing::TempDir dir;
  auto records = MakeRecords(6000, 4);
  std::vector<ClosedChunk> in_memory, spilled_chunks;
  auto a = Chunk(records, Small(), &in_memory);
  uint64_t spilled = 0;
  auto b =
      Chunk(records, Small(), &spilled_chunks, SpillOptions{16 << 10, dir / "spill"}, &spilled);
  EXPECT_GT(spilled, 1u << 20) << "the tiny budget must force spilling";
  EXPECT_EQ(a, b);
  ASSERT_EQ(in_memory.size(), spilled_chunks.size());
  for (size_t i = 0; i < in_memory.size(); ++i) {
    EXPECT_EQ(in_memory[i].serial, spilled_chunks[i].serial);
    EXPECT_EQ(in_memory[i].records, spilled_chunks[i].records);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir / "spill")) << "the scratch file is removed";
}

TEST(Chunker, HugeRecordIsAChunkOfItsOwn) {
  std::vector<ClosedChunk> chunks;
  std::vector<Rec> records = {
      {1, ">a\nAAAA\n"}, {1, ">big\n" + std::string(200 << 10, 'C') + "\n"}, {1, ">b\nGG\n"}};
  Chunk(records, Small(), &chunks);
  bool found = false;
  for (const auto& c : chunks) found |= c.records == 1 && c.bytes.size() > (200u << 10);
  EXPECT_TRUE(found);
}

// Many small taxa (1-3 records of 100-700 residues) and two large ones,
// interleaved; a record's header names its taxon: ">t<taxon>_<n>".
std::vector<Rec> MakeManyTaxa(int small_taxa, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Rec> out;
  auto add = [&](TaxonId taxon) {
    std::string seq(100 + rng() % 600, 'A');
    for (char& c : seq) c = "ACDEFGHIKLMNPQRSTVWY"[rng() % 20];
    out.push_back(Rec{taxon, ">t" + std::to_string(taxon) + "_" + std::to_string(out.size()) +
                                 "\n" + seq + "\n"});
  };
  for (int t = 0; t < small_taxa; ++t) {
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n; ++k) add(static_cast<TaxonId>(1000 + (t * 7919 + k * 131) % small_taxa));
    for (int k = 0; k < 3; ++k) add(static_cast<TaxonId>(1 + rng() % 2));  // two large taxa
  }
  return out;
}

TaxonId TaxonOfRecord(std::string_view record) {
  return static_cast<TaxonId>(std::stoul(std::string(record.substr(2, record.find('_') - 2))));
}

TEST(Chunker, SmallTaxaShareChunksAndPiecesSayWhoseRecordsAreWhere) {
  auto records = MakeManyTaxa(600, 5);
  std::vector<ClosedChunk> chunks;
  Chunk(records, Small(), &chunks);
  std::map<TaxonId, std::string> stream_of;  // each taxon's records as the chunks hold them
  std::map<TaxonId, std::string> expected;   // ... and in input order
  for (const Rec& r : records) expected[r.taxon] += r.text;
  std::map<TaxonId, int> ranges;  // contiguous ranges per taxon, over the shared stream
  TaxonId previous = kSharedStream;
  size_t shared = 0;
  for (const ClosedChunk& c : chunks) {
    EXPECT_LE(c.bytes.size(), 64u << 10);
    ASSERT_FALSE(c.pieces.empty());
    uint64_t at = 0, records_seen = 0;
    for (const TaxonPiece& p : c.pieces) {
      ASSERT_TRUE(p.primary);
      EXPECT_EQ(p.offset, at);
      at += p.length;
      records_seen += p.records;
      const std::string_view text = std::string_view(c.bytes).substr(p.offset, p.length);
      for (size_t pos = 0; pos < text.size(); pos = text.find('\n', text.find('\n', pos) + 1) + 1) {
        EXPECT_EQ(TaxonOfRecord(text.substr(pos)), p.taxon);
      }
      stream_of[p.taxon] += text;
      if (c.taxon == kSharedStream && p.taxon != previous) ranges[p.taxon]++;
      previous = p.taxon;
    }
    EXPECT_EQ(at, c.bytes.size());
    EXPECT_EQ(records_seen, c.records);
    if (c.taxon == kSharedStream) {
      shared++;
      EXPECT_GT(c.pieces.size(), 1u);
    } else {
      EXPECT_EQ(c.pieces.size(), 1u);
      EXPECT_LE(c.taxon, 2u) << "only the large taxa have chunks of their own";
    }
  }
  EXPECT_GE(shared, 3u);
  EXPECT_EQ(stream_of, expected) << "every taxon's records, once each, in input order";
  for (const auto& [taxon, n] : ranges) EXPECT_EQ(n, 1) << "taxon " << taxon << " is split up";
  EXPECT_LT(shared, 600u / 20) << "far fewer shared chunks than small taxa";
}

TEST(Chunker, SharedStreamFollowsTheGivenOrderAndSurvivesSpilling) {
  testing::TempDir dir;
  auto records = MakeManyTaxa(300, 6);
  std::vector<TaxonId> seen;
  std::vector<ClosedChunk> in_memory, spilled;
  for (auto* out : {&in_memory, &spilled}) {
    Chunker chunker(
        Small(), [&](ClosedChunk&& c) { out->push_back(std::move(c)); },
        out == &spilled ? SpillOptions{4 << 10, dir / "spill"} : SpillOptions{}, nullptr,
        [](std::vector<TaxonId> taxa) {
          std::reverse(taxa.begin(), taxa.end());
          return taxa;
        });
    for (const Rec& r : records) ASSERT_TRUE(chunker.Add(r.taxon, r.text, 0));
    ASSERT_TRUE(chunker.Finish());
  }
  ASSERT_EQ(in_memory.size(), spilled.size());
  for (size_t i = 0; i < in_memory.size(); i++) {
    EXPECT_EQ(in_memory[i].bytes, spilled[i].bytes);
    EXPECT_EQ(in_memory[i].pieces, spilled[i].pieces);
  }
  for (const ClosedChunk& c : in_memory) {
    if (c.taxon != kSharedStream) continue;
    for (const TaxonPiece& p : c.pieces) {
      if (seen.empty() || seen.back() != p.taxon) seen.push_back(p.taxon);
    }
  }
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend())) << "descending, as the order asked";
}

TEST(Chunker, AnEditToASmallTaxonChangesAtMostTwoSharedChunks) {
  auto records = MakeManyTaxa(800, 7);
  auto before = Chunk(records, Small());
  for (int trial = 0; trial < 6; ++trial) {
    auto changed = records;
    size_t at = 100 + trial * 400;
    while (changed[at].taxon <= 2) at++;  // a small taxon's record
    if (trial % 2 == 0) {
      changed[at].text.insert(changed[at].text.size() - 1, "W");
    } else {  // a new small taxon
      changed.insert(changed.begin() + static_cast<long>(at),
                     Rec{5000 + static_cast<TaxonId>(trial), ">t5000_new\nMKV\n"});
    }
    auto after = Chunk(changed, Small());
    size_t fresh = 0;
    for (const auto& [id, t] : after) fresh += !before.count(id);
    EXPECT_GE(fresh, 1u);
    EXPECT_LE(fresh, 2u) << "trial " << trial;
  }
}

TEST(Chunker, ARecordOfSeveralTaxaIsStoredOnceAndListedUnderEach) {
  std::vector<ClosedChunk> chunks;
  Chunker chunker(Small(), [&](ClosedChunk&& c) { chunks.push_back(std::move(c)); });
  const std::vector<TaxonId> also = {7, 8};
  ASSERT_TRUE(chunker.Add(5, ">t5_a\nMKV\n", 3));
  ASSERT_TRUE(chunker.Add(6, ">t6_b\nMKVL\n", 4, also));  // small taxon 6, also 7 and 8
  for (int i = 0; i < 200; i++) {                         // large taxon 9
    const std::string r = ">t9_" + std::to_string(i) + "\n" + std::string(400, 'A') + "\n";
    ASSERT_TRUE(chunker.Add(9, r, 400,
                            i == 3 ? std::span<const TaxonId>(also) : std::span<const TaxonId>()));
  }
  ASSERT_TRUE(chunker.Finish());
  int secondary = 0;
  for (const ClosedChunk& c : chunks) {
    for (const TaxonPiece& p : c.pieces) {
      if (p.primary) continue;
      secondary++;
      const std::string_view text = std::string_view(c.bytes).substr(p.offset, p.length);
      EXPECT_TRUE(text == ">t6_b\nMKVL\n" || text == ">t9_3\n" + std::string(400, 'A') + "\n")
          << text;
      EXPECT_TRUE(p.taxon == 7 || p.taxon == 8);
      EXPECT_EQ(p.records, 1u);
    }
  }
  EXPECT_EQ(secondary, 4) << "two records, each under two more taxa";
}

}  // namespace
}  // namespace talaria::store
