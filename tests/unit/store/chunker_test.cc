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

}  // namespace
}  // namespace talaria::store
