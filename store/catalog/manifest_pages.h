#pragma once

// The pages of a format 3 database manifest (docs/FORMAT.md §4.6): binary
// objects holding the chunk rows, the taxon directory and each source's
// layout, a few tens of KB each, so that a reader of one taxon or one range
// decodes only the pages it needs, and a release that changes a few records
// changes a few pages (pages are cut by content, so an edit does not shift
// the pages after it; unchanged pages are the same objects).
//
// Thread-safe (value types and pure functions).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/catalog/manifest.h"
#include "store/core/status.h"

namespace talaria::store {

// One taxon of the directory: the bytes of its by-taxon file (its primary
// and secondary pieces) and the chunk pages holding them (ascending page
// indexes into DatabaseManifest::chunk_pages).
struct TaxonEntry {
  TaxonId taxon = 0;
  uint64_t bytes = 0;
  std::vector<uint32_t> pages;
  bool operator==(const TaxonEntry&) const = default;
};

// Where a taxon's stream stands at the start of a layout page: the bytes of
// it that earlier pages have used.
struct LayoutStart {
  TaxonId taxon = 0;
  uint64_t offset = 0;
  bool operator==(const LayoutStart&) const = default;
};

// A page of a source's layout: its runs, and the start of every stream they
// read (ascending by taxon), so that the page can be mapped to chunk ranges
// without reading the pages before it.
struct LayoutPage {
  std::vector<LayoutStart> starts;
  std::vector<LayoutRun> runs;
  bool operator==(const LayoutPage&) const = default;
};

// Rows [begin, end) of `rows`. Decoding checks what a row can check alone
// (source index below `sources`, pieces tiling the chunk); kCorruption
// otherwise.
std::string EncodeChunkPage(const std::vector<ManifestChunk>& rows, size_t begin, size_t end);
core::Result<std::vector<ManifestChunk>> DecodeChunkPage(std::string_view bytes, size_t sources);

// Entries ascending by taxon.
std::string EncodeTaxonPage(const std::vector<TaxonEntry>& entries, size_t begin, size_t end);
core::Result<std::vector<TaxonEntry>> DecodeTaxonPage(std::string_view bytes);

// Also decodes a format 1/2 layout object (its runs, no starts).
std::string EncodeLayoutPage(const LayoutPage& page);
core::Result<LayoutPage> DecodeLayoutPage(std::string_view bytes);

// Where pages end (exclusive indexes, the last one `rows.size()`), cut by
// content: after an item whose hash hits, at least `min` and at most `max`
// items per page. Empty input gives no pages.
std::vector<size_t> CutChunkPages(const std::vector<ManifestChunk>& rows);
std::vector<size_t> CutTaxonPages(const std::vector<TaxonEntry>& entries);
std::vector<size_t> CutLayoutPages(const std::vector<LayoutRun>& runs);

// The taxon directory of chunk rows cut into pages ending at `page_ends`.
std::vector<TaxonEntry> BuildTaxonDirectory(const std::vector<ManifestChunk>& rows,
                                            const std::vector<size_t>& page_ends);

// The starts of the layout pages of `runs` cut at `page_ends`.
std::vector<LayoutPage> SplitLayout(const std::vector<LayoutRun>& runs,
                                    const std::vector<size_t>& page_ends);

}  // namespace talaria::store
