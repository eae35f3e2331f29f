#pragma once

// Appends records to the open pack and rolls to a new pack at
// max_pack_bytes. A record is durable only once Sync() returns OK; the
// caller then records the packs' new committed lengths in the index. After
// a crash, bytes past a pack's committed length are never indexed, and the
// next PackWriter cuts them off when it opens that pack.
//
// Thread-compatible: one writer per store (the process holds writer.lock);
// callers serialise all calls.

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>

#include "index/entries.h"
#include "store/core/status.h"
#include "store/core/store_paths.h"
#include "store/core/unique_fd.h"
#include "store/pack/pack_format.h"

namespace talaria::store {

struct PackLocation {
  uint64_t pack = 0;
  uint64_t offset = 0;
  uint64_t length = 0;  // record header + frame
};

class PackWriter {
 public:
  // Continues pack `pack` after its first `committed_len` bytes (0: the pack
  // is started afresh). kNotFound if a pack with committed bytes is missing.
  static core::Result<std::unique_ptr<PackWriter>> Open(const StorePaths& paths, uint64_t pack,
                                                        const index::PackEntry& committed,
                                                        uint64_t max_pack_bytes);

  PackWriter(const StorePaths& paths, uint64_t max_pack_bytes)
      : paths_(paths), max_pack_bytes_(max_pack_bytes) {}

  // Appends one record. kNoSpace when the disk is full; the pack is then cut
  // back to where it was before this call.
  core::Result<PackLocation> Append(const RecordHeader& header, std::string_view frame);

  // Makes everything appended so far durable (fsync of every pack written
  // since the last Sync, and of the directories of new packs).
  core::Status Sync();

  // The packs written since the last TakeDirty(), with their lengths and
  // record counts as of now: what the index must record after Sync().
  std::map<uint64_t, index::PackEntry> TakeDirty();

  // Cuts the current pack back to `len` bytes (after a failed batch).
  core::Status RollBack(uint64_t pack, const index::PackEntry& committed);

  uint64_t pack() const { return pack_; }
  uint64_t length() const { return entry_.committed_len; }

 private:
  core::Status StartPack(uint64_t pack);
  core::Status Roll();
  void StartWriteback();

  StorePaths paths_;
  uint64_t max_pack_bytes_;
  uint64_t pack_ = 0;
  index::PackEntry entry_;  // current pack: length written, records
  core::UniqueFd fd_;
  std::map<uint64_t, index::PackEntry> dirty_;
  std::map<uint64_t, core::UniqueFd> unsynced_old_;  // rolled packs awaiting fsync
  bool dir_unsynced_ = false;
  uint64_t writeback_from_ = 0;  // start of the bytes not yet handed to writeback
};

}  // namespace talaria::store
