#pragma once

// A real store in a temporary directory, for store tests.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/object/object_store.h"
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

  // Opens (again) with config_; writable unless told otherwise.
  void Reopen(bool writable = true) {
    store_.reset();
    store::OpenOptions o;
    o.writable = writable;
    auto s = store::ObjectStore::Open(root_, config_, o);
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
  }

  core::ObjectId PutOrDie(const std::string& data, store::PutOptions o = {}) {
    auto id = store_->Put(data, o);
    EXPECT_TRUE(id) << id.error().ToString();
    return id ? *id : core::ObjectId();
  }

  std::string GetOrDie(const core::ObjectId& id) {
    auto data = store_->Get(id);
    EXPECT_TRUE(data) << data.error().ToString();
    return data ? **data : std::string();
  }

  TempDir dir_;
  std::string root_;
  store::StoreConfig config_;
  std::unique_ptr<store::ObjectStore> store_;
};

}  // namespace talaria::testing
