#include <cstdlib>

#include <gtest/gtest.h>

#include "store/object/config.h"
#include "tests/testing/test_util.h"

namespace talaria::store {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"TALARIA_CODEC", "TALARIA_COMPRESSION_LEVEL", "TALARIA_STORAGE_THREADS",
                          "TALARIA_CACHE_SIZE_MB", "TALARIA_CACHE_DIR"}) {
      ::unsetenv(v);
    }
  }
  void TearDown() override { SetUp(); }
  testing::TempDir dir_;
};

TEST_F(ConfigTest, FileOverridesDefaultsAndEnvironmentOverridesFile) {
  std::string path = dir_ / "storage.toml";
  testing::WriteFile(path,
                     "[storage]\ncodec = \"lz4\"\nthreads = 3\nmax_pack_size_mb = 16\n"
                     "[cache]\nsize_mb = 10\n");
  StoreConfig c;
  ASSERT_TRUE(ApplyConfigFile(path, &c));
  EXPECT_EQ(c.codec.ToString(), "lz4");
  EXPECT_EQ(c.threads, 3u);
  EXPECT_EQ(c.max_pack_bytes, uint64_t{16} << 20);
  EXPECT_EQ(c.cache_bytes, uint64_t{10} << 20);
  ::setenv("TALARIA_CACHE_SIZE_MB", "20", 1);
  ::setenv("TALARIA_STORAGE_THREADS", "5", 1);
  ::setenv("TALARIA_COMPRESSION_LEVEL", "11", 1);
  ASSERT_TRUE(ApplyEnvironment(&c));
  EXPECT_EQ(c.cache_bytes, uint64_t{20} << 20);
  EXPECT_EQ(c.threads, 5u);
  EXPECT_EQ(c.codec.ToString(), "lz4hc:11");  // a level on lz4 means HC
  // Flags come last (the CLI applies them the same way).
  ASSERT_TRUE(SetCompressionLevel(&c, 4, "--level"));
  EXPECT_EQ(c.codec.ToString(), "lz4hc:4");
}

TEST_F(ConfigTest, UnknownKeysAndBadValuesAreNamed) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"[storage]\ncodecs = \"zstd\"\n", "unknown key 'codecs'"},
      {"[storage]\ncodec = \"zip\"\n", "bad codec 'zip'"},
      {"[storage]\nthreads = -1\n", "'threads'"},
      {"[storage]\nmax_pack_size_mb = \"big\"\n", "'max_pack_size_mb'"},
      {"[cache]\nsize_mb = 1.5\n", "'size_mb'"},
      {"[storage]\nrepack_threshold = 2.0\n", "'repack_threshold'"},
      {"[network]\nx = 1\n", "unknown section [network]"},
      {"[storage\ncodec = 1\n", "storage.toml:1"},
  };
  for (const auto& k : cases) {
    std::string path = dir_ / "storage.toml";
    testing::WriteFile(path, k.text);
    StoreConfig c;
    auto st = ApplyConfigFile(path, &c);
    ASSERT_FALSE(st) << k.text;
    EXPECT_NE(st.error().message().find(k.expect), std::string::npos) << st.error().message();
    EXPECT_EQ(c.codec.ToString(), "zstd:3");  // nothing applied from a bad file
  }
}

TEST_F(ConfigTest, BadEnvironmentValuesAreNamed) {
  ::setenv("TALARIA_CACHE_SIZE_MB", "lots", 1);
  StoreConfig c;
  auto st = ApplyEnvironment(&c);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("TALARIA_CACHE_SIZE_MB"), std::string::npos);
  ::unsetenv("TALARIA_CACHE_SIZE_MB");
  ::setenv("TALARIA_CODEC", "snappy", 1);
  ::setenv("TALARIA_COMPRESSION_LEVEL", "3", 1);
  st = ApplyEnvironment(&c);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("TALARIA_COMPRESSION_LEVEL"), std::string::npos);
}

TEST_F(ConfigTest, WrittenFileReadsBackTheSame) {
  StoreConfig c;
  c.codec = *CodecSpec::Parse("zstd:9");
  c.threads = 2;
  c.max_delta_depth = 5;
  std::string path = dir_ / "storage.toml";
  testing::WriteFile(path, ConfigFileText(c));
  StoreConfig back;
  ASSERT_TRUE(ApplyConfigFile(path, &back));
  EXPECT_EQ(back.codec, c.codec);
  EXPECT_EQ(back.threads, 2u);
  EXPECT_EQ(back.max_delta_depth, 5u);
  EXPECT_EQ(back.max_pack_bytes, c.max_pack_bytes);
}

TEST_F(ConfigTest, MissingFileMeansDefaults) {
  StoreConfig c;
  ASSERT_TRUE(ApplyConfigFile(dir_ / "absent.toml", &c));
  EXPECT_EQ(c.codec.ToString(), "zstd:3");
}

}  // namespace
}  // namespace talaria::store
