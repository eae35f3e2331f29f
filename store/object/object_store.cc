#include "store/object/object_store.h"

#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "index/index.h"
#include "store/core/file_io.h"
#include "store/core/parallel.h"
#include "store/pack/frame.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

// A hard ceiling on delta recursion while reading, whatever the config
// says: a damaged or hostile pack must not send reads into a loop.
constexpr unsigned kMaxReadDepth = 64;
// Objects at least this big are decoded into recycled buffers.
constexpr uint64_t kPooledObjectBytes = 64 << 10;

bool DirIsEmpty(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  bool empty = true;
  while (dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n != "." && n != "..") {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

}  // namespace

Status ObjectStore::Init(const std::string& root, const StoreConfig& config) {
  StorePaths paths(root);
  if (core::PathExists(root)) {
    if (!core::IsDirectory(root))
      return core::InvalidArgument(root + " exists and is not a directory");
    if (core::PathExists(paths.index_dir()))
      return core::InvalidArgument(root + " is already a store");
    if (!DirIsEmpty(root)) {
      return core::InvalidArgument(root + " is not empty; a new store needs an empty directory");
    }
  }
  TALARIA_RETURN_IF_ERROR(core::MakeDirs(paths.packs_dir()));
  TALARIA_RETURN_IF_ERROR(core::WriteFileAtomic(paths.config_file(), ConfigFileText(config)));
  index::EnvOptions env;
  env.create = true;
  TALARIA_ASSIGN_OR_RETURN(auto idx, index::Index::Open(paths.index_dir(), env));
  return core::FsyncDir(root);
}

Result<StoreConfig> ObjectStore::LoadConfig(const std::string& root) {
  StoreConfig config;
  TALARIA_RETURN_IF_ERROR(ApplyConfigFile(StorePaths(root).config_file(), &config));
  TALARIA_RETURN_IF_ERROR(ApplyEnvironment(&config));
  return config;
}

ObjectStore::ObjectStore(StorePaths paths, StoreConfig config, std::unique_ptr<index::Index> index,
                         std::optional<WriterLock> lock)
    : paths_(std::move(paths)),
      config_(std::move(config)),
      index_(std::move(index)),
      reader_(paths_),
      cache_(config_.cache_bytes),
      writer_lock_(std::move(lock)) {}

ObjectStore::~ObjectStore() = default;

Result<std::unique_ptr<ObjectStore>> ObjectStore::Open(const std::string& root,
                                                       const StoreConfig& config,
                                                       const OpenOptions& options) {
  StorePaths paths(root);
  if (!core::PathExists(root)) {
    return core::NotFound("store " + root +
                          " does not exist (create one with: talaria-store init " + root + ")");
  }
  if (!core::IsDirectory(root) || !core::PathExists(paths.index_data_file())) {
    return core::InvalidArgument(root +
                                 " is not a talaria store (it has no index/; create one with"
                                 " talaria-store init, or rebuild a lost index with"
                                 " talaria-store index rebuild)");
  }
  std::optional<WriterLock> lock;
  if (options.writable) {
    TALARIA_ASSIGN_OR_RETURN(lock,
                             WriterLock::Acquire(paths.writer_lock(), options.wait_for_writer));
  }
  index::EnvOptions env = options.index;
  env.create = false;
  TALARIA_ASSIGN_OR_RETURN(auto idx, index::Index::Open(paths.index_dir(), env));
  return std::make_unique<ObjectStore>(paths, config, std::move(idx), std::move(lock));
}

Result<std::optional<index::ObjectEntry>> ObjectStore::Lookup(const ObjectId& id) const {
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, index_->BeginRead());
  return index_->objects().Get(txn, id);
}

Result<bool> ObjectStore::Has(const ObjectId& id) const {
  TALARIA_ASSIGN_OR_RETURN(auto entry, Lookup(id));
  return entry.has_value();
}

Result<ObjectInfo> ObjectStore::Stat(const ObjectId& id) const {
  TALARIA_ASSIGN_OR_RETURN(auto entry, Lookup(id));
  if (!entry) return core::NotFound("object " + id.Hex() + " is not in the store");
  return ObjectInfo{id, *entry};
}

