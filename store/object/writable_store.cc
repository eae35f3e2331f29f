#include "store/object/writable_store.h"

#include <atomic>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "index/index.h"
#include "store/core/file_io.h"
#include "store/core/thread_pool.h"
#include "store/pack/frame.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

WritableStore::WritableStore(StorePaths paths, StoreConfig config,
                             std::unique_ptr<index::Index> index, WriterLock lock)
    : ObjectStore(std::move(paths), std::move(config), std::move(index)),
      writer_lock_(std::move(lock)) {}

WritableStore::~WritableStore() = default;

Result<std::unique_ptr<WritableStore>> WritableStore::Open(const std::string& root,
                                                           const StoreConfig& config,
                                                           const OpenOptions& options) {
  TALARIA_RETURN_IF_ERROR(CheckIsStore(root));
  TALARIA_ASSIGN_OR_RETURN(WriterLock lock, WriterLock::Acquire(StorePaths(root).writer_lock(),
                                                                options.wait_for_writer));
  return Open(root, config, options, std::move(lock));
}

Result<std::unique_ptr<WritableStore>> WritableStore::Open(const std::string& root,
                                                           const StoreConfig& config,
                                                           const OpenOptions& options,
                                                           WriterLock held) {
  TALARIA_RETURN_IF_ERROR(CheckIsStore(root));
  StorePaths paths(root);
  TALARIA_ASSIGN_OR_RETURN(auto idx, OpenIndex(paths, options));
  return std::make_unique<WritableStore>(paths, config, std::move(idx), std::move(held));
}

Result<WritableStore::Prepared> WritableStore::Prepare(const ObjectId& id, std::string_view data,
                                                       const PutOptions& options) {
  Prepared p;
  p.header.id = id;
  p.header.kind = options.kind;
  p.header.raw_len = data.size();
  CodecSpec spec = options.codec.value_or(config_.codec);
  if (options.base && !options.base->IsZero() && *options.base != p.header.id) {
    TALARIA_ASSIGN_OR_RETURN(auto base_entry, Lookup(*options.base));
    if (!base_entry)
      return core::NotFound("delta base " + options.base->Hex() + " is not in the store");
    if (base_entry->depth + 1u <= config_.max_delta_depth) {
      TALARIA_ASSIGN_OR_RETURN(auto base, Get(*options.base));
      CodecSpec patch_spec = spec.type == CodecType::kZstd ? spec : CodecSpec{CodecType::kZstd, 3};
      TALARIA_ASSIGN_OR_RETURN(p.frame, EncodeFrame(patch_spec, data, *base));
      p.header.base = *options.base;
      p.header.depth = static_cast<uint8_t>(base_entry->depth + 1);
    }
  }
  // A delta under an eighth of the raw size is smaller than what a
  // whole-object codec gets from sequence text (about 1/2 for protein, 1/4
  // for DNA), so compressing the whole object too would be wasted work.
  if (p.header.base.IsZero() || p.frame.size() * 8 > data.size()) {
    std::shared_ptr<const ZstdDictionary> dictionary;
    ObjectId dictionary_id;
    if (options.dictionary && options.dictionary_override && spec.type == CodecType::kZstd) {
      dictionary = options.dictionary_override;
      dictionary_id = options.dictionary_override_id;
    } else if (options.dictionary && config_.dictionaries && spec.type == CodecType::kZstd) {
      TALARIA_ASSIGN_OR_RETURN(auto current, CurrentDictionary(options.kind));
      if (current) {
        // gc drops an unused dictionary with its meta entry; one named but
        // gone (verify reports it) only means compressing without.
        auto d = Dictionary(*current);
        if (!d && d.error().code() != core::Code::kNotFound) return core::Propagate(d.error());
        if (d) {
          dictionary = *d;
          dictionary_id = *current;
        }
      }
    }
    TALARIA_ASSIGN_OR_RETURN(std::string whole, EncodeFrame(spec, data, {}, dictionary.get()));
    if (p.header.base.IsZero() || whole.size() <= p.frame.size()) {
      p.frame = std::move(whole);
      // An incompressible object is stored plain, without the dictionary.
      TALARIA_ASSIGN_OR_RETURN(FrameHeader fh, ParseFrameHeader(p.frame));
      p.header.dictionary = fh.uses_dictionary();
      p.header.base = p.header.dictionary ? dictionary_id : ObjectId();
      p.header.depth = 0;
    }
  }
  p.header.frame_len = p.frame.size();
  return p;
}

