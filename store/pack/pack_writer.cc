#include "store/pack/pack_writer.h"

#include <fcntl.h>

#include "store/core/file_io.h"

namespace talaria::store {

using core::Result;
using core::Status;

Result<std::unique_ptr<PackWriter>> PackWriter::Open(const StorePaths& paths, uint64_t pack,
                                                     const index::PackEntry& committed,
                                                     uint64_t max_pack_bytes) {
  auto w = std::make_unique<PackWriter>(paths, max_pack_bytes);
  if (committed.committed_len == 0) {
    TALARIA_RETURN_IF_ERROR(w->StartPack(pack));
    return w;
  }
  std::string path = paths.pack_file(pack);
  TALARIA_ASSIGN_OR_RETURN(w->fd_, core::OpenFile(path, O_RDWR));
  TALARIA_ASSIGN_OR_RETURN(uint64_t size, core::FileSize(w->fd_.get(), path));
  if (size < committed.committed_len) {
    return core::Corruption("pack " + path + " is " + std::to_string(size) +
                            " bytes but the index has " + std::to_string(committed.committed_len) +
                            " committed: it was truncated (run talaria-store verify)");
  }
  if (size > committed.committed_len) {
    // A writer died after appending but before its index commit.
    TALARIA_RETURN_IF_ERROR(core::Truncate(w->fd_.get(), committed.committed_len, path));
    TALARIA_RETURN_IF_ERROR(core::Fsync(w->fd_.get(), path));
  }
  TALARIA_RETURN_IF_ERROR(core::SeekTo(w->fd_.get(), committed.committed_len, path));
  w->pack_ = pack;
  w->entry_ = committed;
  return w;
}

Status PackWriter::StartPack(uint64_t pack) {
  TALARIA_RETURN_IF_ERROR(core::MakeDirs(paths_.pack_dir(pack)));
  std::string path = paths_.pack_file(pack);
  // Nothing indexed lives in a pack we start: any old file is a crashed
  // writer's leftover.
  TALARIA_ASSIGN_OR_RETURN(core::UniqueFd fd, core::OpenFile(path, O_RDWR | O_CREAT | O_TRUNC));
  std::string header = EncodePackHeader();
  Status st = core::WriteAll(fd.get(), header, path);
  if (!st) {
    ::unlink(path.c_str());
    return st;
  }
  if (fd_.valid()) unsynced_old_[pack_] = std::move(fd_);
  fd_ = std::move(fd);
  pack_ = pack;
  entry_ = index::PackEntry{header.size(), 0};
  writeback_from_ = 0;
  dirty_[pack_] = entry_;
  dir_unsynced_ = true;
  return core::OkStatus();
}

Status PackWriter::Roll() { return StartPack(pack_ + 1); }

Result<PackLocation> PackWriter::Append(const RecordHeader& header, std::string_view frame) {
  uint64_t len = kRecordHeaderSize + frame.size();
  if (entry_.records > 0 && entry_.committed_len + len > max_pack_bytes_) {
    TALARIA_RETURN_IF_ERROR(Roll());
  }
  std::string path = paths_.pack_file(pack_);
  std::string head = EncodeRecordHeader(header);
  Status st = core::WriteAll(fd_.get(), head, path);
  if (st) st = core::WriteAll(fd_.get(), frame, path);
  if (!st) {
    // Leave no partial record behind us; the next append starts clean.
    core::Truncate(fd_.get(), entry_.committed_len, path).IgnoreError();
    ::lseek(fd_.get(), static_cast<off_t>(entry_.committed_len), SEEK_SET);
    return core::Propagate(st.error());
  }
  PackLocation loc{pack_, entry_.committed_len, len};
  entry_.committed_len += len;
  entry_.records += 1;
  dirty_[pack_] = entry_;
  StartWriteback();
  return loc;
}

void PackWriter::StartWriteback() {
  // Hand every few MiB to the kernel's writeback now, so that Sync() has
  // little left to wait for. Only a hint: durability still comes from Sync().
  constexpr uint64_t kKickBytes = uint64_t{8} << 20;
  if (writeback_from_ > entry_.committed_len) writeback_from_ = 0;  // a new or cut-back pack
  if (entry_.committed_len - writeback_from_ < kKickBytes) return;
  ::sync_file_range(fd_.get(), static_cast<off_t>(writeback_from_),
                    static_cast<off_t>(entry_.committed_len - writeback_from_),
                    SYNC_FILE_RANGE_WRITE);
  writeback_from_ = entry_.committed_len;
}

Status PackWriter::Sync() {
  for (auto& [pack, fd] : unsynced_old_) {
    TALARIA_RETURN_IF_ERROR(core::Fsync(fd.get(), paths_.pack_file(pack)));
  }
  unsynced_old_.clear();
  TALARIA_RETURN_IF_ERROR(core::Fsync(fd_.get(), paths_.pack_file(pack_)));
  if (dir_unsynced_) {
    for (const auto& [pack, entry] : dirty_) {
      TALARIA_RETURN_IF_ERROR(core::FsyncDir(paths_.pack_dir(pack)));
    }
    TALARIA_RETURN_IF_ERROR(core::FsyncDir(paths_.packs_dir()));
    dir_unsynced_ = false;
  }
  return core::OkStatus();
}

std::map<uint64_t, index::PackEntry> PackWriter::TakeDirty() { return std::exchange(dirty_, {}); }

Status PackWriter::RollBack(uint64_t pack, const index::PackEntry& committed) {
  unsynced_old_.clear();
  dirty_.clear();
  if (pack != pack_) {
    fd_.Reset();
    TALARIA_ASSIGN_OR_RETURN(auto w, Open(paths_, pack, committed, max_pack_bytes_));
    *this = std::move(*w);
    return core::OkStatus();
  }
  std::string path = paths_.pack_file(pack_);
  TALARIA_RETURN_IF_ERROR(core::Truncate(fd_.get(), committed.committed_len, path));
  TALARIA_RETURN_IF_ERROR(core::SeekTo(fd_.get(), committed.committed_len, path));
  entry_ = committed;
  return core::OkStatus();
}

}  // namespace talaria::store
