#include "store/pack/object_kind.h"

namespace talaria::store {

std::string_view ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kBlob:
      return "blob";
    case ObjectKind::kChunk:
      return "chunk";
    case ObjectKind::kDeltaChunk:
      return "delta_chunk";
    case ObjectKind::kManifest:
      return "manifest";
    case ObjectKind::kFastaIndex:
      return "fasta_index";
    case ObjectKind::kDictionary:
      return "dictionary";
  }
  return "unknown";
}

std::optional<ObjectKind> ParseObjectKind(std::string_view name) {
  for (uint8_t k = 0; k <= kMaxObjectKind; ++k) {
    if (ObjectKindName(static_cast<ObjectKind>(k)) == name) return static_cast<ObjectKind>(k);
  }
  return std::nullopt;
}

}  // namespace talaria::store
