#include <thread>

#include <gtest/gtest.h>

#include "store/object/object_cache.h"
#include "tests/testing/status_matchers.h"

namespace talaria::store {
namespace {

using core::ObjectId;

ObjectCache::Value Bytes(size_t n, char c) { return std::make_shared<const std::string>(n, c); }

TEST(ObjectCache, EvictsLeastRecentlyUsedWithinTheByteBound) {
  ObjectCache cache(1000);
  ObjectId a = ObjectId::Hash("a"), b = ObjectId::Hash("b"), c = ObjectId::Hash("c");
  // 300 bytes and the entry's overhead each: two fit.
  cache.Insert(a, Bytes(300, 'a'));
  cache.Insert(b, Bytes(300, 'b'));
  ASSERT_TRUE(cache.Lookup(a));  // a is now more recent than b
  cache.Insert(c, Bytes(300, 'c'));
  EXPECT_TRUE(cache.Lookup(a));
  EXPECT_FALSE(cache.Lookup(b));
  EXPECT_TRUE(cache.Lookup(c));
  CacheStats s = cache.stats();
  EXPECT_LE(s.charge, 1000u);
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_EQ(s.hits, 3u);
  EXPECT_EQ(s.misses, 1u);
}

TEST(ObjectCache, NeverKeepsAnObjectLargerThanItself) {
  ObjectCache cache(100);
  cache.Insert(ObjectId::Hash("big"), Bytes(101, 'x'));
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(ObjectCache, ChargesTheMemoryAnObjectHoldsNotItsSize) {
  ObjectCache cache(600);
  std::string roomy;
  roomy.reserve(1000);  // a recycled decode buffer bigger than its object
  roomy.assign(10, 'x');
  cache.Insert(ObjectId::Hash("roomy"), std::make_shared<const std::string>(std::move(roomy)));
  EXPECT_EQ(cache.stats().entries, 0u) << "10 bytes in 1000 of memory do not fit in 600";
  cache.Insert(ObjectId::Hash("small"), Bytes(10, 'y'));
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_LE(cache.stats().charge, 600u);
}

TEST(ObjectCache, EvictedValuesStayValidForHolders) {
  ObjectCache cache(300);
  cache.Insert(ObjectId::Hash("a"), Bytes(80, 'a'));
  auto held = cache.Lookup(ObjectId::Hash("a"));
  cache.Insert(ObjectId::Hash("b"), Bytes(80, 'b'));
  EXPECT_FALSE(cache.Lookup(ObjectId::Hash("a")));
  EXPECT_EQ(*held, std::string(80, 'a'));
}

TEST(ObjectCache, ConcurrentUseKeepsTheBound) {
  ObjectCache cache(50000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        ObjectId id = ObjectId::Hash(std::to_string((t * 7919 + i) % 300));
        if (auto v = cache.Lookup(id)) {
          EXPECT_EQ(v->size(), 1000u);
        } else {
          cache.Insert(id, Bytes(1000, 'x'));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CacheStats s = cache.stats();
  EXPECT_LE(s.charge, 50000u);
  // Each entry is charged its memory: at least its 1000 bytes, the same for all.
  ASSERT_GT(s.entries, 0u);
  EXPECT_EQ(s.charge % s.entries, 0u);
  EXPECT_GE(s.charge / s.entries, 1000u);
  EXPECT_EQ(s.hits + s.misses, 16000u);
}

}  // namespace
}  // namespace talaria::store
