#pragma once

// The names of the index's tables and the schema version this build
// writes (DESIGN §5). A store whose index has a newer schema is refused;
// an older one is upgraded on open (none exist yet).

#include <cstdint>

namespace talaria::index {

inline constexpr uint32_t kSchemaVersion = 1;

inline constexpr char kObjectsTable[] = "objects";  // object id (32 bytes) -> ObjectEntry
inline constexpr char kPacksTable[] = "packs";      // pack number (8, big-endian) -> PackEntry
inline constexpr char kMetaTable[] = "meta";        // name -> value

inline constexpr char kMetaSchemaVersion[] = "schema_version";

}  // namespace talaria::index
