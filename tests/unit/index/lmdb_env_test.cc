#include <gtest/gtest.h>

#include "index/index.h"
#include "index/lmdb_env.h"
#include "index/schema.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace talaria::index {
namespace {

using testing::TempDir;

EnvOptions Create(uint64_t initial = uint64_t{1} << 20) {
  EnvOptions o;
  o.create = true;
  o.initial_map_bytes = initial;
  return o;
}

TEST(LmdbEnv, MapGrowsWhenFullInsteadOfFailing) {
  TempDir dir;
  auto env = LmdbEnv::Open(dir.path(), {{"t"}}, Create(64 * 1024));
  ASSERT_TRUE(env) << env.error().ToString();
  uint64_t before = (*env)->map_bytes();
  std::string value(4000, 'v');
  for (int batch = 0; batch < 20; ++batch) {
    auto st = (*env)->Update([&](WriteTxn& txn) -> core::Status {
      for (int i = 0; i < 100; ++i) {
        TALARIA_RETURN_IF_ERROR(txn.Put((*env)->dbi("t"), std::to_string(batch * 100 + i), value));
      }
      return core::OkStatus();
    });
    ASSERT_TRUE(st) << st.error().ToString();
  }
  EXPECT_GT((*env)->map_bytes(), before);
  auto txn = (*env)->BeginRead();
  ASSERT_TRUE(txn);
  EXPECT_EQ(*txn->Count((*env)->dbi("t")), 2000u);
}

TEST(LmdbEnv, FailedUpdateLeavesNothingBehind) {
  TempDir dir;
  auto env = LmdbEnv::Open(dir.path(), {{"t"}}, Create());
  ASSERT_TRUE(env);
  auto st = (*env)->Update([&](WriteTxn& txn) -> core::Status {
    TALARIA_RETURN_IF_ERROR(txn.Put((*env)->dbi("t"), "k", "v"));
    return core::IoError("simulated failure");
  });
  EXPECT_FALSE(st);
  auto txn = (*env)->BeginRead();
  ASSERT_OK(txn);
  EXPECT_FALSE(*txn->Get((*env)->dbi("t"), "k"));
}

TEST(Index, MissingIndexIsNotFound) {
  TempDir dir;
  auto idx = Index::Open(dir / "nope", EnvOptions{});
  ASSERT_FALSE(idx);
  EXPECT_EQ(idx.error().code(), core::Code::kNotFound);
}

TEST(Index, NewerSchemaIsRefusedAndLeftUntouched) {
  TempDir dir;
  {
    auto idx = Index::Open(dir.path(), Create());
    ASSERT_TRUE(idx);
    ASSERT_TRUE((*idx)->Update([&](WriteTxn& txn) {
      return (*idx)->meta().PutU64(txn, kMetaSchemaVersion, kSchemaVersion + 1);
    }));
  }
  auto idx = Index::Open(dir.path(), EnvOptions{});
  ASSERT_FALSE(idx);
  EXPECT_EQ(idx.error().code(), core::Code::kUnsupported);
  EXPECT_NE(idx.error().message().find("newer"), std::string::npos);
}

TEST(ObjectTable, EntriesRoundTripAndIterateInIdOrder) {
  TempDir dir;
  auto idx = Index::Open(dir.path(), Create());
  ASSERT_TRUE(idx);
  ObjectEntry e{7, 4096, 200, 1, 1, 2, 1000, 150, core::ObjectId::Hash("base")};
  std::vector<core::ObjectId> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(core::ObjectId::Hash(std::to_string(i)));
  ASSERT_TRUE((*idx)->Update([&](WriteTxn& txn) -> core::Status {
    for (const auto& id : ids) TALARIA_RETURN_IF_ERROR((*idx)->objects().Put(txn, id, e));
    return core::OkStatus();
  }));
  auto txn = (*idx)->BeginRead();
  ASSERT_OK(txn);
  auto got = (*idx)->objects().Get(*txn, ids[3]);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, e);
  std::vector<core::ObjectId> seen;
  ASSERT_TRUE((*idx)->objects().ForEach(*txn, [&](const core::ObjectId& id, const ObjectEntry&) {
    seen.push_back(id);
    return core::OkStatus();
  }));
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(seen, ids);
}

}  // namespace
}  // namespace talaria::index
