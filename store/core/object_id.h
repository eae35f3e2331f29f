#pragma once

// ObjectId: the SHA-256 of an object's raw (uncompressed, reconstructed)
// bytes. Hex is the canonical spelling. A value type; thread-compatible.

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/core/status.h"

struct evp_md_ctx_st;

namespace talaria::core {

class ObjectId {
 public:
  static constexpr size_t kSize = 32;
  static constexpr size_t kHexSize = 64;

  // The all-zero id; used as "no object" (e.g. no delta base).
  ObjectId() : bytes_{} {}

  static ObjectId FromBytes(const uint8_t* raw32) {
    ObjectId id;
    std::memcpy(id.bytes_.data(), raw32, kSize);
    return id;
  }
  // SHA-256 of `data`.
  static ObjectId Hash(std::string_view data);
  // kInvalidArgument unless `hex` is exactly 64 hex digits.
  static Result<ObjectId> Parse(std::string_view hex);

  std::string Hex() const;
  bool IsZero() const;
  const uint8_t* data() const { return bytes_.data(); }
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes_.data()), kSize}; }

  auto operator<=>(const ObjectId&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_;
};

// Incremental SHA-256 (OpenSSL EVP) for data that arrives in pieces.
// Single-thread.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

  void Update(std::string_view data);
  // The digest of everything passed to Update; the hasher is then reset.
  ObjectId Finish();

 private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, CtxFree> ctx_;
};

}  // namespace talaria::core

template <>
struct std::hash<talaria::core::ObjectId> {
  size_t operator()(const talaria::core::ObjectId& id) const noexcept {
    size_t h;
    std::memcpy(&h, id.data(), sizeof h);  // SHA-256 bytes are uniformly spread
    return h;
  }
};
