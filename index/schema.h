#pragma once

// The names of the index's tables and the schema version this build
// writes (docs/FORMAT.md §5). A store whose index has a newer schema is refused;
// an older one is refused with advice to run `talaria-store index rebuild`,
// which recreates every table from packs and manifests.

#include <cstdint>

namespace talaria::index {

inline constexpr uint32_t kSchemaVersion = 3;

inline constexpr char kObjectsTable[] = "objects";      // object id (32 bytes) -> ObjectEntry
inline constexpr char kPacksTable[] = "packs";          // pack number (8, big-endian) -> PackEntry
inline constexpr char kMetaTable[] = "meta";            // name -> value
inline constexpr char kDatabasesTable[] = "databases";  // name \0 version -> DatabaseVersion
inline constexpr char kChunksTable[] = "chunks";        // chunk id -> ChunkMeta
inline constexpr char kTaxonChunksTable[] = "taxon_chunks";  // taxid -> chunk ids (dupsort)
inline constexpr char kTaxonomyTable[] = "taxonomy";         // taxid -> parent, rank, name
inline constexpr char kTaxonomyChildrenTable[] =
    "taxonomy_children";                                  // taxid -> children (dupsort)
inline constexpr char kStateTable[] = "state";            // operation -> progress (JSON)
inline constexpr char kReductionsTable[] = "reductions";  // profile -> ReductionEntry
inline constexpr char kChildDeltasTable[] =
    "child_deltas";  // profile \0 child id -> delta chunk ids (dupsort)
inline constexpr char kReferenceDeltasTable[] =
    "reference_deltas";  // profile \0 reference id -> delta chunk ids (dupsort)

inline constexpr char kMetaSchemaVersion[] = "schema_version";
// Grows by one with every taxonomy load (readers key cached subtrees by it).
inline constexpr char kMetaTaxonomyGeneration[] = "taxonomy_generation";

}  // namespace talaria::index