Result<std::vector<ObjectInfo>> ObjectStore::List() const {
  std::vector<ObjectInfo> out;
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, index_->BeginRead());
  TALARIA_RETURN_IF_ERROR(index_->objects().ForEach(
      txn, [&](const ObjectId& id, const index::ObjectEntry& e) -> Status {
        out.push_back(ObjectInfo{id, e});
        return core::OkStatus();
      }));
  return out;
}

Status ObjectStore::ForEach(const std::function<Status(const ObjectInfo&)>& fn) const {
  TALARIA_ASSIGN_OR_RETURN(auto all, List());
  for (const ObjectInfo& info : all) TALARIA_RETURN_IF_ERROR(fn(info));
  return core::OkStatus();
}

Result<std::shared_ptr<const std::string>> ObjectStore::Get(const ObjectId& id) {
  if (AccessRecorder* recorder = recorder_.load(std::memory_order_relaxed)) recorder->Record(id);
  return GetUncounted(id);
}

Result<std::shared_ptr<const std::string>> ObjectStore::GetUncounted(const ObjectId& id) {
  if (auto hit = cache_.Lookup(id)) return hit;
  std::promise<Result<std::shared_ptr<const std::string>>> promise;
  std::optional<Flight> follow;
  {
    core::MutexLock lock(&flights_mu_);
    auto [it, leader] = flights_.try_emplace(id);
    if (leader) {
      it->second = promise.get_future().share();
    } else {
      follow = it->second;
    }
  }
  if (follow) return follow->get();
  auto result = GetAtDepth(id, 0);
  {
    core::MutexLock lock(&flights_mu_);
    flights_.erase(id);
  }
  promise.set_value(result);
  return result;
}

void ObjectStore::Prefetch(const ObjectId& id) {
  constexpr unsigned kMaxPending = 4;
  if (cache_.Contains(id)) return;
  {
    core::MutexLock lock(&flights_mu_);
    if (flights_.count(id)) return;
  }
  // The pack bytes first: the kernel reads them while we decode others.
  if (auto entry = Lookup(id); entry && *entry) {
    reader_.Advise((*entry)->pack, (*entry)->offset, (*entry)->record_len);
  }
  if (prefetches_.fetch_add(1) >= kMaxPending) {
    prefetches_.fetch_sub(1);
    return;
  }
  Workers().Submit([this, id] {
    (void)Get(id);
    prefetches_.fetch_sub(1);
  });
}

