#pragma once

// Writing a format 3 database manifest (docs/FORMAT.md §4.6): its pages,
// then the root that names them. A page is stored as a byte delta of the
// previous version's page at the same position (row, taxon, byte of the
// file) when that is smaller, and an
// unchanged page is the previous version's object again, so an update pays
// for the pages its records touch.
//
// Thread-safe (as the WritableStore).

#include <optional>
#include <vector>

#include "store/catalog/manifest.h"
#include "store/object/writable_store.h"

namespace talaria::store {

// Stores a source's layout as pages; `previous` are the pages of the same
// source in the previous version (empty: none).
core::Result<std::vector<LayoutPageRef>> PutLayoutPages(WritableStore& store,
                                                        const std::vector<LayoutRun>& runs,
                                                        const std::vector<LayoutPageRef>& previous);

// Stores `m->chunks` as chunk pages and the taxon directory built from
// them, fills m->chunk_pages and m->taxon_pages, then stores the root
// (against `previous_root` when given) and returns its id. `previous` is
// the previous version's manifest (its pages are the delta bases), or null.
core::Result<core::ObjectId> PutManifest(WritableStore& store, DatabaseManifest* m,
                                         const DatabaseManifest* previous,
                                         const std::optional<core::ObjectId>& previous_root);

}  // namespace talaria::store
