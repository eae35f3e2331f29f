#pragma once

// Reads records out of pack files. Keeps one read-only descriptor per pack
// open, so a pack that gc unlinks stays readable through it until Forget().
//
// Thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "store/core/mutex.h"
#include "store/core/status.h"
#include "store/core/store_paths.h"
#include "store/core/unique_fd.h"
#include "store/pack/pack_format.h"

namespace talaria::store {

struct Record {
  RecordHeader header;
  std::string bytes;  // the whole record: header then frame
  std::string_view frame() const { return std::string_view(bytes).substr(kRecordHeaderSize); }
};

class PackReader {
 public:
  explicit PackReader(StorePaths paths) : paths_(std::move(paths)) {}

  // Reads the record of `length` bytes at `offset` in `pack` and checks its
  // header. kNotFound if the pack file is missing; kCorruption for a short
  // pack or a damaged header. The frame is not checked here.
  core::Result<Record> Read(uint64_t pack, uint64_t offset, uint64_t length);
  // The same, reading the record's bytes into `*bytes` (its capacity is
  // reused); returns the checked header.
  core::Result<RecordHeader> ReadInto(uint64_t pack, uint64_t offset, uint64_t length,
                                      std::string* bytes);

  // Asks the kernel to start reading [offset, offset + length) of `pack`
  // into the page cache (posix_fadvise WILLNEED), without waiting. A hint:
  // errors are ignored.
  void Advise(uint64_t pack, uint64_t offset, uint64_t length);

  // Drops the cached descriptor of a pack (after gc removed it).
  void Forget(uint64_t pack);

 private:
  core::Result<std::shared_ptr<core::UniqueFd>> Fd(uint64_t pack);

  StorePaths paths_;
  core::Mutex mu_;
  std::map<uint64_t, std::shared_ptr<core::UniqueFd>> fds_ GUARDED_BY(mu_);
};

// One step of a sequential scan over a pack.
struct ScannedRecord {
  uint64_t offset = 0;
  RecordHeader header;
  std::string_view frame;
};

struct ScanResult {
  uint64_t valid_end = 0;             // end of the last intact record
  uint64_t records = 0;               // intact records seen
  uint64_t skipped_bytes = 0;         // bytes that held no intact record header
  std::vector<std::string> problems;  // one line per damaged stretch
};

// Walks every record of the pack file at `path`, calling `fn` for each
// record whose header is intact (the frame is handed over unchecked). A
// damaged header is skipped by searching for the next intact one. A record
// cut short at the end of the file ends the scan (a torn tail).
core::Result<ScanResult> ScanPack(const std::string& path,
                                  const std::function<core::Status(const ScannedRecord&)>& fn);

}  // namespace talaria::store
