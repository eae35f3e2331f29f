#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "store/maintenance/index_rebuild.h"
#include "store/maintenance/verify.h"
#include "store/pack/pack_format.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using core::ObjectId;

class IndexRebuildTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    config_.max_pack_bytes = 300 << 10;
    StoreTest::SetUp();
    std::string prev;
    for (int i = 0; i < 25; ++i) {
      std::string data = testing::FastaLikeText(50000, 300 + i);
      PutOptions o;
      if (i % 5 == 4) {  // some deltas
        data = data_.back() + "appended " + std::to_string(i);
        o.base = ids_.back();
      }
      ids_.push_back(PutOrDie(data, o));
      data_.push_back(data);
    }
  }
  std::vector<ObjectId> ids_;
  std::vector<std::string> data_;
};

TEST_F(IndexRebuildTest, RecreatesEveryObjectFromPacksAlone) {
  auto list_before = *store_->List();
  store_.reset();
  std::filesystem::remove_all(root_ + "/index");
  auto r = RebuildIndex(root_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->objects, 25u);
  EXPECT_TRUE(r->problems.empty());
  Reopen(false);
  auto list_after = testing::Value(store().List());
  ASSERT_EQ(list_after.size(), list_before.size());
  for (size_t i = 0; i < list_after.size(); ++i) {
    EXPECT_EQ(list_after[i].id, list_before[i].id);
    EXPECT_EQ(list_after[i].entry, list_before[i].entry);
  }
  for (size_t i = 0; i < ids_.size(); ++i) EXPECT_EQ(GetOrDie(ids_[i]), data_[i]);
  EXPECT_TRUE(VerifyStore(store(), VerifyOptions{2, {}})->ok());
  Reopen(true);  // and the store takes new writes after the pack it ended on
  ObjectId extra = PutOrDie("after rebuild");
  Reopen(false);
  EXPECT_EQ(GetOrDie(extra), "after rebuild");
}

TEST_F(IndexRebuildTest, TornTailAndDamagedHeaderAreSkipped) {
  auto e = store_->Stat(ids_[1])->entry;
  auto last = store_->Stat(ids_.back())->entry;
  store_.reset();
  // A torn record after the last one, as a writer killed mid-append leaves.
  std::string path = StorePaths(root_).pack_file(last.pack);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  std::string torn(kRecordHeaderSize + 10, 'x');
  torn[0] = 'T';
  ASSERT_EQ(::write(fd, torn.data(), torn.size()), static_cast<ssize_t>(torn.size()));
  ::close(fd);
  // A damaged header in the middle of the first pack.
  fd = ::open(StorePaths(root_).pack_file(e.pack).c_str(), O_RDWR);
  char c = 0x55;
  ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(e.offset + 2)), 1);
  ::close(fd);
  std::filesystem::remove_all(root_ + "/index");
  auto r = RebuildIndex(root_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->objects, 24u);  // all but the damaged one
  EXPECT_EQ(r->problems.size(), 2u);
  Reopen(false);
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (i == 1) {
      EXPECT_FALSE(testing::Value(store().Has(ids_[i])));
      continue;
    }
    auto got = store().Get(ids_[i]);
    // Object 4 is a delta against object 3 only; every one but 1 reads back.
    ASSERT_TRUE(got) << i << ": " << got.error().ToString();
    EXPECT_EQ(**got, data_[i]);
  }
}

TEST_F(IndexRebuildTest, RefusesWhileAWriterHoldsTheStore) {
  auto r = RebuildIndex(root_);  // the fixture's store is open for writing
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), core::Code::kBusy);
}

}  // namespace
}  // namespace talaria::store
