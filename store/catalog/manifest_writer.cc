#include "store/catalog/manifest_writer.h"

#include <string>

#include "store/catalog/manifest_pages.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;

namespace {

// Stores `pages` as manifest objects, page i against bases[i] when there is one.
Result<std::vector<ObjectId>> PutPages(WritableStore& store, const std::vector<std::string>& pages,
                                       const std::vector<ObjectId>& bases) {
  std::vector<PutRequest> requests;
  requests.reserve(pages.size());
  for (size_t i = 0; i < pages.size(); ++i) {
    PutOptions o;
    o.kind = ObjectKind::kManifest;
    if (i < bases.size()) o.base = bases[i];
    requests.push_back(PutRequest{pages[i], o});
  }
  if (requests.empty()) return std::vector<ObjectId>{};
  return store.PutBatch(requests);
}

}  // namespace

Result<std::vector<LayoutPageRef>> PutLayoutPages(WritableStore& store,
                                                  const std::vector<LayoutRun>& runs,
                                                  const std::vector<LayoutPageRef>& previous) {
  const std::vector<size_t> ends = CutLayoutPages(runs);
  std::vector<LayoutPage> pages = SplitLayout(runs, ends);
  std::vector<std::string> encoded;
  for (const LayoutPage& p : pages) encoded.push_back(EncodeLayoutPage(p));
  std::vector<ObjectId> bases;
  for (const LayoutPageRef& p : previous) bases.push_back(p.id);
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectId> ids, PutPages(store, encoded, bases));
  std::vector<LayoutPageRef> refs;
  for (size_t i = 0; i < pages.size(); ++i) {
    uint64_t bytes = 0;
    for (const LayoutRun& r : pages[i].runs) bytes += r.length;
    refs.push_back({ids[i], pages[i].runs.size(), bytes});
  }
  return refs;
}

Result<ObjectId> PutManifest(WritableStore& store, DatabaseManifest* m,
                             const DatabaseManifest* previous,
                             const std::optional<ObjectId>& previous_root) {
  const std::vector<size_t> chunk_ends = CutChunkPages(m->chunks);
  std::vector<std::string> encoded;
  for (size_t p = 0, begin = 0; p < chunk_ends.size(); begin = chunk_ends[p++])
    encoded.push_back(EncodeChunkPage(m->chunks, begin, chunk_ends[p]));
  std::vector<ObjectId> bases;
  if (previous) {
    for (const ChunkPageRef& p : previous->chunk_pages) bases.push_back(p.id);
  }
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectId> ids, PutPages(store, encoded, bases));
  m->chunk_pages.clear();
  for (size_t p = 0, begin = 0; p < chunk_ends.size(); begin = chunk_ends[p++])
    m->chunk_pages.push_back({ids[p], static_cast<uint32_t>(chunk_ends[p] - begin)});

  const std::vector<TaxonEntry> directory = BuildTaxonDirectory(m->chunks, chunk_ends);
  const std::vector<size_t> taxon_ends = CutTaxonPages(directory);
  encoded.clear();
  for (size_t p = 0, begin = 0; p < taxon_ends.size(); begin = taxon_ends[p++])
    encoded.push_back(EncodeTaxonPage(directory, begin, taxon_ends[p]));
  bases.clear();
  if (previous) {
    for (const TaxonPageRef& p : previous->taxon_pages) bases.push_back(p.id);
  }
  TALARIA_ASSIGN_OR_RETURN(ids, PutPages(store, encoded, bases));
  m->taxon_pages.clear();
  for (size_t p = 0, begin = 0; p < taxon_ends.size(); begin = taxon_ends[p++]) {
    m->taxon_pages.push_back(
        {ids[p], directory[begin].taxon, static_cast<uint32_t>(taxon_ends[p] - begin)});
  }
  m->format = 3;
  PutOptions o;
  o.kind = ObjectKind::kManifest;
  o.base = previous_root;
  return store.Put(EncodeManifest(*m), o);
}

}  // namespace talaria::store
