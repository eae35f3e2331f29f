#include <filesystem>

#include <gtest/gtest.h>

#include "store/maintenance/gc.h"
#include "store/maintenance/store_stats.h"
#include "store/maintenance/verify.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using core::ObjectId;

class GcTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    config_.max_pack_bytes = 512 << 10;
    StoreTest::SetUp();
    for (int i = 0; i < 30; ++i) {
      std::string data = testing::RandomBytes(100000, 200 + i);
      ids_.push_back(PutOrDie(data));
      data_.push_back(data);
    }
  }

  // Every file under the store with its bytes.
  std::map<std::string, std::string> Snapshot() {
    std::map<std::string, std::string> files;
    for (const auto& f : std::filesystem::recursive_directory_iterator(root_)) {
      if (f.is_regular_file()) files[f.path().string()] = testing::ReadFileOrDie(f.path().string());
    }
    return files;
  }

  std::vector<ObjectId> ids_;
  std::vector<std::string> data_;
};

TEST_F(GcTest, RemovesUnreferencedObjectsAndReclaimsTheirSpace) {
  std::vector<ObjectId> keep(ids_.begin(), ids_.begin() + 5);
  auto before = ComputeStats(*store_);
  ASSERT_OK(before);
  auto r = CollectGarbage(*store_, keep, GcOptions{false, 0.5});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->objects_removed, 25u);
  EXPECT_GT(r->packs_repacked, 0u);
  auto after = ComputeStats(*store_);
  ASSERT_OK(after);
  EXPECT_EQ(after->objects, 5u);
  // Every pack but the first (all live) and the writer's current one is gone.
  EXPECT_EQ(after->pack_bytes, before->pack_bytes - r->bytes_reclaimed);
  EXPECT_LT(after->pack_bytes, before->pack_bytes / 2);
  EXPECT_EQ(after->packs, 2u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(testing::Value(store_->Has(ids_[i])), i < 5);
  Reopen(false);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(GetOrDie(ids_[i]), data_[i]);
  EXPECT_TRUE(testing::Value(VerifyStore(store(), VerifyOptions{2, {}})).ok());
}

TEST_F(GcTest, ReclaimsSpaceInTheWritersOwnPack) {
  // Everything in one pack, the one the writer appends to: gc seals it and
  // repacks it, so the space comes back even on a store of a single pack.
  config_.max_pack_bytes = 256 << 20;
  Reopen();
  std::vector<ObjectId> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(PutOrDie(testing::RandomBytes(50000, 900 + i)));
  auto before = ComputeStats(*store_);
  ASSERT_OK(before);
  ASSERT_EQ(testing::Value(store_->CurrentPack()), before->packs);
  auto dry = CollectGarbage(*store_, {ids[0], ids[1]}, GcOptions{true, 0.5});
  auto r = CollectGarbage(*store_, {ids[0], ids[1]}, GcOptions{false, 0.5});
  ASSERT_TRUE(dry && r) << r.error().ToString();
  EXPECT_GT(r->packs_repacked, 0u);
  EXPECT_EQ(dry->bytes_reclaimed, r->bytes_reclaimed);
  auto after = ComputeStats(*store_);
  ASSERT_OK(after);
  EXPECT_EQ(after->pack_bytes, before->pack_bytes - r->bytes_reclaimed);
  EXPECT_LT(after->pack_bytes, before->pack_bytes / 4);
  EXPECT_EQ(after->garbage_bytes, 0u);
  // The writer goes on in its new pack, and everything kept reads.
  ObjectId more = PutOrDie("written after gc");
  Reopen(false);
  EXPECT_EQ(GetOrDie(more), "written after gc");
  EXPECT_TRUE(testing::Value(VerifyStore(store(), VerifyOptions{2, {}})).ok());
}

TEST_F(GcTest, KeepsTheDeltaBasesOfKeptObjects) {
  std::string text = testing::FastaLikeText(200000, 9);
  ObjectId base = PutOrDie(text);
  PutOptions o;
  o.base = base;
  std::string child = text + "tail";
  ObjectId cid = PutOrDie(child, o);
  ASSERT_EQ(testing::Value(store_->Stat(cid)).entry.base, base);
  auto r = CollectGarbage(*store_, {cid}, GcOptions{false, 0.9});
  ASSERT_TRUE(r);
  EXPECT_TRUE(testing::Value(store_->Has(base)));
  Reopen(false);
  EXPECT_EQ(GetOrDie(cid), child);
}

TEST_F(GcTest, DryRunChangesNoByteOfTheStore) {
  auto before = Snapshot();
  auto r = CollectGarbage(*store_, {ids_[0]}, GcOptions{true, 0.5});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->objects_removed, 29u);
  EXPECT_GT(r->bytes_reclaimed, 0u);
  store_.reset();
  auto after = Snapshot();
  // Lock files are runtime state, not store content: writer.lock is empty and
  // LMDB's lock.mdb records which processes and threads read the index.
  for (const char* lock : {"/writer.lock", "/index/lock.mdb"}) {
    before.erase(root_ + lock);
    after.erase(root_ + lock);
  }
  ASSERT_EQ(before.size(), after.size());
  for (const auto& [path, bytes] : before) EXPECT_TRUE(after[path] == bytes) << path << " changed";
}

TEST_F(GcTest, MissingRootsAreReportedNotFatal) {
  ObjectId ghost = ObjectId::Hash("not stored");
  auto r = CollectGarbage(*store_, {ghost, ids_[1]}, GcOptions{false, 0.5});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->missing_roots.size(), 1u);
  EXPECT_EQ(r->missing_roots[0], ghost);
  EXPECT_TRUE(testing::Value(store_->Has(ids_[1])));
}

TEST_F(GcTest, WritesAfterGcLandCorrectly) {
  ASSERT_TRUE(CollectGarbage(*store_, {ids_[3]}, GcOptions{false, 0.5}));
  std::string more = testing::FastaLikeText(300000, 10);
  ObjectId id = PutOrDie(more);
  Reopen(false);
  EXPECT_EQ(GetOrDie(id), more);
  EXPECT_EQ(GetOrDie(ids_[3]), data_[3]);
  EXPECT_TRUE(testing::Value(VerifyStore(store(), VerifyOptions{2, {}})).ok());
}

TEST_F(GcTest, NeverRemovesThePackTheWriterAppendsTo) {
  // Nothing kept: gc seals the writer's pack and removes it, and the writer
  // goes on in a fresh pack that holds no record yet.
  ASSERT_OK(CollectGarbage(*store_, {}, GcOptions{false, 0.5}));
  // A second gc (optimize runs gc and then rewrites, in one process) must
  // leave that pack alone: it is where the next writes go.
  ASSERT_OK(CollectGarbage(*store_, {}, GcOptions{false, 0.5}));
  const ObjectId after = PutOrDie("written after two collections");
  Reopen(false);
  EXPECT_EQ(GetOrDie(after), "written after two collections");
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyStore(store(), VerifyOptions{2, {}}));
  EXPECT_TRUE(report.ok()) << report.errors.size() << " problems, first: "
                           << (report.errors.empty() ? "" : report.errors[0].detail);
}

}  // namespace
}  // namespace talaria::store
