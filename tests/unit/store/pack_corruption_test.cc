// Damage to packs: every kind is reported object by object and never read
// as wrong bytes; undamaged objects keep reading.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "store/maintenance/verify.h"
#include "store/pack/frame.h"
#include "store/pack/pack_format.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"

namespace talaria::store {
namespace {

using core::ObjectId;

class PackCorruptionTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    for (int i = 0; i < 10; ++i) {
      std::string data = testing::FastaLikeText(60000 + i * 1000, 50 + i);
      ids_.push_back(PutOrDie(data));
      data_.push_back(data);
    }
  }

  void FlipByte(uint64_t pack, uint64_t offset) {
    std::string path = store().paths().pack_file(pack);
    int fd = ::open(path.c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    char c;
    ASSERT_EQ(::pread(fd, &c, 1, static_cast<off_t>(offset)), 1);
    c ^= 0x04;
    ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(offset)), 1);
    ::close(fd);
  }

  VerifyReport Verify() {
    auto r = VerifyStore(store(), VerifyOptions{4, {}});
    EXPECT_TRUE(r) << r.error().ToString();
    return *r;
  }

  index::ObjectEntry Entry(int i) { return testing::Value(store().Stat(ids_[i])).entry; }

  std::vector<ObjectId> ids_;
  std::vector<std::string> data_;
};

TEST_F(PackCorruptionTest, FlippedPayloadByteNamesExactlyThatObject) {
  auto e = Entry(4);
  FlipByte(e.pack, e.offset + kRecordHeaderSize + kFrameHeaderSize + 100);
  Reopen(false);
  VerifyReport report = Verify();
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].id, ids_[4]);
  EXPECT_EQ(report.errors[0].kind, VerifyErrorKind::kCorruptedData);
  auto got = store().Get(ids_[4]);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), core::Code::kCorruption);
  EXPECT_NE(got.error().message().find("hash mismatch"), std::string::npos);
  for (int i = 0; i < 10; ++i) {
    if (i != 4) {
      EXPECT_EQ(GetOrDie(ids_[i]), data_[i]);
    }
  }
}

TEST_F(PackCorruptionTest, FlippedHeaderByteIsInvalidFormat) {
  auto e = Entry(7);
  FlipByte(e.pack, e.offset + 20);  // inside the id field
  Reopen(false);
  VerifyReport report = Verify();
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].id, ids_[7]);
  EXPECT_EQ(report.errors[0].kind, VerifyErrorKind::kInvalidFormat);
  EXPECT_FALSE(store().Get(ids_[7]));
}

TEST_F(PackCorruptionTest, TruncatedPackReportsTheLostObjects) {
  auto e = Entry(6);
  std::string path = store().paths().pack_file(e.pack);
  // Keep objects whose records end before object 6's record.
  std::filesystem::resize_file(path, e.offset + 10);
  Reopen(false);
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  std::set<ObjectId> damaged;
  for (const auto& err : report.errors) {
    EXPECT_EQ(err.kind, VerifyErrorKind::kMissingData);
    damaged.insert(err.id);
  }
  for (int i = 0; i < 10; ++i) {
    bool lost = Entry(i).offset + Entry(i).record_len > e.offset + 10;
    EXPECT_EQ(damaged.count(ids_[i]) == 1, lost) << i;
    if (lost) {
      EXPECT_FALSE(store().Get(ids_[i]));
    } else {
      EXPECT_EQ(GetOrDie(ids_[i]), data_[i]);
    }
  }
}

TEST_F(PackCorruptionTest, MissingPackReportsEveryObjectInIt) {
  auto e = Entry(0);
  std::filesystem::remove(store().paths().pack_file(e.pack));
  Reopen(false);
  VerifyReport report = Verify();
  EXPECT_EQ(report.errors.size(), 10u);
  EXPECT_EQ(report.pack_problems.size(), 1u);
  auto got = store().Get(ids_[0]);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message().find("pack"), std::string::npos);
}

TEST_F(PackCorruptionTest, DamagedDeltaBaseFailsItsDependentsToo) {
  PutOptions o;
  o.base = ids_[2];
  std::string child = data_[2];
  child[500] = 'W';
  ObjectId cid = PutOrDie(child, o);
  ASSERT_FALSE(testing::Value(store().Stat(cid)).entry.base.IsZero());
  auto e = Entry(2);
  FlipByte(e.pack, e.offset + kRecordHeaderSize + kFrameHeaderSize + 10);
  Reopen(false);
  VerifyReport report = Verify();
  std::set<ObjectId> damaged;
  for (const auto& err : report.errors) damaged.insert(err.id);
  EXPECT_EQ(damaged, (std::set<ObjectId>{ids_[2], cid}));
  EXPECT_FALSE(store().Get(cid));
}

}  // namespace
}  // namespace talaria::store
