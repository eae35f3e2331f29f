#pragma once

// A real store in a temporary directory, for store tests.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/object/writable_store.h"
#include "tests/testing/test_util.h"

namespace talaria::testing {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "store";
    config_.cache_bytes = 64 << 20;
    ASSERT_TRUE(store::ObjectStore::Init(root_, config_));
    Reopen();
  }

  // Opens (again) with config_: for writing into store_, or with
  // writable = false for reading only into reader_ (store_ is then closed;
  // store() is whichever is open).
  void Reopen(bool writable = true) {
    store_.reset();
    reader_.reset();
    if (writable) {
      auto s = store::WritableStore::Open(root_, config_);
      ASSERT_TRUE(s) << s.error().ToString();
      store_ = std::move(*s);
    } else {
      auto s = store::ObjectStore::Open(root_, config_);
      ASSERT_TRUE(s) << s.error().ToString();
      reader_ = std::move(*s);
    }
  }

  store::ObjectStore& store() { return reader_ ? *reader_ : *store_; }

  core::ObjectId PutOrDie(const std::string& data, store::PutOptions o = {}) {
    auto id = store_->Put(data, o);
    EXPECT_TRUE(id) << id.error().ToString();
    return id ? *id : core::ObjectId();
  }

  std::string GetOrDie(const core::ObjectId& id) {
    auto data = store().Get(id);
    EXPECT_TRUE(data) << data.error().ToString();
    return data ? **data : std::string();
  }

  TempDir dir_;
  std::string root_;
  store::StoreConfig config_;
  std::unique_ptr<store::WritableStore> store_;
  std::unique_ptr<store::ObjectStore> reader_;
};

}  // namespace talaria::testing
