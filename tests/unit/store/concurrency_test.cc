// Many threads, and a second process, reading and writing one store.

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using core::ObjectId;

// Content that can be re-derived from its first line alone.
std::string Payload(int writer, int i) {
  std::string head = "object " + std::to_string(writer) + " " + std::to_string(i) + "\n";
  size_t size = 1000 + static_cast<size_t>((writer * 131 + i * 17) % 50000);
  return head + (i % 3 ? testing::FastaLikeText(size, writer * 1000 + i)
                       : testing::RandomBytes(size, writer * 1000 + i));
}

std::string Rederive(const std::string& data) {
  int w = 0, i = 0;
  if (std::sscanf(data.c_str(), "object %d %d", &w, &i) != 2) return "";
  return Payload(w, i);
}

class ConcurrencyTest : public testing::StoreTest {};

TEST_F(ConcurrencyTest, EightThreadsStoringAndReadingSeeNoErrorAndNoWrongByte) {
  config_.cache_bytes = 1 << 20;  // small: force evictions and pack reads
  config_.max_pack_bytes = 2 << 20;
  Reopen();
  std::mutex mu;
  std::vector<ObjectId> published;
  std::atomic<int> errors{0}, reads{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        std::string data = Payload(t, i);
        auto id = store_->Put(data);
        if (!id || *id != ObjectId::Hash(data)) {
          errors++;
          continue;
        }
        ObjectId pick;
        {
          std::lock_guard<std::mutex> lock(mu);
          published.push_back(*id);
          pick = published[(i * 7919 + t) % published.size()];
        }
        auto got = store_->Get(pick);
        if (!got || ObjectId::Hash(**got) != pick || Rederive(**got) != **got) errors++;
        reads++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(reads.load(), 480);
  EXPECT_EQ(testing::Value(store_->List()).size(), 480u);
}

TEST_F(ConcurrencyTest, SecondProcessReadsWhileFirstWrites) {
  std::string ready = dir_ / "ready";
  pid_t child = ::fork();
  if (child == 0) {
    // Reader process: its own ObjectStore on the same directory.
    int bad = 0, seen = 0;
    store_.release();  // never touch the parent's handles in the child
    OpenOptions o;
    auto reader = ObjectStore::Open(root_, config_, o);
    if (!reader) ::_exit(3);
    for (int round = 0; round < 400 && seen < 200; ++round) {
      auto list = (*reader)->List();
      if (!list) ::_exit(4);
      seen = static_cast<int>(list->size());
      for (size_t k = 0; k < list->size(); k += 7) {
        auto got = (*reader)->Get((*list)[k].id);
        if (!got || Rederive(**got) != **got) bad++;
      }
      ::usleep(5000);
    }
    ::_exit(bad == 0 && seen == 200 ? 0 : 1);
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store_->Put(Payload(9, i)));
    if (i % 20 == 0) ::usleep(10000);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "reader process saw an error or a wrong byte";
}

}  // namespace
}  // namespace talaria::store