Result<std::shared_ptr<const std::string>> ObjectStore::GetAtDepth(const ObjectId& id,
                                                                   unsigned depth) {
  if (auto hit = cache_.Lookup(id)) return hit;
  // The record's bytes: a buffer kept per thread at the top of a delta
  // chain (bases, read deeper in the chain, use their own).
  thread_local std::string top_scratch;
  std::string deep_scratch;
  std::string& bytes = depth == 0 ? top_scratch : deep_scratch;
  Result<RecordHeader> header = core::NotFound("");
  index::ObjectEntry entry;
  for (int attempt = 0; attempt < 2; ++attempt) {
    TALARIA_ASSIGN_OR_RETURN(auto found, Lookup(id));
    if (!found) return core::NotFound("object " + id.Hex() + " is not in the store");
    entry = *found;
    header = reader_.ReadInto(entry.pack, entry.offset, entry.record_len, &bytes);
    // gc may have moved the object to a new pack since we looked it up.
    if (header || header.error().code() != core::Code::kNotFound) break;
    reader_.Forget(entry.pack);
  }
  std::string what = "object " + id.Hex();
  if (!header) return core::Propagate(header.error().WithContext(what));
  const RecordHeader& h = *header;
  const std::string_view frame = std::string_view(bytes).substr(kRecordHeaderSize);
  if (h.id != id) {
    return core::Corruption(what + ": pack " + std::to_string(entry.pack) + " offset " +
                            std::to_string(entry.offset) + " holds object " + h.id.Hex());
  }
  std::shared_ptr<const std::string> base;
  if (h.is_delta()) {
    if (depth >= kMaxReadDepth) return core::Corruption(what + ": delta chain deeper than 64");
    auto b = GetAtDepth(h.base, depth + 1);
    if (!b) return core::Propagate(b.error().WithContext(what + ": delta base"));
    base = *b;
  }
  // Big objects decode into recycled buffers whose pages are already
  // mapped; a fresh one would fault on every page.
  const bool pooled = entry.raw_len >= kPooledObjectBytes;
  std::string raw = pooled ? decoded_buffers_->Take(entry.raw_len) : std::string();
  auto decoded = DecodeFrameInto(frame, base ? std::string_view(*base) : std::string_view(), &raw);
  if (!decoded) {
    return core::Corruption(what + ": hash mismatch: stored bytes are damaged (pack " +
                            std::to_string(entry.pack) + " offset " + std::to_string(entry.offset) +
                            ": " + decoded.error().message() + ")");
  }
  if (raw.size() != entry.raw_len) {
    return core::Corruption(what + ": size mismatch: rebuilt " + std::to_string(raw.size()) +
                            " bytes, index says " + std::to_string(entry.raw_len));
  }
  ObjectId actual = ObjectId::Hash(raw);
  if (actual != id) {
    return core::Corruption(what + ": hash mismatch: stored bytes rebuild to " + actual.Hex());
  }
  std::shared_ptr<const std::string> value;
  if (pooled) {
    // Back to the pool once the cache and every reader are done with it.
    auto owned = std::make_unique<std::string>(std::move(raw));
    value = std::shared_ptr<const std::string>(
        owned.release(), [pool = decoded_buffers_](const std::string* s) {
          std::unique_ptr<std::string> back(const_cast<std::string*>(s));
          pool->Give(std::move(*back));
        });
  } else {
    value = std::make_shared<const std::string>(std::move(raw));
  }
  cache_.Insert(id, value);
  return value;
}

Result<ObjectStore::Prepared> ObjectStore::Prepare(const ObjectId& id, std::string_view data,
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
    TALARIA_ASSIGN_OR_RETURN(std::string whole, EncodeFrame(spec, data));
    if (p.header.base.IsZero() || whole.size() <= p.frame.size()) {
      p.frame = std::move(whole);
      p.header.base = ObjectId();
      p.header.depth = 0;
    }
  }
  p.header.frame_len = p.frame.size();
  return p;
}

Result<core::ObjectId> ObjectStore::Put(std::string_view data, const PutOptions& options) {
  TALARIA_ASSIGN_OR_RETURN(auto ids,
                           PutBatch(std::span<const std::string_view>(&data, 1), options));
  return ids.front();
}

// The write path of one batch: holds the write lock from start to commit,
// so no other batch's records interleave with ours and a failure can cut
// the pack back to where the batch began.
class ObjectStore::Batch {
 public:
  explicit Batch(ObjectStore* store) NO_THREAD_SAFETY_ANALYSIS : store_(store),
                                                                 lock_(&store->write_mu_) {}

