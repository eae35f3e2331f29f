// Bad stores and bad environments: one clear error each, nothing lost.

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "index/index.h"
#include "index/schema.h"
#include "store/core/object_id.h"
#include "tests/testing/test_util.h"

namespace talaria {
namespace {

using testing::RunStore;
namespace fs = std::filesystem;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = dir_ / "store";
    ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", store_}).exit_code, 0);
    for (int i = 0; i < 6; ++i) {
      std::string data = testing::FastaLikeText(40000 + 1000 * i, 70 + i);
      testing::WriteFile(dir_ / ("in" + std::to_string(i)), data);
      auto r = RunStore(store_, {"put", dir_ / ("in" + std::to_string(i))});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      ids_.push_back(r.out.substr(0, 64));
      data_.push_back(data);
    }
  }

  std::string OnlyPack() {
    for (const auto& f : fs::recursive_directory_iterator(store_ + "/packs")) {
      if (f.path().extension() == ".pack") return f.path().string();
    }
    return "";
  }

  void ExpectOneLineError(const testing::CommandResult& r, const std::string& needle) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }

  testing::TempDir dir_;
  std::string store_;
  std::vector<std::string> ids_, data_;
};

TEST_F(BadInputTest, StoreThatDoesNotExist) {
  ExpectOneLineError(RunStore(dir_ / "nowhere", {"ls"}), "does not exist");
}

TEST_F(BadInputTest, DirectoryThatIsNotAStore) {
  fs::create_directories(dir_ / "plain");
  testing::WriteFile(dir_ / "plain/file.txt", "hello");
  ExpectOneLineError(RunStore(dir_ / "plain", {"stats"}), "is not a talaria store");
  ExpectOneLineError(RunStore(dir_ / "plain", {"put", dir_ / "in0"}), "is not a talaria store");
  EXPECT_EQ(testing::ReadFileOrDie(dir_ / "plain/file.txt"), "hello");  // untouched
}

TEST_F(BadInputTest, FlippedBitIsNamedByVerifyAndNeverPrintedByGet) {
  std::string pack = OnlyPack();
  std::string bytes = testing::ReadFileOrDie(pack);
  // Damage the payload of the third object: find its record by its id.
  std::string raw_id(32, '\0');
  auto id = *core::ObjectId::Parse(ids_[2]);
  size_t at = bytes.find(std::string(id.view()));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 32 + 32 + 24 + 32 + 500] ^= 0x01;  // id, base, lengths+checksum, frame header, payload
  testing::WriteFile(pack, bytes);
  auto verify = RunStore(store_, {"verify"});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find(ids_[2] + " corrupted_data"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("1 damaged"), std::string::npos) << verify.out;
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (i == 2) continue;
    EXPECT_EQ(verify.out.find(ids_[i]), std::string::npos) << "undamaged object " << i << " blamed";
  }
  auto get = RunStore(store_, {"get", ids_[2]});
  ExpectOneLineError(get, "hash mismatch");
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (i == 2) continue;
    auto ok = RunStore(store_, {"get", ids_[i]});
    EXPECT_EQ(ok.exit_code, 0);
    EXPECT_EQ(ok.out, data_[i]);
  }
}

