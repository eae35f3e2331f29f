#pragma once

// The content-addressed object store (docs/ARCHITECTURE.md "The object store", docs/FORMAT.md
// §2-3): objects named by the SHA-256 of their raw bytes, compressed into frames, appended to pack
// files, located through the LMDB index, optionally stored as byte deltas
// against a base object, and served through a bounded LRU cache.
//
// Durability: Put returns an id only after the pack bytes are fsynced and
// the index transaction that points at them has committed. A crash at any
// moment leaves every previously returned id readable; bytes of a write
// that did not commit are never indexed and are cut off by the next writer.
//
// Integrity: Get re-hashes what it rebuilds; bytes that do not hash to the
// requested id are reported as kCorruption ("hash mismatch"), never
// returned.
//
// This class is the read face: a store opened with ObjectStore::Open cannot
// write, and its index() is const (reads only). Writing is WritableStore
// (store/object/writable_store.h), opened under the store's writer lock.
//
// Thread-safe. Many processes may read a store while one writes.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/entries.h"
#include "index/env_options.h"
#include "store/core/buffer_pool.h"
#include "store/core/mutex.h"
#include "store/core/object_id.h"
#include "store/core/store_paths.h"
#include "store/core/thread_pool.h"
#include "store/object/access_log.h"
#include "store/object/config.h"
#include "store/object/object_cache.h"
#include "store/pack/object_kind.h"
#include "store/pack/pack_reader.h"
#include "store/pack/zstd_dictionary.h"

namespace talaria::index {
class Index;
class WriteTxn;
}  // namespace talaria::index

namespace talaria::store {

// The index meta key naming the current dictionary of `kind`.
std::string DictionaryKey(ObjectKind kind);

struct OpenOptions {
  // WritableStore::Open only: wait for another writer to finish instead of kBusy.
  bool wait_for_writer = true;
  // Index map sizing (tests use a small initial map to exercise growth).
  index::EnvOptions index;
};

struct PutOptions {
  ObjectKind kind = ObjectKind::kBlob;
  // Overrides the store's configured codec.
  std::optional<CodecSpec> codec;
  // Store as a byte delta against this object when that is smaller and the
  // chain stays within max_delta_depth; otherwise stored whole.
  std::optional<core::ObjectId> base;
  // Stored whole with zstd, compress with the kind's current dictionary
  // (WritableStore::InstallDictionary) when there is one.
  bool dictionary = true;
  // With `dictionary`: compress with this one (named `dictionary_id`)
  // instead of the kind's current one. Optimize measures a dictionary it
  // has not installed yet this way; what it prepares is never written.
  std::shared_ptr<const ZstdDictionary> dictionary_override;
  core::ObjectId dictionary_override_id;
};

// One object to store, with its own options.
struct PutRequest {
  std::string_view data;
  PutOptions options;
};

// What the index knows about one object.
struct ObjectInfo {
  core::ObjectId id;
  index::ObjectEntry entry;
  ObjectKind kind() const { return static_cast<ObjectKind>(entry.kind); }
};

class ObjectStore {
 public:
  // Creates a store at `root` (which must not exist or be an empty
  // directory) with `config` written to its storage.toml.
  static core::Status Init(const std::string& root, const StoreConfig& config);

  // defaults, then <root>/storage.toml, then the environment.
  static core::Result<StoreConfig> LoadConfig(const std::string& root);

  // Opens for reading. kNotFound if `root` does not exist, kInvalidArgument
  // if it is not a store, kUnsupported for an index of a newer schema.
  static core::Result<std::unique_ptr<ObjectStore>> Open(const std::string& root,
                                                         const StoreConfig& config,
                                                         const OpenOptions& options = {});

  virtual ~ObjectStore();
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  // The raw bytes of an object. kNotFound if it is not in the store;
  // kCorruption ("hash mismatch") if its stored bytes are damaged.
  // Concurrent Gets of one id that is not cached rebuild it once.
  core::Result<std::shared_ptr<const std::string>> Get(const core::ObjectId& id);

