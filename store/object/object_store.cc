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

ObjectStore::ObjectStore(StorePaths paths, StoreConfig config, std::unique_ptr<index::Index> index)
    : paths_(std::move(paths)),
      config_(std::move(config)),
      cache_(config_.cache_bytes),
      index_(std::move(index)),
      reader_(paths_) {}

ObjectStore::~ObjectStore() = default;

Status ObjectStore::CheckIsStore(const std::string& root) {
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
  return core::OkStatus();
}

Result<std::unique_ptr<index::Index>> ObjectStore::OpenIndex(const StorePaths& paths,
                                                             const OpenOptions& options) {
  index::EnvOptions env = options.index;
  env.create = false;
  return index::Index::Open(paths.index_dir(), env);
}

Result<std::unique_ptr<ObjectStore>> ObjectStore::Open(const std::string& root,
                                                       const StoreConfig& config,
                                                       const OpenOptions& options) {
  TALARIA_RETURN_IF_ERROR(CheckIsStore(root));
  StorePaths paths(root);
  TALARIA_ASSIGN_OR_RETURN(auto idx, OpenIndex(paths, options));
  return std::make_unique<ObjectStore>(paths, config, std::move(idx));
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

std::string DictionaryKey(ObjectKind kind) {
  return "dictionary." + std::string(ObjectKindName(kind));
}

Result<std::optional<ObjectId>> ObjectStore::CurrentDictionary(ObjectKind kind) const {
  if (kind == ObjectKind::kDictionary) return std::optional<ObjectId>();
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, index().BeginRead());
  TALARIA_ASSIGN_OR_RETURN(auto v, index().meta().GetString(txn, DictionaryKey(kind)));
  if (!v) return std::optional<ObjectId>();
  if (v->size() != ObjectId::kSize) {
    return core::Corruption("index meta '" + DictionaryKey(kind) + "' is not an object id");
  }
  return std::optional<ObjectId>(ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(v->data())));
}

Result<std::shared_ptr<const ZstdDictionary>> ObjectStore::Dictionary(const ObjectId& id) {
  return DictionaryAtDepth(id, 0);
}

Result<std::shared_ptr<const ZstdDictionary>> ObjectStore::DictionaryAtDepth(const ObjectId& id,
                                                                             unsigned depth) {
  {
    core::MutexLock lock(&dictionaries_mu_);
    if (auto it = dictionaries_.find(id); it != dictionaries_.end()) return it->second;
  }
  TALARIA_ASSIGN_OR_RETURN(auto bytes, GetAtDepth(id, depth));
  auto d = std::make_shared<const ZstdDictionary>(*bytes);
  core::MutexLock lock(&dictionaries_mu_);
  // A store holds a few (one per kind, and older ones until gc); a bound
  // only guards against a damaged store naming thousands.
  if (dictionaries_.size() >= 16) dictionaries_.clear();
  return dictionaries_.emplace(id, std::move(d)).first->second;
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
  std::shared_ptr<const ZstdDictionary> dictionary;
  if (h.is_delta()) {
    if (depth >= kMaxReadDepth) return core::Corruption(what + ": delta chain deeper than 64");
    auto b = GetAtDepth(h.base, depth + 1);
    if (!b) return core::Propagate(b.error().WithContext(what + ": delta base"));
    base = *b;
  } else if (h.dictionary) {
    auto d = DictionaryAtDepth(h.base, depth + 1);
    if (!d) return core::Propagate(d.error().WithContext(what + ": dictionary"));
    dictionary = *d;
  }
  // Big objects decode into recycled buffers whose pages are already
  // mapped; a fresh one would fault on every page.
  const bool pooled = entry.raw_len >= kPooledObjectBytes;
  // (a buffer at most a quarter too big: the cache charges capacity).
  std::string raw = pooled
                        ? decoded_buffers_->Take(entry.raw_len, entry.raw_len + entry.raw_len / 4)
                        : std::string();
  auto decoded = DecodeFrameInto(frame, base ? std::string_view(*base) : std::string_view(), &raw,
                                 dictionary.get());
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

core::ThreadPool& ObjectStore::Workers() {
  std::call_once(workers_once_, [&] {
    workers_ = std::make_unique<core::ThreadPool>(config_.effective_threads());
  });
  return *workers_;
}

}  // namespace talaria::store
