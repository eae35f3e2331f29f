#include "store/object/access_log.h"

#include <unistd.h>

#include <charconv>
#include <vector>

#include "store/core/file_io.h"
#include "store/core/line_reader.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

// The count files not folded yet (none if the directory is not there).
Result<std::vector<std::string>> AccessFiles(const StorePaths& paths) {
  auto names = core::ListDirectory(paths.access_dir());
  if (!names && names.error().code() == core::Code::kNotFound) return std::vector<std::string>();
  TALARIA_RETURN_IF_ERROR(names);
  std::vector<std::string> files;
  for (const std::string& name : *names) {
    if (StorePaths::IsAccessFileName(name)) {
      files.push_back(paths.access_dir() + "/" + name);
    }
  }
  return files;
}

// Counts are a hint: a file that went away or a malformed line is skipped.
void ReadCounts(const std::string& file, AccessCounts* counts) {
  core::ForEachLineOfFile(file, [&](std::string_view line, uint64_t) -> Status {
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return core::OkStatus();
    auto id = ObjectId::Parse(line.substr(0, tab));
    uint64_t n = 0;
    const std::string_view digits = line.substr(tab + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (id && ec == std::errc() && end != digits.data()) (*counts)[*id] += n;
    return core::OkStatus();
  }).IgnoreError();
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
  std::string text;
  for (const auto& [id, count] : counts) text += id.Hex() + '\t' + std::to_string(count) + '\n';
  Status st = core::MakeDirs(paths_.access_dir());
  if (st) {
    st = core::WriteFileAtomic(
        paths_.access_file(static_cast<uint64_t>(::getpid()), files_written_), text);
  }
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

Result<PendingCounts> ReadPendingAccess(const StorePaths& paths) {
  PendingCounts pending;
  TALARIA_ASSIGN_OR_RETURN(pending.files, AccessFiles(paths));
  for (const std::string& f : pending.files) ReadCounts(f, &pending.counts);
  return pending;
}

Result<AccessCounts> PendingAccess(const StorePaths& paths) {
  TALARIA_ASSIGN_OR_RETURN(PendingCounts pending, ReadPendingAccess(paths));
  return std::move(pending.counts);
}

}  // namespace talaria::store
