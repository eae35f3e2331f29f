#include <unordered_set>

#include <gtest/gtest.h>

#include "store/core/object_id.h"

namespace talaria::core {
namespace {

TEST(ObjectId, MatchesSha256TestVectors) {
  // FIPS 180-2 examples.
  EXPECT_EQ(ObjectId::Hash("abc").Hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ObjectId::Hash("").Hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ObjectId::Hash(std::string(1000000, 'a')).Hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(ObjectId, StreamingEqualsOneShot) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Sha256Hasher h;
  for (size_t i = 0; i < data.size(); i += 777) h.Update(std::string_view(data).substr(i, 777));
  EXPECT_EQ(h.Finish(), ObjectId::Hash(data));
  h.Update("abc");
  EXPECT_EQ(h.Finish(), ObjectId::Hash("abc"));  // reset after Finish
}

TEST(ObjectId, HexRoundTripsInEitherCase) {
  ObjectId id = ObjectId::Hash("talaria");
  auto parsed = ObjectId::Parse(id.Hex());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, id);
  std::string upper = id.Hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(*ObjectId::Parse(upper), id);
}

TEST(ObjectId, BadHexIsAClearError) {
  auto short_id = ObjectId::Parse("abc");
  ASSERT_FALSE(short_id);
  EXPECT_EQ(short_id.error().code(), Code::kInvalidArgument);
  EXPECT_NE(short_id.error().message().find("64 hex digits"), std::string::npos);
  std::string bad(64, 'a');
  bad[10] = 'g';
  auto not_hex = ObjectId::Parse(bad);
  ASSERT_FALSE(not_hex);
  EXPECT_NE(not_hex.error().message().find("character 11 is 'g'"), std::string::npos);
}

TEST(ObjectId, ZeroIsNoObjectAndHashesSpread) {
  EXPECT_TRUE(ObjectId().IsZero());
  EXPECT_FALSE(ObjectId::Hash("").IsZero());
  std::unordered_set<ObjectId> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(ObjectId::Hash(std::to_string(i)));
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace talaria::core