Result<WritableStore::Prepared> WritableStore::PrepareDictionary(std::string_view bytes) {
  PutOptions o;
  o.kind = ObjectKind::kDictionary;
  o.codec = CodecSpec{CodecType::kZstd, 9};  // 19 saves 5 % of its size for 3x the time
  o.dictionary = false;
  return Prepare(ObjectId::Hash(bytes), bytes, o);
}

Result<ObjectId> WritableStore::InstallDictionary(ObjectKind kind, std::string_view bytes) {
  // The object and the meta key naming it in one commit (one fsync).
  std::vector<Prepared> records;
  TALARIA_ASSIGN_OR_RETURN(Prepared p, PrepareDictionary(bytes));
  const ObjectId id = p.header.id;
  records.push_back(std::move(p));
  TALARIA_RETURN_IF_ERROR(WriteRecords(records, true, [&](index::WriteTxn& txn) {
    return mutable_index().meta().PutString(txn, DictionaryKey(kind), id.view());
  }));
  return id;
}

Status WritableStore::ForgetDictionaries(index::WriteTxn& txn,
                                         const std::unordered_set<ObjectId>& removed) {
  for (uint8_t k = 0; k <= kMaxObjectKind; ++k) {
    const std::string key = DictionaryKey(static_cast<ObjectKind>(k));
    TALARIA_ASSIGN_OR_RETURN(auto v, mutable_index().meta().GetString(txn, key));
    if (v && v->size() == ObjectId::kSize &&
        removed.count(ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(v->data())))) {
      TALARIA_RETURN_IF_ERROR(mutable_index().meta().Delete(txn, key));
    }
  }
  return core::OkStatus();
}

Result<core::ObjectId> WritableStore::Put(std::string_view data, const PutOptions& options) {
  TALARIA_ASSIGN_OR_RETURN(auto ids,
                           PutBatch(std::span<const std::string_view>(&data, 1), options));
  return ids.front();
}

// The write path of one batch: holds the write lock from start to commit,
// so no other batch's records interleave with ours and a failure can cut
// the pack back to where the batch began.
class WritableStore::Batch {
 public:
  explicit Batch(WritableStore* store) NO_THREAD_SAFETY_ANALYSIS : store_(store),
                                                                   lock_(&store->write_mu_) {}

  Status Start() NO_THREAD_SAFETY_ANALYSIS {
    TALARIA_RETURN_IF_ERROR(store_->EnsureWriter());
    start_pack_ = store_->writer_->pack();
    start_entry_ = index::PackEntry{store_->writer_->length(), 0};
    return core::OkStatus();
  }

  // Appends one record; its frame may be freed as soon as this returns.
  Status Append(const Prepared& p) NO_THREAD_SAFETY_ANALYSIS {
    TALARIA_ASSIGN_OR_RETURN(FrameHeader fh, ParseFrameHeader(p.frame));
    auto loc = store_->writer_->Append(p.header, p.frame);
    if (!loc) return Fail(loc.error());
    const RecordHeader& h = p.header;
    entries_.emplace_back(
        h.id, index::ObjectEntry{loc->pack, loc->offset, loc->length, static_cast<uint8_t>(h.kind),
                                 static_cast<uint8_t>(fh.codec), h.depth, h.raw_len, fh.stored_len,
                                 h.base, h.dictionary});
    return core::OkStatus();
  }

  // fsync, then one index transaction: the entries, the packs' lengths, `extra`.
  Status Commit(const std::function<Status(index::WriteTxn&)>& extra) NO_THREAD_SAFETY_ANALYSIS {
    // Synced even with no record appended: the commit may still record a
    // pack the writer has just started (after a seal), whose header and
    // directory entry must be durable before the index names them.
    if (Status st = store_->writer_->Sync(); !st) return Fail(st.error());
    auto dirty = store_->writer_->TakeDirty();
    Status st = store_->mutable_index().Update([&](index::WriteTxn& txn) -> Status {
      for (const auto& [id, e] : entries_) {
        TALARIA_RETURN_IF_ERROR(store_->mutable_index().objects().Put(txn, id, e));
      }
      for (const auto& [pack, entry] : dirty) {
        TALARIA_RETURN_IF_ERROR(store_->mutable_index().packs().Put(txn, pack, entry));
      }
      if (extra) TALARIA_RETURN_IF_ERROR(extra(txn));
      return core::OkStatus();
    });
    if (!st) return Fail(st.error());
    for (const auto& [id, e] : entries_) store_->written_.push_back(id);
    return core::OkStatus();
  }

