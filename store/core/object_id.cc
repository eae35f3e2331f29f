#include "store/core/object_id.h"

#include <cstdlib>

#include <openssl/evp.h>

#include "store/core/hex.h"

namespace talaria::core {

void Sha256Hasher::CtxFree::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) std::abort();
}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::string_view data) {
  EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
}

ObjectId Sha256Hasher::Finish() {
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_.get(), digest, &len);
  EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  return ObjectId::FromBytes(digest);
}

ObjectId ObjectId::Hash(std::string_view data) {
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) std::abort();
  return FromBytes(digest);
}

Result<ObjectId> ObjectId::Parse(std::string_view hex) {
  ObjectId id;
  Status st = FromHex(hex, id.bytes_);
  if (!st) return Propagate(st.error().WithContext("bad object id"));
  return id;
}

std::string ObjectId::Hex() const { return ToHex(bytes_); }

bool ObjectId::IsZero() const {
  for (uint8_t b : bytes_)
    if (b) return false;
  return true;
}

}  // namespace talaria::core
