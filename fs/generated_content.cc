#include "fs/generated_content.h"

#include <algorithm>

namespace talaria::fs {

GeneratedContent::GeneratedContent(std::vector<uint64_t> sizes, Generator generate)
    : generate_(std::move(generate)) {
  offsets_.reserve(sizes.size() + 1);
  uint64_t at = 0;
  for (uint64_t s : sizes) {
    offsets_.push_back(at);
    at += s;
  }
  offsets_.push_back(at);
}

core::Result<std::shared_ptr<const std::string>> GeneratedContent::Piece(size_t i) const {
  {
    core::MutexLock lock(&mu_);
    for (const auto& [index, bytes] : kept_) {
      if (index == i) return bytes;
    }
  }
  TALARIA_ASSIGN_OR_RETURN(std::string bytes, generate_(i));
  const uint64_t expected = offsets_[i + 1] - offsets_[i];
  if (bytes.size() != expected) {
    return core::Corruption("generated piece " + std::to_string(i) + " is " +
                            std::to_string(bytes.size()) + " bytes, expected " +
                            std::to_string(expected));
  }
  auto shared = std::make_shared<const std::string>(std::move(bytes));
  core::MutexLock lock(&mu_);
  kept_.emplace_back(i, shared);
  if (kept_.size() > kKept) kept_.erase(kept_.begin());
  return shared;
}

core::Status GeneratedContent::Read(uint64_t offset, uint64_t length, std::string* out) const {
  const uint64_t end = std::min(size(), offset + length);
  while (offset < end) {
    // The last piece starting at or before offset (skipping empty pieces).
    const size_t i = static_cast<size_t>(
        std::upper_bound(offsets_.begin(), offsets_.end() - 1, offset) - offsets_.begin() - 1);
    TALARIA_ASSIGN_OR_RETURN(auto piece, Piece(i));
    const uint64_t within = offset - offsets_[i];
    const uint64_t take = std::min(end, offsets_[i + 1]) - offset;
    out->append(*piece, within, take);
    offset += take;
  }
  return core::OkStatus();
}

uint64_t GeneratedContent::footprint() const {
  uint64_t bytes = sizeof(*this) + offsets_.capacity() * sizeof(uint64_t);
  core::MutexLock lock(&mu_);
  for (const auto& [index, piece] : kept_) bytes += piece->capacity();
  return bytes;
}

}  // namespace talaria::fs