  // Cuts the pack back to where the batch began and returns `e`.
  Status Fail(const core::Error& e) NO_THREAD_SAFETY_ANALYSIS {
    Status rb = store_->writer_->RollBack(start_pack_, start_entry_);
    if (!rb) {
      spdlog::error("could not cut pack {} back after a failed write: {}", start_pack_,
                    rb.error().ToString());
      store_->writer_.reset();  // reopened (and cut back) from the index on next use
    }
    entries_.clear();
    return core::Propagate(e);
  }

 private:
  WritableStore* store_;
  core::MutexLock lock_;
  uint64_t start_pack_ = 0;
  index::PackEntry start_entry_;
  std::vector<std::pair<ObjectId, index::ObjectEntry>> entries_;
};

Result<std::vector<ObjectId>> WritableStore::PutBatch(std::span<const std::string_view> data,
                                                      const PutOptions& options) {
  std::vector<PutRequest> requests;
  requests.reserve(data.size());
  for (std::string_view d : data) requests.push_back(PutRequest{d, options});
  return PutBatch(requests);
}

Result<std::vector<ObjectId>> WritableStore::PutBatch(std::span<const PutRequest> requests,
                                                      std::vector<bool>* written) {
  // Workers hash and compress; this thread appends finished records in
  // request order while later ones are still being compressed, then makes
  // the batch durable with one fsync and one index commit.
  const size_t n = requests.size();
  std::vector<ObjectId> ids(n);
  if (written) written->assign(n, false);
  using Slot = std::optional<Result<std::optional<Prepared>>>;  // unset: not ready yet
  struct Shared {
    core::Mutex mu;
    core::CondVar ready{&mu};
    std::vector<Slot> slots GUARDED_BY(mu);
    size_t running GUARDED_BY(mu) = 0;  // worker jobs not yet returned
  } shared;
  {
    core::MutexLock lock(&shared.mu);
    shared.slots.resize(n);
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  auto prepare_one = [&](size_t i) -> Result<std::optional<Prepared>> {
    ids[i] = ObjectId::Hash(requests[i].data);
    TALARIA_ASSIGN_OR_RETURN(bool exists, Has(ids[i]));
    if (exists) return std::optional<Prepared>();
    TALARIA_ASSIGN_OR_RETURN(Prepared p, Prepare(ids[i], requests[i].data, requests[i].options));
    return std::optional<Prepared>(std::move(p));
  };
  auto worker = [&] {
    for (size_t i; !stop && (i = next.fetch_add(1)) < n;) {
      auto r = prepare_one(i);
      core::MutexLock lock(&shared.mu);
      shared.slots[i] = std::move(r);
      shared.ready.SignalAll();
    }
    core::MutexLock lock(&shared.mu);
    --shared.running;
    shared.ready.SignalAll();
  };
  core::ThreadPool& pool = Workers();
  const size_t jobs = std::min<size_t>(pool.size(), n);
  {
    core::MutexLock lock(&shared.mu);
    shared.running = jobs;
  }
  for (size_t t = 0; t < jobs; ++t) pool.Submit(worker);
  auto finish = [&] {  // the jobs use this frame: wait until they have all returned
    stop = true;
    core::MutexLock lock(&shared.mu);
    while (shared.running != 0) shared.ready.Wait();
  };
  auto fail = [&](const core::Error& e) {
    finish();
    return core::Propagate(e);
  };
  Batch batch(this);
  if (Status st = batch.Start(); !st) return fail(st.error());
  std::unordered_set<ObjectId> seen;
  for (size_t i = 0; i < n; ++i) {
    Result<std::optional<Prepared>> r = std::optional<Prepared>();
    {
      core::MutexLock lock(&shared.mu);
      while (!shared.slots[i].has_value()) shared.ready.Wait();
      r = std::move(*shared.slots[i]);
      shared.slots[i].reset();
    }
    if (!r) return fail(batch.Fail(r.error()).error());
    if (!*r || !seen.insert(ids[i]).second) continue;
    if (Status st = batch.Append(**r); !st) return fail(st.error());
    if (written) (*written)[i] = true;
  }
  finish();
  TALARIA_RETURN_IF_ERROR(batch.Commit({}));
  return ids;
}

Status WritableStore::EnsureWriter() {
  if (writer_) return core::OkStatus();
  uint64_t pack = 1;
  index::PackEntry entry;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, mutable_index().BeginRead());
    TALARIA_RETURN_IF_ERROR(
        mutable_index().packs().ForEach(txn, [&](uint64_t n, const index::PackEntry& e) -> Status {
          pack = n;
          entry = e;
          return core::OkStatus();
        }));
  }
  auto writer = PackWriter::Open(paths_, pack, entry, config_.max_pack_bytes);
  if (!writer && entry.committed_len > 0 &&
      (writer.error().code() == core::Code::kCorruption ||
       writer.error().code() == core::Code::kNotFound)) {
    // The last pack is damaged or gone: leave it for verify to report and
    // carry on in a fresh pack rather than refuse every write.
    spdlog::warn("{}; new objects go to pack {}", writer.error().message(), pack + 1);
    writer = PackWriter::Open(paths_, pack + 1, index::PackEntry{}, config_.max_pack_bytes);
  }
  if (!writer) return core::Propagate(writer.error());
  writer_ = std::move(*writer);
  return core::OkStatus();
}

