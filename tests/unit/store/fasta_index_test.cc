#include <gtest/gtest.h>

#include "store/fasta/fasta_index.h"

namespace talaria::store {
namespace {

TEST(FastaIndex, RecordsCarryWhatAFaiLineNeeds) {
  const std::string text =
      ">a first record\nACGTACGT\nACGTACGT\nACG\n"  // 3 lines, last short
      ">b\r\nMKVL\r\nMK\r\n"                        // CRLF: width counts \r\n
      ">c empty\n"                                  // no sequence
      ">d\nAAAA\nAA\nAAAA\n"                        // a short line inside: irregular
      ">e\nAC\n\n";                                 // a trailing blank line is fine
  auto records = IndexFastaRecords(text);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0], (FaiRecord{"a", 0, 16, 19, 8, 9, true}));
  EXPECT_EQ(records[1].name, "b");
  EXPECT_EQ(records[1].start, text.find(">b"));
  EXPECT_EQ(records[1].seq_offset, 4u);
  EXPECT_EQ(records[1].residues, 6u);
  EXPECT_EQ(records[1].line_bases, 4u);
  EXPECT_EQ(records[1].line_width, 6u);
  EXPECT_TRUE(records[1].regular);
  EXPECT_EQ(records[2], (FaiRecord{"c", text.find(">c"), 9, 0, 0, 0, true}));
  EXPECT_FALSE(records[3].regular);
  EXPECT_TRUE(records[4].regular);
  EXPECT_EQ(records[4].residues, 2u);
}

TEST(FastaIndex, EncodingRoundTripsAndRejectsGarbage) {
  std::string text;
  for (int i = 0; i < 500; i++) {
    text += ">sp|P" + std::to_string(i) + "| protein\n" + std::string(60, 'M') + "\n" +
            std::string(i % 60 + 1, 'K') + "\n";
  }
  auto records = IndexFastaRecords(text);
  ASSERT_EQ(records.size(), 500u);
  auto decoded = DecodeFaiRecords(EncodeFaiRecords(records));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, records);
  std::string bad = EncodeFaiRecords(records);
  EXPECT_FALSE(DecodeFaiRecords(bad.substr(0, bad.size() - 3)));
  EXPECT_FALSE(DecodeFaiRecords("nonsense"));
  EXPECT_FALSE(DecodeFaiRecords(bad + "x"));
}

TEST(FastaIndex, AnEditChangesOnlyItsOwnEntry) {
  // Starts are stored as gaps: bytes after an edited record stay the same,
  // which keeps an update's index a small delta.
  std::string a, b;
  for (int i = 0; i < 100; i++) {
    std::string rec = ">r" + std::to_string(i) + "\n" + std::string(50 + i, 'A') + "\n";
    a += rec;
    b += i == 10 ? ">r10\n" + std::string(70, 'C') + "\n" : rec;
  }
  std::string ea = EncodeFaiRecords(IndexFastaRecords(a));
  std::string eb = EncodeFaiRecords(IndexFastaRecords(b));
  size_t differing = 0;
  for (size_t i = 0; i < std::min(ea.size(), eb.size()); i++) differing += ea[i] != eb[i];
  EXPECT_LE(differing, 4u);
}

}  // namespace
}  // namespace talaria::store
