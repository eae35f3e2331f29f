#pragma once

// The bytes of one virtual file: an immutable sequence whose exact size is
// known before any of it is read. Reads copy out of the store's verified
// objects, so a damaged object is an error (kCorruption), never wrong bytes.
//
// Thread-safe: implementations are immutable after construction.

#include <cstdint>
#include <memory>
#include <string>

#include "store/core/status.h"

namespace talaria::fs {

class Content {
 public:
  virtual ~Content() = default;
  virtual uint64_t size() const = 0;
  // Appends bytes [offset, offset + length) clipped to size() to `out`.
  virtual core::Status Read(uint64_t offset, uint64_t length, std::string* out) const = 0;
  // Bytes of memory this object holds (for bounding caches of contents).
  virtual uint64_t footprint() const = 0;
  // A hint that [offset, offset + length) will be read soon: contents backed
  // by stored objects start rebuilding them in the background.
  virtual void Prefetch(uint64_t /*offset*/, uint64_t /*length*/) const {}
};

// A file whose bytes are generated up front (manifest.json, .name, .fai).
class InlineContent final : public Content {
 public:
  explicit InlineContent(std::string bytes) : bytes_(std::move(bytes)) {}
  uint64_t size() const override { return bytes_.size(); }
  core::Status Read(uint64_t offset, uint64_t length, std::string* out) const override {
    if (offset < bytes_.size()) out->append(bytes_, offset, length);
    return core::OkStatus();
  }
  uint64_t footprint() const override { return bytes_.capacity() + sizeof(*this); }

 private:
  const std::string bytes_;
};

}  // namespace talaria::fs