Result<uint64_t> WritableStore::CurrentPack() {
  core::MutexLock lock(&write_mu_);
  TALARIA_RETURN_IF_ERROR(EnsureWriter());
  return writer_->pack();
}

Status WritableStore::SealCurrentPack() {
  core::MutexLock lock(&write_mu_);
  TALARIA_RETURN_IF_ERROR(EnsureWriter());
  if (writer_->length() <= kPackHeaderSize) return core::OkStatus();
  TALARIA_ASSIGN_OR_RETURN(auto next, PackWriter::Open(paths_, writer_->pack() + 1,
                                                       index::PackEntry{}, config_.max_pack_bytes));
  writer_ = std::move(next);
  return core::OkStatus();
}

Status WritableStore::WriteRecords(std::vector<Prepared>& records, bool skip_existing,
                                   const std::function<Status(index::WriteTxn&)>& extra) {
  Batch batch(this);
  TALARIA_RETURN_IF_ERROR(batch.Start());
  std::unordered_set<ObjectId> seen;
  for (const Prepared& p : records) {
    if (skip_existing) {
      if (!seen.insert(p.header.id).second) continue;
      TALARIA_ASSIGN_OR_RETURN(bool exists, Has(p.header.id));
      if (exists) continue;
    }
    TALARIA_RETURN_IF_ERROR(batch.Append(p));
  }
  return batch.Commit(extra);
}

Result<WritableStore::WriteMark> WritableStore::Mark() {
  core::MutexLock lock(&write_mu_);
  TALARIA_RETURN_IF_ERROR(EnsureWriter());
  return WriteMark{writer_->pack(), writer_->length(), written_.size()};
}

Status WritableStore::RollBack(const WriteMark& mark) {
  core::MutexLock lock(&write_mu_);
  TALARIA_RETURN_IF_ERROR(EnsureWriter());
  std::vector<ObjectId> undo(written_.begin() + static_cast<std::ptrdiff_t>(mark.written),
                             written_.end());
  const uint64_t last_pack = writer_->pack();
  TALARIA_RETURN_IF_ERROR(mutable_index().Update([&](index::WriteTxn& txn) -> Status {
    for (const ObjectId& id : undo) {
      Status st = mutable_index().objects().Delete(txn, id);
      if (!st && st.error().code() != core::Code::kNotFound) return st;
    }
    TALARIA_ASSIGN_OR_RETURN(auto entry, mutable_index().packs().Get(txn, mark.pack));
    if (entry) {
      entry->committed_len = mark.pack_length;
      TALARIA_RETURN_IF_ERROR(mutable_index().packs().Put(txn, mark.pack, *entry));
    }
    for (uint64_t p = mark.pack + 1; p <= last_pack; ++p) {
      Status st = mutable_index().packs().Delete(txn, p);
      if (!st && st.error().code() != core::Code::kNotFound) return st;
    }
    // A dictionary installed since the mark goes with it.
    return ForgetDictionaries(txn, std::unordered_set<ObjectId>(undo.begin(), undo.end()));
  }));
  for (const ObjectId& id : undo) cache_.Erase(id);
  written_.resize(mark.written);
  for (uint64_t p = mark.pack + 1; p <= last_pack; ++p) {
    // A pack file left behind holds nothing indexed: gc removes it.
    core::RemoveFile(paths_.pack_file(p)).IgnoreError();
    pack_reader().Forget(p);
  }
  // Reopening the writer cuts the mark's pack back to its committed length.
  writer_.reset();
  return EnsureWriter();
}

}  // namespace talaria::store
