#pragma once

// The write face of the object store: a store opened under its writer lock
// (one writing process per store; readers in any process go on meanwhile).
// Everything ObjectStore reads, plus putting objects, the maintenance write
// path (prepared records, roll back, sealing the current pack) and index()
// that writes. Code that writes takes a WritableStore&, so a store opened
// for reading cannot name a write.
//
// Durability and integrity as in object_store.h: an id is returned only
// after its bytes are fsynced and the index commit naming them is done.
//
// Thread-safe; the write path is serialised inside (write_mu_), and reads
// never wait for it.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "store/core/mutex.h"
#include "store/core/object_id.h"
#include "store/object/object_store.h"
#include "store/object/writer_lock.h"
#include "store/pack/pack_format.h"
#include "store/pack/pack_writer.h"

namespace talaria::store {

class WritableStore final : public ObjectStore {
 public:
  // Opens for writing: ObjectStore::Open's errors, and kBusy when another
  // process holds the writer lock and options.wait_for_writer is false.
  static core::Result<std::unique_ptr<WritableStore>> Open(const std::string& root,
                                                           const StoreConfig& config,
                                                           const OpenOptions& options = {});
  // The same with the writer lock already held by the caller (index rebuild
  // takes it before the index exists).
  static core::Result<std::unique_ptr<WritableStore>> Open(const std::string& root,
                                                           const StoreConfig& config,
                                                           const OpenOptions& options,
                                                           WriterLock held);
  ~WritableStore() override;

  // Reads and writes (Update).
  index::Index& index() { return mutable_index(); }

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

  // --- zstd dictionaries (docs/FORMAT.md §3.5, §5.4).
  // Stores `bytes` as a dictionary object and makes it the one new objects of
  // `kind` are compressed with (when stored whole with zstd). Returns its id.
  core::Result<core::ObjectId> InstallDictionary(ObjectKind kind, std::string_view bytes);
  // In `txn`, which removes the objects `removed` from the index: drops the
  // current-dictionary entries naming any of them (gc, rollback).
  core::Status ForgetDictionaries(index::WriteTxn& txn,
                                  const std::unordered_set<core::ObjectId>& removed);

  // --- for maintenance (gc, optimize, rollback): the write path.

  // A record ready to append: header filled in, frame encoded.
  struct Prepared {
    RecordHeader header;
    std::string frame;
  };
  // Encodes `data`, whose id is `id` (no I/O but reading a delta base).
  core::Result<Prepared> Prepare(const core::ObjectId& id, std::string_view data,
                                 const PutOptions& options);
  // The record InstallDictionary would write for `bytes`.
  core::Result<Prepared> PrepareDictionary(std::string_view bytes);

  // Appends the records (skipping ids already stored when skip_existing),
  // fsyncs, then in one index transaction records their locations and the
  // packs' lengths and runs `extra`. On failure nothing is indexed and the
  // packs are cut back.
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
  WritableStore(StorePaths paths, StoreConfig config, std::unique_ptr<index::Index> index,
                WriterLock lock);

 private:
  class Batch;
  core::Status EnsureWriter() REQUIRES(write_mu_);

  WriterLock writer_lock_;
  core::Mutex write_mu_;  // serialises the write path; never held while reading
  std::unique_ptr<PackWriter> writer_ GUARDED_BY(write_mu_);
  std::vector<core::ObjectId> written_ GUARDED_BY(write_mu_);  // ids this process added
};

}  // namespace talaria::store
