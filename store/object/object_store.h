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
// Thread-safe. Many processes may read a store while one writes (writing
// needs OpenOptions::writable, which takes the store's writer lock).

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
#include "store/object/writer_lock.h"
#include "store/pack/object_kind.h"
#include "store/pack/pack_reader.h"
#include "store/pack/pack_writer.h"

namespace talaria::index {
class Index;
class WriteTxn;
}  // namespace talaria::index

namespace talaria::store {

struct OpenOptions {
  bool writable = false;
  // Writable only: wait for another writer to finish instead of kBusy.
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

  // kNotFound if `root` does not exist, kInvalidArgument if it is not a
  // store, kUnsupported for an index of a newer schema, kBusy when writable
  // and another writer holds the lock and wait_for_writer is false.
  static core::Result<std::unique_ptr<ObjectStore>> Open(const std::string& root,
                                                         const StoreConfig& config,
                                                         const OpenOptions& options);

  ~ObjectStore();

  // Stores `data` (a no-op if an object with its id exists) and returns its id.
  core::Result<core::ObjectId> Put(std::string_view data, const PutOptions& options = {});

  // Stores several objects with one fsync and one index commit; hashing and
  // compression run on the configured number of threads.
  core::Result<std::vector<core::ObjectId>> PutBatch(std::span<const std::string_view> data,
                                                     const PutOptions& options = {});
  // The same with options per object. Objects already stored are hashed
  // but not compressed again (what makes a re-run of an ingest cheap).
  // With `written`, also tells which requests stored a new object (false:
  // it was already in the store).
  core::Result<std::vector<core::ObjectId>> PutBatch(std::span<const PutRequest> requests,
                                                     std::vector<bool>* written = nullptr);

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
  index::Index& index() { return *index_; }
  PackReader& pack_reader() { return reader_; }
  ObjectCache& cache() { return cache_; }
  bool writable() const { return writer_lock_.has_value(); }

  // --- for maintenance (gc, rebuild): the write path, under the writer lock.

  // A record ready to append: header filled in, frame encoded.
  struct Prepared {
    RecordHeader header;
    std::string frame;
  };
  // Encodes `data`, whose id is `id` (no I/O but reading a delta base).
  core::Result<Prepared> Prepare(const core::ObjectId& id, std::string_view data,
                                 const PutOptions& options);

  // Appends the records (skipping ids already stored when skip_existing),
  // fsyncs, then in one index transaction records their locations and the
  // packs' lengths and runs `extra`. On failure nothing is indexed and the
  // packs are cut back. kInvalidArgument unless the store is writable.
  core::Status WriteRecords(std::vector<Prepared>& records, bool skip_existing,
                            const std::function<core::Status(index::WriteTxn&)>& extra = {});

  // A point in the write history to roll back to: everything written after
  // it (objects and pack bytes) can be undone, as when an ingest finds bad
  // input halfway. Objects that existed before the mark are never touched.
  struct WriteMark {
    uint64_t pack = 0;
    uint64_t pack_length = 0;
    size_t written = 0;  // position in the log of ids written by this process
  };
  core::Result<WriteMark> Mark();
  // Removes the objects written since `mark` from the index and cuts the
  // packs back to where they were. Only valid while no other write happened
  // in between from another ObjectStore (the writer lock guarantees that).
  core::Status RollBack(const WriteMark& mark);

  // The pack the writer is appending to.
  core::Result<uint64_t> CurrentPack();
  // Makes the writer go on in a fresh pack, so that the one it was appending
  // to can be repacked (gc). A no-op while that pack holds no record.
  core::Status SealCurrentPack();

  // Use Open(); public only for std::make_unique.
  ObjectStore(StorePaths paths, StoreConfig config, std::unique_ptr<index::Index> index,
              std::optional<WriterLock> lock);

 private:
  class Batch;
  core::Result<std::shared_ptr<const std::string>> GetAtDepth(const core::ObjectId& id,
                                                              unsigned depth);
  core::Result<std::optional<index::ObjectEntry>> Lookup(const core::ObjectId& id) const;
  core::Status EnsureWriter() REQUIRES(write_mu_);
  // The hash-and-compress workers, started on first use.
  core::ThreadPool& Workers();

  const StorePaths paths_;
  const StoreConfig config_;
  std::unique_ptr<index::Index> index_;
  PackReader reader_;
  ObjectCache cache_;
  std::optional<WriterLock> writer_lock_;
  core::Mutex write_mu_;  // serialises the write path; never held while reading
  std::unique_ptr<PackWriter> writer_ GUARDED_BY(write_mu_);
  std::vector<core::ObjectId> written_ GUARDED_BY(write_mu_);  // ids this process added
  // Gets in progress, so concurrent readers of one id share one rebuild.
  using Flight = std::shared_future<core::Result<std::shared_ptr<const std::string>>>;
  core::Mutex flights_mu_;
  std::unordered_map<core::ObjectId, Flight> flights_ GUARDED_BY(flights_mu_);
  std::atomic<unsigned> prefetches_{0};
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
