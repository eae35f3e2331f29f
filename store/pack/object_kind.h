#pragma once

// What an object is (docs/FORMAT.md §4.1). Stored in every pack record and index entry.

#include <cstdint>
#include <optional>
#include <string_view>

namespace talaria::store {

enum class ObjectKind : uint8_t {
  kBlob = 0,        // anything put by hand
  kChunk = 1,       // FASTA text of complete records
  kDeltaChunk = 2,  // sequence deltas of child records against a reference chunk
  kManifest = 3,    // a database version or reduction profile
  kFastaIndex = 4,  // the .fai facts of a chunk's records (store/fasta/fasta_index.h)
  kDictionary = 5,  // a zstd dictionary other objects' frames use (zstd_dictionary.h)
};

inline constexpr uint8_t kMaxObjectKind = 5;

std::string_view ObjectKindName(ObjectKind kind);
std::optional<ObjectKind> ParseObjectKind(std::string_view name);

}  // namespace talaria::store