TEST_F(BadInputTest, TruncatedPackLosesOnlyTheCutObjects) {
  std::string pack = OnlyPack();
  fs::resize_file(pack, fs::file_size(pack) - 100);
  std::string damaged = testing::ReadFileOrDie(pack);
  auto verify = RunStore(store_, {"verify"});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find(ids_.back() + " missing_data"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("truncated"), std::string::npos) << verify.out;
  auto get = RunStore(store_, {"get", ids_.back()});
  EXPECT_EQ(get.exit_code, 1);
  EXPECT_TRUE(get.out.empty());
  for (size_t i = 0; i + 1 < ids_.size(); ++i)
    EXPECT_EQ(RunStore(store_, {"get", ids_[i]}).out, data_[i]);
  // New writes go to a fresh pack; the damage stays reported, nothing else changes.
  testing::WriteFile(dir_ / "new", "written after the damage");
  auto put = RunStore(store_, {"put", dir_ / "new"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_EQ(RunStore(store_, {"get", put.out.substr(0, 64)}).out, "written after the damage");
  EXPECT_EQ(testing::ReadFileOrDie(pack), damaged) << "the damaged pack must be left as it is";
  auto again = RunStore(store_, {"verify"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find(ids_.back() + " missing_data"), std::string::npos) << again.out;
}

TEST_F(BadInputTest, MissingPack) {
  fs::remove(OnlyPack());
  auto verify = RunStore(store_, {"verify"});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find("is missing"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("6 damaged"), std::string::npos) << verify.out;
  ExpectOneLineError(RunStore(store_, {"get", ids_[0]}), "No such file");
}

TEST_F(BadInputTest, IndexFromANewerSchemaIsRefusedAndLeftAlone) {
  {
    auto idx = index::Index::Open(store_ + "/index", index::EnvOptions{});
    ASSERT_TRUE(idx);
    ASSERT_TRUE((*idx)->Update([&](index::WriteTxn& txn) {
      return (*idx)->meta().PutU64(txn, index::kMetaSchemaVersion, index::kSchemaVersion + 1);
    }));
  }
  std::string before = testing::ReadFileOrDie(store_ + "/index/data.mdb");
  ExpectOneLineError(RunStore(store_, {"ls"}), "newer than this build");
  ExpectOneLineError(RunStore(store_, {"put", dir_ / "in0"}), "newer than this build");
  EXPECT_EQ(testing::ReadFileOrDie(store_ + "/index/data.mdb"), before);
}

TEST_F(BadInputTest, FullDiskIsOneClearErrorAndLosesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  std::string mnt = dir_ / "small";
  fs::create_directories(mnt);
  ASSERT_EQ(::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=3m"), 0) << "mount tmpfs failed";
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  std::string small = mnt + "/store";
  ASSERT_EQ(testing::Run({testing::StoreBinary(), "init", small}).exit_code, 0);
  std::vector<std::pair<std::string, std::string>> stored;
  testing::CommandResult full;
  for (int i = 0; i < 100; ++i) {
    std::string data = testing::RandomBytes(200000, 900 + i);  // incompressible
    testing::WriteFile(dir_ / "chunk", data);
    auto r = RunStore(small, {"put", dir_ / "chunk"});
    if (r.exit_code != 0) {
      full = r;
      break;
    }
    stored.emplace_back(r.out.substr(0, 64), data);
  }
  ASSERT_NE(full.exit_code, 0) << "the 3 MiB disk never filled up";
  ASSERT_FALSE(stored.empty());
  ExpectOneLineError(full, "No space left on device");
  auto verify = RunStore(small, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  for (const auto& [id, data] : stored) EXPECT_EQ(RunStore(small, {"get", id}).out, data);
  // Once space is freed the store takes writes again.
  auto keep = dir_ / "keep";
  testing::WriteFile(keep, stored.front().first + "\n");
  ASSERT_EQ(RunStore(small, {"gc", "--keep-file", keep}).exit_code, 0);
  testing::WriteFile(dir_ / "tiny", "small object after the disk filled up");
  EXPECT_EQ(RunStore(small, {"put", dir_ / "tiny"}).exit_code, 0);
  EXPECT_EQ(RunStore(small, {"verify"}).exit_code, 0);
}

TEST_F(BadInputTest, RebuildAfterDeletingTheLmdbFilesGivesBackEveryObject) {
  auto ls_before = RunStore(store_, {"ls"}).out;
  fs::remove(store_ + "/index/data.mdb");
  fs::remove(store_ + "/index/lock.mdb");
  ExpectOneLineError(RunStore(store_, {"ls"}), "index rebuild");
  auto rebuild = RunStore(store_, {"index", "rebuild"});
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.err;
  EXPECT_NE(rebuild.out.find("6 objects"), std::string::npos) << rebuild.out;
  EXPECT_EQ(RunStore(store_, {"ls"}).out, ls_before);
  for (size_t i = 0; i < ids_.size(); ++i)
    EXPECT_EQ(RunStore(store_, {"get", ids_[i]}).out, data_[i]);
  EXPECT_EQ(RunStore(store_, {"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace talaria