  Status Start() NO_THREAD_SAFETY_ANALYSIS {
    if (!store_->writable()) {
      return core::InvalidArgument("store " + store_->paths_.root() + " was opened read-only");
    }
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
                                 h.base});
    return core::OkStatus();
  }

  // fsync, then one index transaction: the entries, the packs' lengths, `extra`.
  Status Commit(const std::function<Status(index::WriteTxn&)>& extra) NO_THREAD_SAFETY_ANALYSIS {
    if (!entries_.empty()) {
      if (Status st = store_->writer_->Sync(); !st) return Fail(st.error());
    }
    auto dirty = store_->writer_->TakeDirty();
    Status st = store_->index_->Update([&](index::WriteTxn& txn) -> Status {
      for (const auto& [id, e] : entries_) {
        TALARIA_RETURN_IF_ERROR(store_->index_->objects().Put(txn, id, e));
      }
      for (const auto& [pack, entry] : dirty) {
        TALARIA_RETURN_IF_ERROR(store_->index_->packs().Put(txn, pack, entry));
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
  ObjectStore* store_;
  core::MutexLock lock_;
  uint64_t start_pack_ = 0;
  index::PackEntry start_entry_;
  std::vector<std::pair<ObjectId, index::ObjectEntry>> entries_;
};

Result<std::vector<ObjectId>> ObjectStore::PutBatch(std::span<const std::string_view> data,
                                                    const PutOptions& options) {
  std::vector<PutRequest> requests;
  requests.reserve(data.size());
  for (std::string_view d : data) requests.push_back(PutRequest{d, options});
  return PutBatch(requests);
}

Result<std::vector<ObjectId>> ObjectStore::PutBatch(std::span<const PutRequest> requests,
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

core::ThreadPool& ObjectStore::Workers() {
  std::call_once(workers_once_, [&] {
    workers_ = std::make_unique<core::ThreadPool>(config_.effective_threads());
  });
  return *workers_;
}

Status ObjectStore::EnsureWriter() {
  if (writer_) return core::OkStatus();
  if (!writable()) return core::InvalidArgument("store " + paths_.root() + " was opened read-only");
  uint64_t pack = 1;
  index::PackEntry entry;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, index_->BeginRead());
    TALARIA_RETURN_IF_ERROR(
        index_->packs().ForEach(txn, [&](uint64_t n, const index::PackEntry& e) -> Status {
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

Result<uint64_t> ObjectStore::CurrentPack() {
  core::MutexLock lock(&write_mu_);
  TALARIA_RETURN_IF_ERROR(EnsureWriter());
  return writer_->pack();
}

Status ObjectStore::SealCurrentPack() {
  core::MutexLock lock(&write_mu_);
  TALARIA_RETURN_IF_ERROR(EnsureWriter());
  if (writer_->length() <= kPackHeaderSize) return core::OkStatus();
  TALARIA_ASSIGN_OR_RETURN(auto next, PackWriter::Open(paths_, writer_->pack() + 1,
                                                       index::PackEntry{}, config_.max_pack_bytes));
  writer_ = std::move(next);
  return core::OkStatus();
}

Status ObjectStore::WriteRecords(std::vector<Prepared>& records, bool skip_existing,
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

Result<ObjectStore::WriteMark> ObjectStore::Mark() {
  core::MutexLock lock(&write_mu_);
  TALARIA_RETURN_IF_ERROR(EnsureWriter());
  return WriteMark{writer_->pack(), writer_->length(), written_.size()};
}

Status ObjectStore::RollBack(const WriteMark& mark) {
  core::MutexLock lock(&write_mu_);
  TALARIA_RETURN_IF_ERROR(EnsureWriter());
  std::vector<ObjectId> undo(written_.begin() + static_cast<std::ptrdiff_t>(mark.written),
                             written_.end());
  const uint64_t last_pack = writer_->pack();
  TALARIA_RETURN_IF_ERROR(index_->Update([&](index::WriteTxn& txn) -> Status {
    for (const ObjectId& id : undo) {
      Status st = index_->objects().Delete(txn, id);
      if (!st && st.error().code() != core::Code::kNotFound) return st;
    }
    TALARIA_ASSIGN_OR_RETURN(auto entry, index_->packs().Get(txn, mark.pack));
    if (entry) {
      entry->committed_len = mark.pack_length;
      TALARIA_RETURN_IF_ERROR(index_->packs().Put(txn, mark.pack, *entry));
    }
    for (uint64_t p = mark.pack + 1; p <= last_pack; ++p) {
      Status st = index_->packs().Delete(txn, p);
      if (!st && st.error().code() != core::Code::kNotFound) return st;
    }
    return core::OkStatus();
  }));
  for (const ObjectId& id : undo) cache_.Erase(id);
  written_.resize(mark.written);
  for (uint64_t p = mark.pack + 1; p <= last_pack; ++p) {
    ::unlink(paths_.pack_file(p).c_str());
    reader_.Forget(p);
  }
  // Reopening the writer cuts the mark's pack back to its committed length.
  writer_.reset();
  return EnsureWriter();
}

}  // namespace talaria::store
