#include "fs/manifest_cache.h"

#include <algorithm>
#include <set>

#include "store/catalog/database_catalog.h"

namespace talaria::fs {

using core::Result;
using store::ChunkRange;
using store::ManifestChunk;
using store::TaxonId;

ManifestView::ManifestView(store::ObjectStore* store, ManifestPageCache* pages, core::ObjectId id,
                           store::DatabaseManifest root)
    : store_(store), pages_(pages), id_(id), root_(std::move(root)) {
  if (store::IsPaged(root_)) {
    uint64_t row = 0;
    for (const store::ChunkPageRef& p : root_.chunk_pages) {
      page_first_row_.push_back(row);
      row += p.chunks;
    }
  } else {
    taxon_ranges_ = store::TaxonRanges(root_);
  }
}

Result<std::shared_ptr<const std::vector<ManifestChunk>>> ManifestView::Chunks() const {
  if (!store::IsPaged(root_)) {
    // The root holds them: shared without a copy, valid while the view is.
    return std::shared_ptr<const std::vector<ManifestChunk>>(
        std::shared_ptr<const std::vector<ManifestChunk>>(), &root_.chunks);
  }
  {
    core::MutexLock lock(&mu_);
    if (all_chunks_) return all_chunks_;
  }
  auto all = std::make_shared<std::vector<ManifestChunk>>();
  for (uint32_t p = 0; p < root_.chunk_pages.size(); ++p) {
    TALARIA_ASSIGN_OR_RETURN(auto rows, ChunkPage(p));
    all->insert(all->end(), rows->begin(), rows->end());
  }
  core::MutexLock lock(&mu_);
  if (!all_chunks_) all_chunks_ = std::move(all);
  return all_chunks_;
}

Result<std::shared_ptr<const std::vector<ManifestChunk>>> ManifestView::ChunkPage(
    uint32_t page) const {
  const core::ObjectId& id = root_.chunk_pages.at(page).id;
  if (auto cached = pages_->chunk_pages.Lookup(id)) return cached;
  TALARIA_ASSIGN_OR_RETURN(std::vector<ManifestChunk> rows,
                           store::LoadChunkPage(*store_, root_, page));
  pages_->pages_read.fetch_add(1, std::memory_order_relaxed);
  auto shared = std::make_shared<const std::vector<ManifestChunk>>(std::move(rows));
  pages_->chunk_pages.Insert(id, shared, 1);
  return shared;
}

Result<std::optional<store::TaxonEntry>> ManifestView::Entry(TaxonId taxon) const {
  const auto& refs = root_.taxon_pages;
  // The last page whose first taxon is at or below `taxon`.
  auto it = std::upper_bound(refs.begin(), refs.end(), taxon,
                             [](TaxonId t, const store::TaxonPageRef& p) { return t < p.first; });
  if (it == refs.begin()) return std::optional<store::TaxonEntry>();
  const size_t page = static_cast<size_t>(it - refs.begin()) - 1;
  auto entries = pages_->taxon_pages.Lookup(refs[page].id);
  if (!entries) {
    TALARIA_ASSIGN_OR_RETURN(std::vector<store::TaxonEntry> decoded,
                             store::LoadTaxonPage(*store_, root_, page));
    pages_->pages_read.fetch_add(1, std::memory_order_relaxed);
    entries = std::make_shared<const std::vector<store::TaxonEntry>>(std::move(decoded));
    pages_->taxon_pages.Insert(refs[page].id, entries, 1);
  }
  auto e = std::lower_bound(entries->begin(), entries->end(), taxon,
                            [](const store::TaxonEntry& x, TaxonId t) { return x.taxon < t; });
  if (e == entries->end() || e->taxon != taxon) return std::optional<store::TaxonEntry>();
  return std::optional<store::TaxonEntry>(*e);
}

Result<std::optional<uint64_t>> ManifestView::TaxonBytes(TaxonId taxon) const {
  if (!store::IsPaged(root_)) {
    auto it = taxon_ranges_.find(taxon);
    if (it == taxon_ranges_.end()) return std::optional<uint64_t>();
    uint64_t bytes = 0;
    for (const ChunkRange& r : it->second) bytes += r.length;
    return std::optional<uint64_t>(bytes);
  }
  TALARIA_ASSIGN_OR_RETURN(auto entry, Entry(taxon));
  if (!entry) return std::optional<uint64_t>();
  return std::optional<uint64_t>(entry->bytes);
}

Result<std::vector<TaxonId>> ManifestView::Taxa() const {
  std::vector<TaxonId> out;
  if (!store::IsPaged(root_)) {
    for (const auto& [taxon, ranges] : taxon_ranges_) out.push_back(taxon);
    return out;
  }
  // Read through, not kept: a listing of every taxon is rare and sequential.
  for (size_t p = 0; p < root_.taxon_pages.size(); ++p) {
    std::shared_ptr<const std::vector<store::TaxonEntry>> entries =
        pages_->taxon_pages.Lookup(root_.taxon_pages[p].id);
    if (!entries) {
      TALARIA_ASSIGN_OR_RETURN(std::vector<store::TaxonEntry> decoded,
                               store::LoadTaxonPage(*store_, root_, p));
      pages_->pages_read.fetch_add(1, std::memory_order_relaxed);
      entries = std::make_shared<const std::vector<store::TaxonEntry>>(std::move(decoded));
    }
    for (const store::TaxonEntry& e : *entries) out.push_back(e.taxon);
  }
  return out;
}

namespace {

// Appends `r`, merged into the last range when it continues it.
void Append(std::vector<ChunkRange>* out, const ChunkRange& r) {
  if (!out->empty() && out->back().chunk == r.chunk &&
      out->back().offset + out->back().length == r.offset) {
    out->back().length += r.length;
    return;
  }
  out->push_back(r);
}

}  // namespace

Result<TaxonFile> ManifestView::FileOf(const std::vector<TaxonId>& taxa) const {
  // Ranges of manifest rows (ChunkRange::chunk a row index), then the objects.
  std::vector<ChunkRange> ranges;
  std::vector<std::shared_ptr<const std::vector<ManifestChunk>>> held;
  std::map<uint32_t, const ManifestChunk*> row;  // row index -> row, for the rows used
  if (!store::IsPaged(root_)) {
    for (TaxonId t : taxa) {
      auto it = taxon_ranges_.find(t);
      if (it == taxon_ranges_.end()) continue;
      ranges.insert(ranges.end(), it->second.begin(), it->second.end());
    }
    for (const ChunkRange& r : ranges) row[r.chunk] = &root_.chunks[r.chunk];
  } else {
    const std::set<TaxonId> wanted(taxa.begin(), taxa.end());
    std::set<uint32_t> pages;
    uint64_t expected = 0;  // for one taxon: what the directory says its file holds
    for (TaxonId t : wanted) {
      TALARIA_ASSIGN_OR_RETURN(auto entry, Entry(t));
      if (!entry) continue;
      expected += entry->bytes;
      pages.insert(entry->pages.begin(), entry->pages.end());
    }
    for (uint32_t p : pages) {
      TALARIA_ASSIGN_OR_RETURN(auto rows, ChunkPage(p));
      held.push_back(rows);
      for (size_t i = 0; i < rows->size(); ++i) {
        const ManifestChunk& c = (*rows)[i];
        const auto index = static_cast<uint32_t>(page_first_row_[p] + i);
        for (const store::TaxonPiece& piece : store::PiecesOf(c)) {
          if (!wanted.count(piece.taxon)) continue;
          Append(&ranges, {index, piece.offset, piece.length});
          row[index] = &c;
        }
      }
    }
    uint64_t found = 0;
    for (const ChunkRange& r : ranges) found += r.length;
    if (wanted.size() == 1 && found != expected) {
      return core::Corruption("manifest " + id_.Hex() + ": taxon " +
                              std::to_string(*wanted.begin()) + " has " + std::to_string(found) +
                              " bytes in its chunk pages, its directory says " +
                              std::to_string(expected));
    }
  }
  if (taxa.size() > 1) ranges = store::UnionOfRanges(std::move(ranges));
  TaxonFile file;
  std::map<uint32_t, uint32_t> object_of;
  for (ChunkRange& r : ranges) {
    auto [it, added] = object_of.emplace(r.chunk, static_cast<uint32_t>(file.objects.size()));
    if (added) {
      const ManifestChunk& c = *row.at(r.chunk);
      file.objects.push_back({c.id, c.bytes, c.fai});
    }
    r.chunk = it->second;
  }
  file.ranges = std::move(ranges);
  return file;
}

Result<std::shared_ptr<const ManifestView>> ManifestCache::Get(const core::ObjectId& id) {
  if (auto cached = lru_.Lookup(id)) return cached;
  // Decoded outside the lock; two threads may both decode, which is harmless.
  TALARIA_ASSIGN_OR_RETURN(store::DatabaseManifest root, store::LoadManifestRoot(*store_, id));
  std::shared_ptr<const ManifestView> view =
      std::make_shared<const ManifestView>(store_, &pages_, id, std::move(root));
  lru_.Insert(id, view, 1);
  return view;
}

}  // namespace talaria::fs