  // From now on, every Get of an id is counted in `recorder` (which must
  // outlive the store, or be replaced by nullptr first). Delta bases read to
  // rebuild an object are not counted.
  void RecordAccessIn(AccessRecorder* recorder) { recorder_.store(recorder); }
  // Get, not counted (for preloading).
  core::Result<std::shared_ptr<const std::string>> GetUncounted(const core::ObjectId& id);

  // The dictionary stored as object `id`, prepared for zstd (kept loaded:
  // stores hold a few). Errors as Get.
  core::Result<std::shared_ptr<const ZstdDictionary>> Dictionary(const core::ObjectId& id);

  // The dictionary new objects of `kind` are compressed with (index meta
  // "dictionary.<kind>", docs/FORMAT.md §5.4), if any.
  core::Result<std::optional<core::ObjectId>> CurrentDictionary(ObjectKind kind) const;

  // Starts rebuilding an object into the cache on a background worker, unless
  // it is cached, already being rebuilt, or too many prefetches are pending.
  // Errors are left for the Get that needs the object to report.
  void Prefetch(const core::ObjectId& id);

  core::Result<bool> Has(const core::ObjectId& id) const;
  core::Result<ObjectInfo> Stat(const core::ObjectId& id) const;

  // Every object in id order. Works on a snapshot taken first, so `fn` may
  // call back into the store.
  core::Status ForEach(const std::function<core::Status(const ObjectInfo&)>& fn) const;
  core::Result<std::vector<ObjectInfo>> List() const;

  const StorePaths& paths() const { return paths_; }
  const StoreConfig& config() const { return config_; }
  // Reads only: tables and read transactions (a WritableStore's index()
  // also writes).
  const index::Index& index() const { return *index_; }
  PackReader& pack_reader() { return reader_; }
  ObjectCache& cache() { return cache_; }

  // Use Open(); public only for std::make_unique.
  ObjectStore(StorePaths paths, StoreConfig config, std::unique_ptr<index::Index> index);

 protected:
  // kNotFound / kInvalidArgument as Open says, before anything is opened.
  static core::Status CheckIsStore(const std::string& root);
  // The index of an existing store, sized as `options` say; never created.
  static core::Result<std::unique_ptr<index::Index>> OpenIndex(const StorePaths& paths,
                                                               const OpenOptions& options);
  // The hash-and-compress workers, started on first use (prefetch and writes).
  core::ThreadPool& Workers();
  core::Result<std::optional<index::ObjectEntry>> Lookup(const core::ObjectId& id) const;
  index::Index& mutable_index() { return *index_; }

  const StorePaths paths_;
  const StoreConfig config_;
  ObjectCache cache_;

 private:
  core::Result<std::shared_ptr<const std::string>> GetAtDepth(const core::ObjectId& id,
                                                              unsigned depth);
  core::Result<std::shared_ptr<const ZstdDictionary>> DictionaryAtDepth(const core::ObjectId& id,
                                                                        unsigned depth);

  std::unique_ptr<index::Index> index_;
  PackReader reader_;
  // Gets in progress, so concurrent readers of one id share one rebuild.
  using Flight = std::shared_future<core::Result<std::shared_ptr<const std::string>>>;
  core::Mutex flights_mu_;
  std::unordered_map<core::ObjectId, Flight> flights_ GUARDED_BY(flights_mu_);
  std::atomic<unsigned> prefetches_{0};
  core::Mutex dictionaries_mu_;
  std::unordered_map<core::ObjectId, std::shared_ptr<const ZstdDictionary>> dictionaries_
      GUARDED_BY(dictionaries_mu_);
  std::atomic<AccessRecorder*> recorder_{nullptr};
  // Buffers of evicted decoded objects, for the next ones (shared with the
  // deleters of cached values, which may outlive the store).
  // At most a quarter of the cache's size, and 64 MiB.
  std::shared_ptr<core::BufferPool> decoded_buffers_ = std::make_shared<core::BufferPool>(
      std::min<size_t>(size_t{64} << 20, config_.cache_bytes / 4));
  std::once_flag workers_once_;
  std::unique_ptr<core::ThreadPool> workers_;  // set once, under workers_once_
};

}  // namespace talaria::store
