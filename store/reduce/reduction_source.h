#pragma once

// The records of a database version as a reduction reads them, a window of
// chunks at a time: each record's text, taxon, group and chunk, with the
// chunk bytes the texts point into. Internal to store/reduce.
//
// Thread-compatible (values; LoadSource as thread-safe as the ObjectStore).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/catalog/manifest.h"
#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/fasta/taxon_parser.h"
#include "store/object/object_store.h"
#include "store/reduce/delta_record.h"

namespace talaria::store {

// One record of (a window of) the source version.
struct SourceRecord {
  std::string_view text;  // into a chunk held by `chunks`
  TaxonId taxon = 0;
  uint64_t group = 0;    // only records of one group are paired
  core::ObjectId chunk;  // the source chunk it is in
  RecordParts parts;
};

// A window's records, and the chunks their texts point into.
struct Source {
  std::vector<std::shared_ptr<const std::string>> chunks;  // keeps the texts alive
  std::vector<SourceRecord> records;
};

// The records of the chunks `which` of a version, each with the taxon whose
// stream holds it (its primary piece) and that taxon's group in
// `group_of` (0 for a taxon not there, or without `group_of`). Fails as
// ObjectStore::Get does for a missing or damaged chunk.
core::Result<Source> LoadSource(ObjectStore& store, const DatabaseManifest& m,
                                std::span<const size_t> which,
                                const std::map<TaxonId, uint64_t>* group_of = nullptr);

}  // namespace talaria::store
