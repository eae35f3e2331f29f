#include <gtest/gtest.h>

#include "store/pack/frame.h"
#include "store/pack/pack_format.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace talaria::store {
namespace {

TEST(Frame, DescribesItself) {
  std::string raw = testing::FastaLikeText(10000, 1);
  auto frame = EncodeFrame(CodecSpec{CodecType::kZstd, 3}, raw);
  ASSERT_TRUE(frame);
  auto h = ParseFrameHeader(*frame);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->codec, CodecType::kZstd);
  EXPECT_EQ(h->raw_len, raw.size());
  EXPECT_EQ(h->stored_len + kFrameHeaderSize, frame->size());
  EXPECT_FALSE(h->patched());
  EXPECT_EQ(*DecodeFrame(*frame), raw);
}

TEST(Frame, IncompressibleDataIsStoredPlain) {
  std::string raw = testing::RandomBytes(50000, 2);
  auto frame = EncodeFrame(CodecSpec{CodecType::kZstd, 19}, raw);
  ASSERT_OK(frame);
  EXPECT_EQ(ParseFrameHeader(*frame)->codec, CodecType::kNone);
  EXPECT_EQ(frame->size(), raw.size() + kFrameHeaderSize);
  EXPECT_EQ(*DecodeFrame(*frame), raw);
}

TEST(Frame, EveryFlippedByteIsDetected) {
  std::string raw = testing::FastaLikeText(3000, 3);
  for (const char* codec : {"none", "zstd:3", "lz4", "snappy"}) {
    auto frame = *EncodeFrame(*CodecSpec::Parse(codec), raw);
    for (size_t i = 0; i < frame.size(); ++i) {
      std::string damaged = frame;
      damaged[i] ^= 0x20;
      auto r = DecodeFrame(damaged);
      ASSERT_FALSE(r && *r == raw) << codec << " byte " << i << " flip went unnoticed";
      if (!r) {
        EXPECT_NE(r.error().code(), core::Code::kNotFound);
      }
    }
  }
}

TEST(RecordHeader, RoundTripsAndRejectsDamage) {
  RecordHeader h;
  h.kind = ObjectKind::kChunk;
  h.depth = 3;
  h.id = core::ObjectId::Hash("id");
  h.base = core::ObjectId::Hash("base");
  h.frame_len = 12345;
  h.raw_len = 99999;
  std::string enc = EncodeRecordHeader(h);
  ASSERT_EQ(enc.size(), kRecordHeaderSize);
  auto back = DecodeRecordHeader(enc);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, h.id);
  EXPECT_EQ(back->base, h.base);
  EXPECT_EQ(back->depth, 3);
  EXPECT_EQ(back->kind, ObjectKind::kChunk);
  EXPECT_EQ(back->frame_len, 12345u);
  EXPECT_EQ(back->raw_len, 99999u);
  for (size_t i = 0; i < enc.size(); ++i) {
    std::string damaged = enc;
    damaged[i] ^= 1;
    EXPECT_FALSE(DecodeRecordHeader(damaged)) << "byte " << i;
  }
}

}  // namespace
}  // namespace talaria::store
