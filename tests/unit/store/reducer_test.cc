#include <random>
#include <set>

#include <gtest/gtest.h>

#include "store/reduce/reducer.h"

namespace talaria::store {
namespace {

// `families` families of `members` variants each (about 1 residue in 25
// changed), shuffled, plus `singles` unrelated sequences.
std::vector<std::string> Families(int families, int members, int singles, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const char kAlphabet[] = "ACDEFGHIKLMNPQRSTVWY";
  std::vector<std::string> out;
  for (int f = 0; f < families + singles; f++) {
    std::string ancestor;
    const size_t len = 100 + rng() % 400;
    for (size_t i = 0; i < len; i++) ancestor += kAlphabet[rng() % 20];
    const int n = f < families ? members : 1;
    for (int m = 0; m < n; m++) {
      std::string s = ancestor;
      if (m > 0) {
        for (char& c : s) {
          if (rng() % 25 == 0) c = kAlphabet[rng() % 20];
        }
        if (rng() % 2) s.insert(rng() % s.size(), "KR");
      }
      out.push_back(s);
    }
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

std::vector<ReduceInput> Inputs(const std::vector<std::string>& seqs, int groups = 1) {
  std::vector<ReduceInput> in;
  for (size_t i = 0; i < seqs.size(); i++) in.push_back({seqs[i], i % groups});
  return in;
}

void ExpectExact(const std::vector<std::string>& seqs, const std::vector<ReduceAssignment>& out) {
  for (size_t i = 0; i < seqs.size(); i++) {
    if (out[i].reference < 0) continue;
    ASSERT_LT(out[i].reference, static_cast<int64_t>(seqs.size()));
    EXPECT_LT(out[out[i].reference].reference, 0) << "a child's reference is a reference";
    auto rebuilt = ApplyScript(seqs[out[i].reference], out[i].script);
    ASSERT_TRUE(rebuilt);
    EXPECT_EQ(*rebuilt, seqs[i]) << i;
  }
}

TEST(Reducer, IdentityThresholdKeepsOneReferencePerFamilyAndNoChildBelowIt) {
  const auto seqs = Families(60, 8, 40, 1);
  ReduceParams p;
  p.identity = 0.85;
  ReduceStats stats;
  auto out = ReduceSequences(Inputs(seqs), p, &stats);
  ASSERT_TRUE(out);
  ExpectExact(seqs, *out);
  for (const auto& a : *out) {
    if (a.reference >= 0) {
      EXPECT_GE(a.identity, 0.85);
    }
  }
  // ~4 % divergence from the ancestor, ~8 % between members: one reference
  // per family (and per unrelated sequence), give or take a few.
  EXPECT_NEAR(static_cast<double>(stats.references), 100.0, 10.0);
  EXPECT_EQ(stats.references + stats.children, seqs.size());
  EXPECT_GT(stats.alignments, 0u);
}

TEST(Reducer, RatioIsMetByPromotingTheLeastSimilarChildren) {
  const auto seqs = Families(40, 10, 0, 2);
  for (double ratio : {0.1, 0.3, 0.5}) {
    ReduceParams p;
    p.ratio = ratio;
    ReduceStats stats;
    auto out = ReduceSequences(Inputs(seqs), p, &stats);
    ASSERT_TRUE(out);
    ExpectExact(seqs, *out);
    EXPECT_NEAR(static_cast<double>(stats.references) / seqs.size(), ratio, 0.02) << ratio;
  }
}

// Unrelated sequences share nothing at 50 %: a ratio is still met, by
// pairing the shortest references at whatever identity (exactly), and every
// group keeps a reference of its own.
TEST(Reducer, RatioIsMetWithUnrelatedSequencesByPairingBelowTheFloor) {
  const auto seqs = Families(5, 4, 300, 3);
  for (int groups : {1, 3}) {
    ReduceParams p;
    p.ratio = 0.25;
    p.threads = 2;
    ReduceStats stats;
    const auto inputs = Inputs(seqs, groups);
    auto out = ReduceSequences(inputs, p, &stats);
    ASSERT_TRUE(out);
    ExpectExact(seqs, *out);
    EXPECT_NEAR(static_cast<double>(stats.references) / static_cast<double>(seqs.size()), 0.25,
                0.02);
    EXPECT_GT(stats.demoted, 200u);
    std::set<uint64_t> with_reference;
    for (size_t i = 0; i < seqs.size(); i++) {
      if ((*out)[i].reference < 0) {
        with_reference.insert(inputs[i].group);
      } else {
        EXPECT_EQ(inputs[static_cast<size_t>((*out)[i].reference)].group, inputs[i].group);
      }
    }
    EXPECT_EQ(with_reference.size(), static_cast<size_t>(groups));
    // The shortest are paired first: no childless reference is shorter than
    // a sequence paired below the floor.
    std::set<int64_t> parents;
    for (const auto& a : *out) parents.insert(a.reference);
    size_t shortest_reference = SIZE_MAX, longest_demoted = 0;
    for (size_t i = 0; i < seqs.size(); i++) {
      if ((*out)[i].reference < 0 && !parents.count(static_cast<int64_t>(i))) {
        shortest_reference = std::min(shortest_reference, seqs[i].size());
      } else if ((*out)[i].identity < kRatioFloorIdentity) {
        longest_demoted = std::max(longest_demoted, seqs[i].size());
      }
    }
    EXPECT_LE(longest_demoted, shortest_reference);
  }
}

// The same choice of references and the same scripts on one thread or two,
// in one group (batches matched in parallel) or several (groups in parallel).
TEST(Reducer, TheResultDoesNotDependOnTheThreadCount) {
  const auto seqs = Families(80, 6, 200, 4);
  for (int groups : {1, 3}) {
    for (bool by_ratio : {false, true}) {
      std::vector<std::vector<ReduceAssignment>> outs;
      for (unsigned threads : {1u, 2u}) {
        ReduceParams p;
        if (by_ratio) {
          p.ratio = 0.2;  // below what 50 % identity allows: some are paired below it
        } else {
          p.identity = 0.85;
        }
        p.threads = threads;
        auto out = ReduceSequences(Inputs(seqs, groups), p, nullptr);
        ASSERT_TRUE(out);
        outs.push_back(std::move(*out));
      }
      ASSERT_EQ(outs[0].size(), outs[1].size());
      for (size_t i = 0; i < outs[0].size(); i++) {
        EXPECT_EQ(outs[0][i].reference, outs[1][i].reference) << i;
        EXPECT_TRUE(outs[0][i].script == outs[1][i].script) << i;
      }
    }
  }
}

TEST(Reducer, GroupsArePairedOnlyWithinThemselvesAndDuplicatesHitTheCache) {
  auto seqs = Families(20, 6, 0, 3);
  const size_t n = seqs.size();
  for (size_t i = 0; i < n; i++) seqs.push_back(seqs[i]);  // every sequence twice
  ReduceParams p;
  p.identity = 0.8;
  p.threads = 2;
  ReduceStats stats;
  auto inputs = Inputs(seqs, 3);
  auto out = ReduceSequences(inputs, p, &stats);
  ASSERT_TRUE(out);
  ExpectExact(seqs, *out);
  for (size_t i = 0; i < seqs.size(); i++) {
    if ((*out)[i].reference >= 0) {
      EXPECT_EQ(inputs[(*out)[i].reference].group, inputs[i].group);
    }
  }
  EXPECT_GT(stats.cache_hits, 0u);
}

TEST(Reducer, ShortSequencesStayReferencesAndBadParametersAreRefused) {
  const std::vector<std::string> seqs = {"ACDEFGHIKLMNPQRSTVWY", "ACDEFGHIKLMNPQRSTVWY"};
  ReduceParams p;
  p.identity = 0.9;
  p.min_length = 50;
  ReduceStats stats;
  auto out = ReduceSequences(Inputs(seqs), p, &stats);
  ASSERT_TRUE(out);
  EXPECT_EQ(stats.references, 2u);
  ReduceParams both;
  both.identity = 0.9;
  both.ratio = 0.5;
  EXPECT_FALSE(ReduceSequences(Inputs(seqs), both, nullptr));
  EXPECT_FALSE(ReduceSequences(Inputs(seqs), ReduceParams{}, nullptr));
}

}  // namespace
}  // namespace talaria::store
