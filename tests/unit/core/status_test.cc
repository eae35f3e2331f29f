#include <cerrno>

#include <gtest/gtest.h>

#include "store/core/status.h"

namespace talaria::core {
namespace {

Result<int> Half(int v) {
  if (v % 2) return InvalidArgument(std::to_string(v) + " is odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  TALARIA_ASSIGN_OR_RETURN(int h, Half(v));
  TALARIA_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int v) {
  TALARIA_RETURN_IF_ERROR(Half(v));
  return OkStatus();
}

TEST(Status, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(12), 3);
  auto r = Quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "3 is odd");
  EXPECT_TRUE(CheckEven(4));
  EXPECT_FALSE(CheckEven(5));
}

TEST(Status, ErrnoMapsInOnePlace) {
  EXPECT_EQ(ErrnoError("open x", ENOENT).value().code(), Code::kNotFound);
  EXPECT_EQ(ErrnoError("write x", ENOSPC).value().code(), Code::kNoSpace);
  auto e = ErrnoError("read x", EIO).value();
  EXPECT_EQ(e.code(), Code::kIoError);
  EXPECT_EQ(e.sys_errno(), EIO);
  EXPECT_NE(e.message().find("read x: "), std::string::npos);
}

TEST(Status, ContextIsPrepended) {
  Error e = Corruption("bad frame").value().WithContext("object ab");
  EXPECT_EQ(e.ToString(), "corruption: object ab: bad frame");
}

}  // namespace
}  // namespace talaria::core
