#pragma once

// A stream of input bytes: a plain file, a gzip or zstd compressed file
// (recognised by their magic bytes, whatever the file is called), or
// standard input ("-", also possibly compressed). Single-thread.

#include <cstddef>
#include <memory>
#include <string>

#include "store/core/line_reader.h"
#include "store/core/status.h"

namespace talaria::store {

enum class SourceEncoding { kPlain, kGzip, kZstd };

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `n` bytes into `buf`; 0 at the end. kCorruption for a damaged
  // compressed stream (naming the file), kIoError for read failures.
  virtual core::Result<size_t> Read(char* buf, size_t n) = 0;
  virtual SourceEncoding encoding() const = 0;
  // Compressed (on-disk) bytes consumed so far, for progress.
  virtual uint64_t consumed_bytes() const = 0;
};

// Opens `path` ("-" = standard input) and detects its encoding.
core::Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path);

// Every line of `path`, plain or compressed (core::ForEachLine's rules).
core::Status ForEachLineOfSource(const std::string& path, const core::LineFn& fn);

}  // namespace talaria::store
