#include "store/access_log.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "store/core/file_io.h"
#include "store/object_store.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

constexpr char kSuffix[] = ".counts";

std::vector<std::filesystem::path> AccessFiles(const StorePaths& paths, std::error_code* ec) {
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(paths.access_dir(), *ec), end;
  if (*ec == std::errc::no_such_file_or_directory) {
    ec->clear();
    return files;
  }
  for (; !*ec && it != end; it.increment(*ec)) {
    if (it->path().extension() == kSuffix) files.push_back(it->path());
  }
  return files;
}

void ReadCounts(const std::filesystem::path& file, AccessCounts* counts) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    auto id = ObjectId::Parse(line.substr(0, tab));
    if (!id) continue;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(line.c_str() + tab + 1, &end, 10);
    if (end == line.c_str() + tab + 1) continue;
    (*counts)[*id] += n;
  }
}

}  // namespace

void AccessRecorder::Record(const ObjectId& id) {
  Shard& shard = shards_[static_cast<uint8_t>(id.view()[0]) % kShards];
  core::MutexLock lock(&shard.mu);
  shard.counts[id]++;
}

Status AccessRecorder::Flush() {
  core::MutexLock flush(&flush_mu_);
  AccessCounts counts;
  for (Shard& shard : shards_) {
    core::MutexLock lock(&shard.mu);
    if (counts.empty()) {
      counts.swap(shard.counts);
    } else {
      for (const auto& [id, n] : shard.counts) counts[id] += n;
      shard.counts.clear();
    }
  }
  if (counts.empty()) return core::OkStatus();
  std::ostringstream text;
  for (const auto& [id, count] : counts) text << id.Hex() << '\t' << count << '\n';
  std::error_code ec;
  std::filesystem::create_directories(paths_.access_dir(), ec);
  Status st = ec ? core::ErrnoError("create " + paths_.access_dir(), ec.value())
                 : core::WriteFileAtomic(paths_.access_dir() + "/" + std::to_string(::getpid()) +
                                             "-" + std::to_string(files_written_) + kSuffix,
                                         text.str());
  if (st) {
    files_written_++;
  } else {  // kept for the next try
    for (const auto& [id, count] : counts) {
      Shard& shard = shards_[static_cast<uint8_t>(id.view()[0]) % kShards];
      core::MutexLock lock(&shard.mu);
      shard.counts[id] += count;
    }
  }
  return st;
}

Result<AccessCounts> PendingAccess(const StorePaths& paths) {
  std::error_code ec;
  auto files = AccessFiles(paths, &ec);
  if (ec) return core::ErrnoError("list " + paths.access_dir(), ec.value());
  AccessCounts counts;
  for (const auto& f : files) ReadCounts(f, &counts);
  return counts;
}

Result<uint64_t> FoldAccessLogs(ObjectStore& store) {
  if (!store.writable())
    return core::InvalidArgument("folding access counts needs a writable store");
  std::error_code ec;
  auto files = AccessFiles(store.paths(), &ec);
  if (ec) return core::ErrnoError("list " + store.paths().access_dir(), ec.value());
  if (files.empty()) return uint64_t{0};
  AccessCounts counts;
  for (const auto& f : files) ReadCounts(f, &counts);
  const uint64_t now =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  uint64_t folded = 0;
  TALARIA_RETURN_IF_ERROR(store.index().Update([&](index::WriteTxn& txn) -> Status {
    folded = 0;
    for (const auto& [id, count] : counts) {
      TALARIA_ASSIGN_OR_RETURN(auto meta, store.index().chunks().Get(txn, id));
      if (!meta) continue;  // not a chunk (a manifest, a layout, a record index)
      TALARIA_RETURN_IF_ERROR(store.index().chunks().RecordAccess(txn, id, now, count));
      folded += count;
    }
    return core::OkStatus();
  }));
  for (const auto& f : files) std::filesystem::remove(f, ec);
  return folded;
}

}  // namespace talaria::store
