#include <gtest/gtest.h>

#include "store/pack/codec.h"
#include "store/pack/frame.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace talaria::store {
namespace {

const char* kAllCodecs[] = {"none", "zstd:1",  "zstd:3",   "zstd:19", "zstd:22",
                            "lz4",  "lz4hc:1", "lz4hc:12", "snappy"};

TEST(Codec, EveryCodecRoundTripsTextRandomAndEmpty) {
  std::string inputs[] = {testing::FastaLikeText(300000, 1), testing::RandomBytes(100000, 2), ""};
  for (const char* name : kAllCodecs) {
    auto spec = CodecSpec::Parse(name);
    ASSERT_TRUE(spec) << name;
    for (const std::string& raw : inputs) {
      auto stored = Compress(*spec, raw);
      ASSERT_TRUE(stored) << name;
      auto back = Decompress(spec->type, *stored, raw.size());
      ASSERT_TRUE(back) << name << ": " << back.error().ToString();
      EXPECT_EQ(*back, raw) << name;
    }
  }
}

TEST(Codec, CompressionActuallyCompressesText) {
  std::string text = testing::FastaLikeText(500000, 3);
  for (const char* name : {"zstd:3", "lz4", "lz4hc:9", "snappy"}) {
    auto stored = Compress(*CodecSpec::Parse(name), text);
    ASSERT_TRUE(stored);
    EXPECT_LT(stored->size(), text.size() / 2) << name;
  }
  auto fast = Compress(*CodecSpec::Parse("zstd:1"), text);
  ASSERT_OK(fast);
  auto strong = Compress(*CodecSpec::Parse("zstd:19"), text);
  ASSERT_OK(strong);
  EXPECT_LT(strong->size(), fast->size());
}

TEST(Codec, SpecParsingNamesWhatIsWrong) {
  EXPECT_EQ(CodecSpec::Parse("zstd")->level, 3);
  EXPECT_EQ(CodecSpec::Parse("lz4hc")->level, 9);
  EXPECT_EQ(CodecSpec::Parse("lz4")->level, 0);
  EXPECT_EQ(CodecSpec::Parse("zstd:6")->ToString(), "zstd:6");
  EXPECT_EQ(CodecSpec::Parse("lz4hc:4")->ToString(), "lz4hc:4");
  for (const char* bad : {"zstd:0", "zstd:23", "zstd:x", "lz4hc:13", "snappy:2", "brotli", ""}) {
    auto r = CodecSpec::Parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), core::Code::kInvalidArgument);
    EXPECT_NE(r.error().message().find(std::string("'") + bad + "'"), std::string::npos);
  }
}

TEST(Codec, GarbageIsCorruptionNotACrash) {
  std::string garbage = testing::RandomBytes(5000, 4);
  for (CodecType t : {CodecType::kZstd, CodecType::kLz4, CodecType::kSnappy}) {
    auto r = Decompress(t, garbage, 10000);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::Code::kCorruption);
  }
  // Valid data, wrong expected length.
  auto stored = Compress(*CodecSpec::Parse("zstd:3"), "hello hello hello");
  EXPECT_FALSE(Decompress(CodecType::kZstd, *stored, 5));
}

TEST(ByteDelta, PatchAgainstBaseIsSmallAndExact) {
  std::string base = testing::FastaLikeText(400000, 5);
  std::string target = base;
  target.replace(1000, 10, "XXXXXXXXXX");
  target.insert(200000, ">new record\nACDEFGHIK\n");
  target.erase(300000, 50);
  CodecSpec zstd{CodecType::kZstd, 3};
  auto patch = EncodeFrame(zstd, target, base);
  auto whole = EncodeFrame(zstd, target);
  ASSERT_TRUE(patch && whole);
  EXPECT_LT(patch->size() * 20, whole->size());
  EXPECT_EQ(*DecodeFrame(*patch, base), target);
  // Without the base, or with the wrong one, the patch cannot give the target.
  auto no_base = DecodeFrame(*patch);
  EXPECT_FALSE(no_base);
  auto wrong = DecodeFrame(*patch, testing::FastaLikeText(400000, 6));
  EXPECT_TRUE(!wrong || *wrong != target);
}

TEST(ByteDelta, OnlyZstdCanPatch) {
  auto r = Compress(*CodecSpec::Parse("lz4"), "abc", "base");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace talaria::store

namespace talaria::store {
namespace {

// A damaged length field must be caught before anything is allocated.
TEST(Codec, ImplausibleLengthIsCorruptionBeforeAllocating) {
  std::string text = testing::FastaLikeText(10000, 7);
  for (const char* name : {"zstd:3", "lz4", "snappy", "none"}) {
    auto spec = *CodecSpec::Parse(name);
    auto stored = Compress(spec, text);
    ASSERT_OK(stored);
    for (uint64_t claimed : {uint64_t{1} << 60, uint64_t{text.size() + 1}}) {
      auto r = Decompress(spec.type, *stored, claimed);
      ASSERT_FALSE(r) << name << " accepted length " << claimed;
      EXPECT_EQ(r.error().code(), core::Code::kCorruption) << name;
    }
  }
}

}  // namespace
}  // namespace talaria::store
