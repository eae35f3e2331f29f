#include "store/pack/pack_reader.h"

#include <fcntl.h>

#include <cstring>

#include "store/core/coding.h"
#include "store/core/file_io.h"
#include "store/core/mapped_file.h"

namespace talaria::store {

using core::Result;
using core::Status;

Result<std::shared_ptr<core::UniqueFd>> PackReader::Fd(uint64_t pack) {
  {
    core::MutexLock lock(&mu_);
    auto it = fds_.find(pack);
    if (it != fds_.end()) return it->second;
  }
  std::string path = paths_.pack_file(pack);
  auto fd = core::OpenFile(path, O_RDONLY);
  if (!fd) return core::Propagate(fd.error().WithContext("pack " + std::to_string(pack)));
  auto shared = std::make_shared<core::UniqueFd>(std::move(*fd));
  core::MutexLock lock(&mu_);
  auto [it, inserted] = fds_.emplace(pack, shared);
  return it->second;
}

void PackReader::Advise(uint64_t pack, uint64_t offset, uint64_t length) {
  auto fd = Fd(pack);
  if (fd) {
    (void)::posix_fadvise((*fd)->get(), static_cast<off_t>(offset), static_cast<off_t>(length),
                          POSIX_FADV_WILLNEED);
  }
}

void PackReader::Forget(uint64_t pack) {
  core::MutexLock lock(&mu_);
  fds_.erase(pack);
}

Result<Record> PackReader::Read(uint64_t pack, uint64_t offset, uint64_t length) {
  Record record;
  TALARIA_ASSIGN_OR_RETURN(record.header, ReadInto(pack, offset, length, &record.bytes));
  return record;
}

Result<RecordHeader> PackReader::ReadInto(uint64_t pack, uint64_t offset, uint64_t length,
                                          std::string* bytes) {
  TALARIA_ASSIGN_OR_RETURN(auto fd, Fd(pack));
  auto where = [&] { return paths_.pack_file(pack) + " offset " + std::to_string(offset); };
  if (length < kRecordHeaderSize) return core::Corruption(where() + ": record length too small");
  bytes->resize(length);
  TALARIA_RETURN_IF_ERROR(core::PreadInto(fd->get(), offset, bytes->data(), length, where()));
  auto header = DecodeRecordHeader(*bytes);
  if (!header) return core::Propagate(header.error().WithContext(where()));
  if (header->record_len() != length) {
    return core::Corruption(where() + ": record is " + std::to_string(header->record_len()) +
                            " bytes, index says " + std::to_string(length));
  }
  return *header;
}

namespace {

// The offset of the next intact record header at or after `from`, or `end`.
uint64_t Resync(std::string_view data, uint64_t from) {
  char magic[4];
  core::EncodeFixed32(magic, kRecordMagic);
  for (uint64_t pos = from; pos + kRecordHeaderSize <= data.size(); ++pos) {
    pos = data.find(std::string_view(magic, 4), pos);
    if (pos == std::string_view::npos || pos + kRecordHeaderSize > data.size()) break;
    if (DecodeRecordHeader(data.substr(pos, kRecordHeaderSize))) return pos;
  }
  return data.size();
}

}  // namespace

Result<ScanResult> ScanPack(const std::string& path,
                            const std::function<Status(const ScannedRecord&)>& fn) {
  TALARIA_ASSIGN_OR_RETURN(core::MappedFile file, core::MappedFile::Open(path));
  std::string_view data = file.data();
  ScanResult result;
  auto hdr = CheckPackHeader(data);
  if (!hdr) return core::Propagate(hdr.error().WithContext(path));
  uint64_t pos = kPackHeaderSize;
  result.valid_end = pos;
  while (pos < data.size()) {
    if (data.size() - pos < kRecordHeaderSize) {
      result.problems.push_back("torn record header at offset " + std::to_string(pos));
      break;
    }
    auto header = DecodeRecordHeader(data.substr(pos, kRecordHeaderSize));
    if (!header) {
      uint64_t next = Resync(data, pos + 1);
      result.problems.push_back("damaged record header at offset " + std::to_string(pos) + " (" +
                                header.error().message() + "), skipped " +
                                std::to_string(next - pos) + " bytes");
      result.skipped_bytes += next - pos;
      pos = next;
      continue;
    }
    if (header->frame_len > data.size() - pos - kRecordHeaderSize) {
      result.problems.push_back("record at offset " + std::to_string(pos) +
                                " runs past the end of the pack (torn tail)");
      break;
    }
    ScannedRecord rec{pos, *header, data.substr(pos + kRecordHeaderSize, header->frame_len)};
    TALARIA_RETURN_IF_ERROR(fn(rec));
    pos += header->record_len();
    result.valid_end = pos;
    result.records++;
  }
  return result;
}

}  // namespace talaria::store
