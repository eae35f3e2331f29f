#pragma once

// Checking Results in tests without undefined behaviour: a failed call ends
// the test with its error instead of dereferencing an empty Result.
//
//   ASSERT_OK(store->Put("x"));
//   ASSERT_OK_AND_ASSIGN(auto report, VerifyStore(*store, {}));
//   EXPECT_EQ(testing::Value(store->Has(id)), true);   // inside an expression
//
// Value() throws on an error; GoogleTest reports the exception, with the
// error's text, as a failure of the test that made the call.

#include <stdexcept>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "store/core/status.h"

namespace talaria::testing {

template <typename T>
T Value(core::Result<T>&& result) {
  if (!result) throw std::runtime_error("unexpected error: " + result.error().ToString());
  return std::move(*result);
}

template <typename T>
const T& Value(const core::Result<T>& result) {
  if (!result) throw std::runtime_error("unexpected error: " + result.error().ToString());
  return *result;
}

}  // namespace talaria::testing

#define TALARIA_TEST_CONCAT_INNER(a, b) a##b
#define TALARIA_TEST_CONCAT(a, b) TALARIA_TEST_CONCAT_INNER(a, b)

#define ASSERT_OK(expr)                                                                            \
  do {                                                                                             \
    auto&& talaria_status = (expr);                                                                \
    ASSERT_TRUE(talaria_status.has_value()) << #expr << ": " << talaria_status.error().ToString(); \
  } while (0)

#define EXPECT_OK(expr)                                                                            \
  do {                                                                                             \
    auto&& talaria_status = (expr);                                                                \
    EXPECT_TRUE(talaria_status.has_value()) << #expr << ": " << talaria_status.error().ToString(); \
  } while (0)

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  TALARIA_ASSERT_OK_AND_ASSIGN_IMPL(TALARIA_TEST_CONCAT(talaria_result_, __LINE__), lhs, expr)

#define TALARIA_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)                  \
  auto tmp = (expr);                                                       \
  ASSERT_TRUE(tmp.has_value()) << #expr << ": " << tmp.error().ToString(); \
  lhs = std::move(*tmp)
