// put then get of a 100 MB file is byte-identical for every codec.

#include <filesystem>

#include <gtest/gtest.h>

#include "store/core/object_id.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

TEST(RoundTrip, HundredMegabytesThroughEveryCodec) {
  testing::TempDir dir;
  std::string input = dir / "big.bin";
  {
    // 100 MB: FASTA-like text interleaved with incompressible stretches.
    std::string data;
    data.reserve(100'000'000);
    for (uint64_t i = 0; data.size() < 100'000'000; ++i) {
      data += i % 5 == 4 ? testing::RandomBytes(1 << 20, i) : testing::FastaLikeText(4 << 20, i);
    }
    data.resize(100'000'000);
    testing::WriteFile(input, data);
  }
  std::string expected = core::ObjectId::Hash(testing::ReadFileOrDie(input)).Hex();
  for (const char* codec : {"none", "zstd", "lz4", "lz4hc", "snappy"}) {
    std::string store = dir / (std::string("store-") + codec);
    ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store, "--codec", codec}).exit_code, 0);
    auto put = testing::RunStore(store, {"put", input});
    ASSERT_EQ(put.exit_code, 0) << codec << ": " << put.err;
    ASSERT_EQ(put.out.substr(0, 64), expected) << codec;
    std::string out = dir / "out.bin";
    auto get = testing::RunStore(store, {"get", expected, "-o", out});
    ASSERT_EQ(get.exit_code, 0) << codec << ": " << get.err;
    auto cmp = testing::Run({"/usr/bin/cmp", input, out});
    EXPECT_EQ(cmp.exit_code, 0) << codec << ": " << cmp.out;
    std::filesystem::remove_all(store);
  }
}

}  // namespace
}  // namespace talaria
