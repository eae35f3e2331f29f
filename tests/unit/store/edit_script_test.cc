#include <random>

#include <gtest/gtest.h>

#include "store/reduce/banded_alignment.h"
#include "store/reduce/edit_script.h"

namespace talaria::store {
namespace {

std::string Mutate(const std::string& s, uint64_t seed, int edits) {
  std::mt19937_64 rng(seed);
  static const char kAlphabet[] = "ACDEFGHIKLMNPQRSTVWYBJOUZX*acdx-";
  std::string out = s;
  for (int e = 0; e < edits && !out.empty(); e++) {
    size_t pos = rng() % out.size();
    switch (rng() % 3) {
      case 0:
        out[pos] = kAlphabet[rng() % (sizeof kAlphabet - 1)];
        break;
      case 1:
        out.insert(pos, 1 + rng() % 3, kAlphabet[rng() % (sizeof kAlphabet - 1)]);
        break;
      default:
        out.erase(pos, 1 + rng() % 3);
    }
  }
  return out;
}

std::string Random(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s;
  for (size_t i = 0; i < n; i++) s += "ACDEFGHIKLMNPQRSTVWY"[rng() % 20];
  return s;
}

TEST(EditScript, AlignmentRebuildsEveryChildExactlyWhateverItsResidues) {
  for (uint64_t seed = 0; seed < 200; seed++) {
    const std::string ref = Random(50 + seed * 7 % 600, seed);
    const std::string child = Mutate(ref, seed + 1000, static_cast<int>(seed % 12));
    auto a = AlignBanded(ref, child, AlignmentLimits{0.5});
    ASSERT_TRUE(a) << seed;
    auto rebuilt = ApplyScript(ref, a->script);
    ASSERT_TRUE(rebuilt);
    EXPECT_EQ(*rebuilt, child) << seed;
    // Text and binary forms give back the same script.
    auto parsed = ParseScript(FormatScript(a->script));
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(*parsed, a->script);
    std::string bin;
    EncodeScript(a->script, &bin);
    std::string_view in = bin;
    auto decoded = DecodeScript(&in);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, a->script);
    EXPECT_TRUE(in.empty());
  }
}

TEST(EditScript, IdenticalIsOneCopyAndTheIdentityIsHonest) {
  const std::string ref = Random(300, 1);
  auto same = AlignBanded(ref, ref, AlignmentLimits{0.99});
  ASSERT_TRUE(same);
  ASSERT_EQ(same->script.size(), 1u);
  EXPECT_EQ(same->script[0].kind, EditOp::kCopy);
  EXPECT_DOUBLE_EQ(same->stats.identity(), 1.0);
  // 30 substitutions in 300: 90 % identity; below a 95 % threshold it is refused.
  std::string child = ref;
  for (int i = 0; i < 30; i++) child[i * 10] = child[i * 10] == 'W' ? 'A' : 'W';
  auto a = AlignBanded(ref, child, AlignmentLimits{0.85});
  ASSERT_TRUE(a);
  EXPECT_NEAR(a->stats.identity(), 0.9, 1e-9);
  EXPECT_FALSE(AlignBanded(ref, child, AlignmentLimits{0.95}));
  // Unrelated sequences are refused.
  EXPECT_FALSE(AlignBanded(ref, Random(300, 2), AlignmentLimits{0.5}));
}

TEST(EditScript, MalformedScriptsAreRefusedWithAReason) {
  EXPECT_FALSE(ParseOp("=0"));
  EXPECT_FALSE(ParseOp("+3:AB"));
  EXPECT_FALSE(ParseOp("~2"));
  EXPECT_FALSE(ParseOp("?5"));
  EXPECT_FALSE(ParseOp("-5x"));
  auto op = ParseOp("+3:*-9");  // residues may be anything but a separator
  ASSERT_TRUE(op);
  EXPECT_EQ(op->residues, "*-9");
  EXPECT_FALSE(ApplyScript("ACD", {{EditOp::kCopy, 4, ""}}));
  EXPECT_FALSE(ApplyScript("ACD", {{EditOp::kCopy, 2, ""}}));
  std::string_view cut = "\x02\x05";
  EXPECT_FALSE(DecodeScript(&cut));
}

}  // namespace
}  // namespace talaria::store
