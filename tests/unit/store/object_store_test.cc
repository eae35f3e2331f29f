#include <filesystem>

#include <gtest/gtest.h>

#include "index/index.h"
#include "store/maintenance/store_stats.h"
#include "store/object/object_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using core::ObjectId;
using testing::FastaLikeText;
using testing::RandomBytes;

class ObjectStoreTest : public testing::StoreTest {};

TEST_F(ObjectStoreTest, PutThenGetIsExactForEveryCodec) {
  std::string text = FastaLikeText(2 << 20, 1);
  std::string noise = RandomBytes(1 << 20, 2);
  for (const char* codec : {"none", "zstd:1", "zstd:19", "lz4", "lz4hc:9", "snappy"}) {
    PutOptions o;
    o.codec = *CodecSpec::Parse(codec);
    std::string t = text + codec;  // distinct objects per codec
    std::string n = noise + codec;
    ObjectId tid = PutOrDie(t, o), nid = PutOrDie(n, o);
    EXPECT_EQ(tid, ObjectId::Hash(t));
    store_->cache().Erase(tid);
    store_->cache().Erase(nid);
    EXPECT_EQ(GetOrDie(tid), t) << codec;
    EXPECT_EQ(GetOrDie(nid), n) << codec;
  }
}

TEST_F(ObjectStoreTest, IdenticalContentIsStoredOnce) {
  std::string data = FastaLikeText(100000, 3);
  ObjectId a = PutOrDie(data);
  auto stats_before = ComputeStats(*store_);
  ASSERT_OK(stats_before);
  ObjectId b = PutOrDie(data);
  auto batch = store_->PutBatch(std::vector<std::string_view>{data, data});
  ASSERT_TRUE(batch);
  EXPECT_EQ(a, b);
  auto stats_after = ComputeStats(*store_);
  ASSERT_OK(stats_after);
  EXPECT_EQ(stats_after->objects, 1u);
  EXPECT_EQ(stats_after->pack_bytes, stats_before->pack_bytes);
}

TEST_F(ObjectStoreTest, HasStatAndListAgreeWithWhatWasPut) {
  std::vector<ObjectId> ids;
  for (int i = 0; i < 20; ++i) {
    PutOptions o;
    o.kind = i % 2 ? ObjectKind::kChunk : ObjectKind::kManifest;
    ids.push_back(PutOrDie("object " + std::to_string(i), o));
  }
  EXPECT_TRUE(*store_->Has(ids[5]));
  EXPECT_FALSE(*store_->Has(ObjectId::Hash("never stored")));
  auto info = store_->Stat(ids[3]);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->kind(), ObjectKind::kChunk);
  EXPECT_EQ(info->entry.raw_len, std::string("object 3").size());
  auto list = store_->List();
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 20u);
  auto missing = store_->Get(ObjectId::Hash("never stored"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), core::Code::kNotFound);
}

TEST_F(ObjectStoreTest, DeltaAgainstSimilarBaseIsSmallAndReadsBackExactly) {
  std::string v1 = FastaLikeText(500000, 4);
  std::string v2 = v1;
  v2.replace(250000, 20, "MUTATEDMUTATEDMUTATE");
  ObjectId base = PutOrDie(v1);
  PutOptions o;
  o.base = base;
  ObjectId id = PutOrDie(v2, o);
  auto info = store_->Stat(id);
  ASSERT_OK(info);
  EXPECT_EQ(info->entry.base, base);
  EXPECT_EQ(info->entry.depth, 1);
  EXPECT_LT(info->entry.stored_len, 1000u);
  Reopen(false);  // cold: nothing cached
  EXPECT_EQ(GetOrDie(id), v2);
}

TEST_F(ObjectStoreTest, DeltaIsSkippedWhenNotSmaller) {
  ObjectId base = PutOrDie(RandomBytes(100000, 5));
  PutOptions o;
  o.base = base;
  ObjectId id = PutOrDie(FastaLikeText(100000, 6), o);
  EXPECT_TRUE(store_->Stat(id)->entry.base.IsZero());
}

TEST_F(ObjectStoreTest, DeltaChainDepthIsBounded) {
  config_.max_delta_depth = 3;
  Reopen();
  std::string data = FastaLikeText(200000, 7);
  ObjectId prev = PutOrDie(data);
  std::vector<std::pair<ObjectId, std::string>> versions;
  for (int i = 0; i < 8; ++i) {
    data.replace(1000 + i * 5000, 3, "ZZZ");
    PutOptions o;
    o.base = prev;
    prev = PutOrDie(data, o);
    versions.emplace_back(prev, data);
    EXPECT_LE(store_->Stat(prev)->entry.depth, 3);
  }
  EXPECT_EQ(store_->Stat(versions[2].first)->entry.depth, 3);
  EXPECT_EQ(store_->Stat(versions[3].first)->entry.depth, 0);  // chain restarted whole
  Reopen(false);
  for (const auto& [id, bytes] : versions) EXPECT_EQ(GetOrDie(id), bytes);
}

TEST_F(ObjectStoreTest, PacksRollAtTheSizeLimitAndAllObjectsStayReadable) {
  config_.max_pack_bytes = 1 << 20;
  Reopen();
  std::vector<std::pair<ObjectId, std::string>> objects;
  for (int i = 0; i < 12; ++i) {
    std::string data = RandomBytes(300000, 100 + i);
    objects.emplace_back(PutOrDie(data), data);
  }
  auto stats = ComputeStats(*store_);
  ASSERT_OK(stats);
  EXPECT_GE(stats->packs, 4u);
  Reopen(false);
  for (const auto& [id, data] : objects) EXPECT_EQ(GetOrDie(id), data);
}

TEST_F(ObjectStoreTest, ContentSurvivesReopen) {
  std::string data = FastaLikeText(50000, 8);
  ObjectId id = PutOrDie(data);
  Reopen();
  EXPECT_EQ(GetOrDie(id), data);
  ObjectId id2 = PutOrDie(data + "more");  // appends to the same pack after reopen
  Reopen(false);
  EXPECT_EQ(GetOrDie(id2), data + "more");
  EXPECT_EQ(GetOrDie(id), data);
}

// A store opened for reading cannot even name a write: Put and the write
// path exist only on WritableStore, and its index() is read-only.
template <typename S>
concept CanPut = requires(S& s) {
  s.Put(std::string_view("x"));
};
template <typename S>
concept CanUpdateIndex = requires(S& s) {
  s.index().Update({});
};
static_assert(!CanPut<ObjectStore> && !CanUpdateIndex<ObjectStore>);
static_assert(CanPut<WritableStore> && CanUpdateIndex<WritableStore>);

TEST_F(ObjectStoreTest, SecondWriterIsBusyWhenNotWaiting) {
  OpenOptions o;
  o.wait_for_writer = false;
  auto second = WritableStore::Open(root_, config_, o);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), core::Code::kBusy);
  EXPECT_TRUE(ObjectStore::Open(root_, config_));  // readers are always welcome
}

TEST_F(ObjectStoreTest, InitRefusesExistingStoresAndNonEmptyDirectories) {
  auto again = ObjectStore::Init(root_, config_);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("already a store"), std::string::npos);
  std::string other = dir_ / "full";
  std::filesystem::create_directories(other);
  testing::WriteFile(other + "/file", "x");
  EXPECT_FALSE(ObjectStore::Init(other, config_));
}

}  // namespace
}  // namespace talaria::store
