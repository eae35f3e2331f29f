#include <fcntl.h>

#include <gtest/gtest.h>

#include "store/core/file_io.h"
#include "tests/testing/test_util.h"

namespace talaria::core {
namespace {

using testing::TempDir;

TEST(FileIo, AtomicWriteReplacesWholeFile) {
  TempDir dir;
  std::string path = dir / "f";
  ASSERT_TRUE(WriteFileAtomic(path, "first version"));
  ASSERT_TRUE(WriteFileAtomic(path, "2nd"));
  EXPECT_EQ(*ReadFile(path), "2nd");
}

TEST(FileIo, ShortReadIsCorruptionNamingTheFile) {
  TempDir dir;
  std::string path = dir / "f";
  ASSERT_TRUE(WriteFileAtomic(path, "12345"));
  auto fd = OpenFile(path, O_RDONLY);
  ASSERT_TRUE(fd);
  EXPECT_EQ(*PreadExact(fd->get(), 1, 3, path), "234");
  auto r = PreadExact(fd->get(), 2, 10, path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kCorruption);
  EXPECT_NE(r.error().message().find(path), std::string::npos);
}

TEST(FileIo, MissingFileIsNotFound) {
  auto r = ReadFile("/nonexistent/talaria/file");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_NE(r.error().message().find("/nonexistent/talaria/file"), std::string::npos);
}

TEST(FileIo, ReadFileReadsPipesToTheEnd) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "through a pipe", 14), 14);
  ::close(fds[1]);
  auto r = ReadFile("/proc/self/fd/" + std::to_string(fds[0]));
  ::close(fds[0]);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "through a pipe");
}

}  // namespace
}  // namespace talaria::core
