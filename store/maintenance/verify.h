#pragma once

// Re-reads and re-hashes every object of a store, in parallel, and reports
// each damaged object with what is wrong with it (docs/ARCHITECTURE.md "Maintenance"). Verification
// only reads: it never changes the store.
//
// Thread-safe (as the ObjectStore it reads).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/core/object_id.h"
#include "store/object/object_store.h"

namespace talaria::store {

enum class VerifyErrorKind {
  kHashMismatch,      // rebuilt bytes do not hash to the object's id
  kReadError,         // the OS failed to read the pack
  kCorruptedData,     // payload checksum, codec data or delta base is bad
  kMissingData,       // the pack is missing or ends before the object
  kInvalidFormat,     // the record header is damaged or names another object
  kSizeMismatch,      // rebuilt size differs from the recorded size
  kMissingReference,  // a manifest or a delta names an object the store does not have
};

std::string_view VerifyErrorKindName(VerifyErrorKind kind);

struct VerificationError {
  core::ObjectId id;
  VerifyErrorKind kind;
  uint64_t pack = 0;
  uint64_t offset = 0;
  std::string detail;
};

struct VerifyOptions {
  unsigned threads = 1;
  // Called now and then from worker threads (never concurrently) with the
  // objects and raw bytes checked so far.
  std::function<void(uint64_t done, uint64_t total, uint64_t bytes)> progress;
  // Fraction of objects re-read and re-hashed, chosen by id (the same
  // objects every time for the same fraction); references are always all
  // checked. 1 = every object.
  double sample = 1.0;
};

struct VerifyReport {
  uint64_t objects_total = 0;       // objects in the index
  uint64_t objects_checked = 0;     // of them re-read (all unless sampled)
  uint64_t references_checked = 0;  // manifest references and delta bases
  uint64_t raw_bytes_checked = 0;
  std::vector<VerificationError> errors;   // sorted by pack, offset
  std::vector<std::string> pack_problems;  // store-level findings (missing packs, orphans)
  bool ok() const { return errors.empty() && pack_problems.empty(); }
};

// Re-reads the (sampled) objects and checks that every registered database
// version's manifest, layouts, chunks and record indexes, and every delta's
// base, are in the store (kMissingReference names the missing id and who
// refers to it).
core::Result<VerifyReport> VerifyStore(ObjectStore& store, const VerifyOptions& options);

}  // namespace talaria::store
