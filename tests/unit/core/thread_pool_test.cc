#include <atomic>
#include <latch>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/core/buffer_pool.h"
#include "store/core/thread_pool.h"

namespace talaria::core {
namespace {

TEST(ThreadPool, RunsEverySubmittedJobOnItsWorkers) {
  std::atomic<int> done{0};
  std::mutex mu;
  std::set<std::thread::id> seen;
  {
    ThreadPool pool(3);
    EXPECT_EQ(pool.size(), 3u);
    std::latch all(1000);
    // Submitted from several threads at once.
    std::vector<std::jthread> submitters;
    for (int s = 0; s < 4; ++s) {
      submitters.emplace_back([&] {
        for (int i = 0; i < 250; ++i) {
          pool.Submit([&] {
            {
              std::lock_guard<std::mutex> lock(mu);
              seen.insert(std::this_thread::get_id());
            }
            done++;
            all.count_down();
          });
        }
      });
    }
    submitters.clear();
    all.wait();
  }
  EXPECT_EQ(done.load(), 1000);
  EXPECT_LE(seen.size(), 3u);
  EXPECT_EQ(seen.count(std::this_thread::get_id()), 0u);
}

TEST(ThreadPool, JobsQueuedBeforeDestructionStillRun) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(1);
    for (int i = 0; i < 50; ++i) pool.Submit([&] { done++; });
  }
  EXPECT_EQ(done.load(), 50);
}

TEST(BufferPool, ReusesBuffersUpToItsLimit) {
  BufferPool pool(1 << 20);
  std::string a = pool.Take(300 << 10);
  a.assign(1000, 'x');
  const char* where = a.data();
  pool.Give(std::move(a));
  std::string b = pool.Take(100 << 10);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.data(), where);  // the same memory came back
  EXPECT_GE(b.capacity(), size_t{300} << 10);
  // Past the limit, buffers are not kept.
  std::string big = pool.Take(2 << 20);
  pool.Give(std::move(big));
  std::string c = pool.Take(10);
  EXPECT_LT(c.capacity(), size_t{2} << 20);
}

TEST(BufferPool, TakesNoBufferLargerThanAsked) {
  BufferPool pool(4 << 20);
  std::string big = pool.Take(1 << 20);
  const char* where = big.data();
  pool.Give(std::move(big));
  // Too big for a 100 KiB object with at most 125 KiB: a new buffer.
  std::string small = pool.Take(100 << 10, 125 << 10);
  EXPECT_NE(small.data(), where);
  EXPECT_LE(small.capacity(), size_t{125} << 10);
  // Within the bound: the held one.
  std::string fits = pool.Take(900 << 10, 1200 << 10);
  EXPECT_EQ(fits.data(), where);
}

}  // namespace
}  // namespace talaria::core
