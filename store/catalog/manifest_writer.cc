#include "store/catalog/manifest_writer.h"

#include <algorithm>
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

// Delta bases by position: page i, starting at starts[i] (a row, a byte of
// the file, a taxon), against the previous version's page holding that
// position (previous_starts ascending, one per previous page). Cuts move
// when rows are added or removed, so the page at the same index may hold
// other rows; the page at the same position holds mostly the same ones.
std::vector<ObjectId> BasesByPosition(const std::vector<uint64_t>& starts,
                                      const std::vector<uint64_t>& previous_starts,
                                      const std::vector<ObjectId>& previous_ids) {
  std::vector<ObjectId> bases;
  if (previous_ids.empty()) return bases;
  for (uint64_t start : starts) {
    auto it = std::upper_bound(previous_starts.begin(), previous_starts.end(), start);
    const size_t page = it == previous_starts.begin() ? 0 : it - previous_starts.begin() - 1;
    bases.push_back(previous_ids[page]);
  }
  return bases;
}

// Where each of the previous version's pages `refs` starts (the sum of
// `size` over the pages before it), and its id.
template <typename Ref, typename Size>
void PreviousPositions(const std::vector<Ref>& refs, Size size, std::vector<uint64_t>* starts,
                       std::vector<ObjectId>* ids) {
  starts->clear();
  ids->clear();
  for (uint64_t at = 0; const Ref& p : refs) {
    starts->push_back(at);
    ids->push_back(p.id);
    at += size(p);
  }
}

}  // namespace

Result<std::vector<LayoutPageRef>> PutLayoutPages(WritableStore& store,
                                                  const std::vector<LayoutRun>& runs,
                                                  const std::vector<LayoutPageRef>& previous) {
  const std::vector<size_t> ends = CutLayoutPages(runs);
  std::vector<LayoutPage> pages = SplitLayout(runs, ends);
  std::vector<std::string> encoded;
  for (const LayoutPage& p : pages) encoded.push_back(EncodeLayoutPage(p));
  std::vector<uint64_t> starts, previous_starts;  // bytes of the file before each page
  for (uint64_t at = 0; const LayoutPage& p : pages) {
    starts.push_back(at);
    for (const LayoutRun& r : p.runs) at += r.length;
  }
  std::vector<ObjectId> previous_ids;
  PreviousPositions(
      previous, [](const LayoutPageRef& p) { return p.bytes; }, &previous_starts, &previous_ids);
  TALARIA_ASSIGN_OR_RETURN(
      std::vector<ObjectId> ids,
      PutPages(store, encoded, BasesByPosition(starts, previous_starts, previous_ids)));
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
  std::vector<uint64_t> starts{0}, previous_starts;  // rows before each page
  for (size_t end : chunk_ends) starts.push_back(end);
  starts.pop_back();
  std::vector<ObjectId> previous_ids;
  if (previous) {
    PreviousPositions(
        previous->chunk_pages, [](const ChunkPageRef& p) { return p.chunks; }, &previous_starts,
        &previous_ids);
  }
  TALARIA_ASSIGN_OR_RETURN(
      std::vector<ObjectId> ids,
      PutPages(store, encoded, BasesByPosition(starts, previous_starts, previous_ids)));
  m->chunk_pages.clear();
  for (size_t p = 0, begin = 0; p < chunk_ends.size(); begin = chunk_ends[p++])
    m->chunk_pages.push_back({ids[p], static_cast<uint32_t>(chunk_ends[p] - begin)});

  const std::vector<TaxonEntry> directory = BuildTaxonDirectory(m->chunks, chunk_ends);
  const std::vector<size_t> taxon_ends = CutTaxonPages(directory);
  encoded.clear();
  for (size_t p = 0, begin = 0; p < taxon_ends.size(); begin = taxon_ends[p++])
    encoded.push_back(EncodeTaxonPage(directory, begin, taxon_ends[p]));
  starts.clear();  // first taxon of each page
  for (size_t p = 0, begin = 0; p < taxon_ends.size(); begin = taxon_ends[p++])
    starts.push_back(directory[begin].taxon);
  previous_starts.clear();
  previous_ids.clear();
  if (previous) {
    for (const TaxonPageRef& p : previous->taxon_pages) {
      previous_starts.push_back(p.first);
      previous_ids.push_back(p.id);
    }
  }
  TALARIA_ASSIGN_OR_RETURN(
      ids, PutPages(store, encoded, BasesByPosition(starts, previous_starts, previous_ids)));
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
