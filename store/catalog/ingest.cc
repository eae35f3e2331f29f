#include "store/catalog/ingest.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "index/index.h"
#include "store/catalog/catalog_snapshot.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest_job.h"
#include "store/catalog/manifest.h"
#include "store/catalog/manifest_writer.h"
#include "store/catalog/taxmap.h"
#include "store/core/file_io.h"
#include "store/object/pack_usage.h"
#include "store/pack/object_kind.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

// Stores the catalogue snapshot with this version added (when it is new),
// then in one transaction registers the version and its chunks and completes
// `state`. Sets result->already_present when the same version with the same
// manifest is there already; kInvalidArgument when it is there with other
// content.
Status Publish(WritableStore& store, const IngestOptions& options, const ObjectId& manifest_id,
               const DatabaseManifest& manifest, const IngestState& state, IngestResult* result) {
  uint64_t now = options.now_unix_s;
  if (now == 0) {
    now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  }
  const index::DatabaseTable& dbs = store.index().databases();
  // The catalogue after this version joins it, stored first as an object.
  std::vector<index::DatabaseVersion> versions;
  index::DatabaseVersion added;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(versions, dbs.List(txn));
    TALARIA_ASSIGN_OR_RETURN(uint64_t seq, dbs.NextSequence(txn));
    added = index::DatabaseVersion{options.database, options.version, manifest_id, now, seq};
  }
  bool present = false;
  for (const auto& v : versions) present |= v.name == added.name && v.version == added.version;
  std::optional<std::pair<ObjectId, uint64_t>> snapshot;
  if (!present) {
    versions.push_back(added);
    TALARIA_ASSIGN_OR_RETURN(snapshot, PutCatalogSnapshot(store, versions));
  }
  return store.index().Update([&](index::WriteTxn& txn) -> Status {
    TALARIA_RETURN_IF_ERROR(state.Complete(txn));
    TALARIA_ASSIGN_OR_RETURN(auto existing, dbs.Get(txn, options.database, options.version));
    if (existing) {
      if (existing->manifest == manifest_id) {
        result->already_present = true;
        return core::OkStatus();
      }
      return core::InvalidArgument("database '" + options.database + "' already has a version '" +
                                   options.version +
                                   "' with other content; versions are immutable "
                                   "(remove it first with talaria-store db rm)");
    }
    if (!snapshot) return core::Corruption("catalogue changed during the ingest");
    TALARIA_RETURN_IF_ERROR(dbs.Put(txn, added));
    TALARIA_RETURN_IF_ERROR(RecordCatalogSnapshot(store, txn, snapshot->first, snapshot->second));
    return RegisterChunks(store, txn, manifest);
  });
}

}  // namespace

Result<IngestResult> IngestDatabase(WritableStore& store, const IngestOptions& options) {
  TALARIA_RETURN_IF_ERROR(ValidateDatabaseName(options.database));
  TALARIA_RETURN_IF_ERROR(ValidateVersionName(options.version));
  if (options.files.empty()) return core::InvalidArgument("no input files");
  if (options.chunking.min_chunk_bytes == 0 ||
      options.chunking.min_chunk_bytes > options.chunking.max_chunk_bytes) {
    return core::InvalidArgument("chunk sizes must satisfy 0 < min <= max");
  }
  IngestResult result;
  std::optional<DatabaseManifest> previous;
  {
    auto current = ResolveDatabase(store, options.database);
    if (current && current->version != options.version) {
      TALARIA_ASSIGN_OR_RETURN(previous, LoadManifest(store, current->manifest));
      result.previous_version = current->version;
    } else if (!current && current.error().code() != core::Code::kNotFound) {
      return core::Propagate(current.error());
    }
  }
  // This process holds the writer lock, so whatever is in the scratch
  // directory was left by a writer that died (a spill file, a taxmap).
  TALARIA_RETURN_IF_ERROR(core::RemoveTree(store.paths().tmp_dir()));
  std::unique_ptr<TaxMap> taxmap;
  if (!options.taxmap_files.empty()) {
    const std::string scratch = store.paths().taxmap_scratch(static_cast<uint64_t>(::getpid()));
    TALARIA_ASSIGN_OR_RETURN(
        taxmap, TaxMap::Build(options.taxmap_files, scratch,
                              [](uint64_t rows) { spdlog::info("taxmap: {} rows read", rows); }));
    result.taxmap_rows = taxmap->rows();
  }
  TALARIA_ASSIGN_OR_RETURN(PackUsage before, ComputePackUsage(store));
  IngestState state(store, options);
  TALARIA_ASSIGN_OR_RETURN(auto resumable, state.Start());
  if (resumable) {
    result.resumed = true;
    result.resumed_chunks = *resumable;
    spdlog::info("resuming an interrupted ingest of {}/{} ({} chunks already stored)",
                 options.database, options.version, *resumable);
  }
  TALARIA_ASSIGN_OR_RETURN(WritableStore::WriteMark mark, store.Mark());
  DatabaseManifest manifest;
  manifest.database = options.database;
  manifest.version = options.version;
  manifest.chunking = options.chunking;
  IngestJob job(store, options, previous ? &*previous : nullptr, taxmap.get(), &state);
  Status st = job.Run(&result, &manifest);
  if (st) {
    std::optional<ObjectId> previous_root;
    if (previous && options.delta_against_previous) {
      auto prev = ResolveDatabase(store, options.database);
      if (prev) previous_root = prev->manifest;
    }
    auto id = PutManifest(store, &manifest,
                          previous && options.delta_against_previous ? &*previous : nullptr,
                          previous_root);
    st = id ? Publish(store, options, *id, manifest, state, &result)
            : Status(core::Propagate(id.error()));
    if (id) result.manifest = *id;
  }
  if (!st) {
    Status rb = store.RollBack(mark);
    if (!rb) spdlog::error("could not roll back the failed ingest: {}", rb.error().ToString());
    state.Abandon().IgnoreError();  // nothing of it is kept, so nothing to resume
    return core::Propagate(st.error());
  }
  TALARIA_ASSIGN_OR_RETURN(PackUsage after, ComputePackUsage(store));
  result.stored_bytes_added = after.bytes - std::min(after.bytes, before.bytes);
  return result;
}

}  // namespace talaria::store
