#include "store/catalog/manifest_pages.h"

#include <algorithm>
#include <map>

#include "store/core/coding.h"

namespace talaria::store {

using core::GetVarint;
using core::PutVarint;
using core::Result;

namespace {

constexpr std::string_view kChunkPageMagic = "TMCP1";
constexpr std::string_view kTaxonPageMagic = "TMTX1";
constexpr std::string_view kLayoutPageMagic = "TLYP1";
constexpr std::string_view kLayoutV2Magic = "TLAY2";  // formats 1 and 2: one whole layout

// Cut rules (docs/FORMAT.md §4.6): about 600 chunk rows, 2,300 taxa or
// 17,000 runs per page, a few tens of KB each.
constexpr size_t kChunkPageMin = 64, kChunkPageMax = 4096;
constexpr uint64_t kChunkPageDivisor = 512;
constexpr size_t kTaxonPageMin = 256, kTaxonPageMax = 16384;
constexpr uint64_t kTaxonPageDivisor = 2048;
constexpr size_t kLayoutPageMin = 1024, kLayoutPageMax = 65536;
constexpr uint64_t kLayoutPageDivisor = 16384;

constexpr uint8_t kHasFai = 1, kHasPieces = 2;

// A bounds-checked reader of a page; the first failure sticks.
class PageReader {
 public:
  PageReader(std::string_view in, std::string_view what) : in_(in), what_(what) {}

  uint64_t Varint() {
    uint64_t v = 0;
    if (ok_ && !GetVarint(&in_, &v)) ok_ = false;
    return ok_ ? v : 0;
  }
  uint32_t Varint32() {
    uint64_t v = Varint();
    if (v > UINT32_MAX) ok_ = false;
    return ok_ ? static_cast<uint32_t>(v) : 0;
  }
  // A count of items of at least one byte each: never more than what is left.
  uint64_t Count() {
    uint64_t n = Varint();
    if (n > in_.size()) ok_ = false;
    return ok_ ? n : 0;
  }
  core::ObjectId Id() {
    if (!ok_ || in_.size() < core::ObjectId::kSize) {
      ok_ = false;
      return {};
    }
    auto id = core::ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(in_.data()));
    in_.remove_prefix(core::ObjectId::kSize);
    return id;
  }
  uint8_t Byte() {
    if (!ok_ || in_.empty()) {
      ok_ = false;
      return 0;
    }
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }
  // The next of an ascending sequence: *value plus a delta (the first
  // absolute), strictly greater than *value after the first, at most `max`.
  uint64_t Ascending(uint64_t* value, bool first, uint64_t max = UINT32_MAX) {
    const uint64_t delta = Varint();
    if (!first && delta == 0) ok_ = false;
    *value += delta;
    if (*value > max) ok_ = false;
    return ok_ ? *value : 0;
  }
  bool ok() const { return ok_; }
  void Fail() { ok_ = false; }
  // kCorruption unless every read succeeded and nothing is left.
  core::Status Finish() const {
    if (!ok_) return core::Corruption(std::string(what_) + ": cut short or malformed");
    if (!in_.empty()) return core::Corruption(std::string(what_) + ": trailing bytes");
    return core::OkStatus();
  }

 private:
  std::string_view in_;
  std::string_view what_;
  bool ok_ = true;
};

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::vector<size_t> Cut(size_t n, size_t min, size_t max, uint64_t divisor,
                        const std::function<uint64_t(size_t)>& hash) {
  std::vector<size_t> ends;
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t len = i + 1 - start;
    if (len >= max || (len >= min && hash(i) % divisor == 0)) {
      ends.push_back(i + 1);
      start = i + 1;
    }
  }
  if (start < n) ends.push_back(n);
  return ends;
}

}  // namespace

std::string EncodeChunkPage(const std::vector<ManifestChunk>& rows, size_t begin, size_t end) {
  std::string out(kChunkPageMagic);
  PutVarint(&out, end - begin);
  for (size_t i = begin; i < end; ++i) {
    const ManifestChunk& c = rows[i];
    out.append(c.id.view());
    PutVarint(&out, c.source);
    PutVarint(&out, c.taxon);
    PutVarint(&out, c.records);
    PutVarint(&out, c.residues);
    PutVarint(&out, c.bytes);
    out.push_back(
        static_cast<char>((c.fai.IsZero() ? 0 : kHasFai) | (c.pieces.empty() ? 0 : kHasPieces)));
    if (!c.fai.IsZero()) out.append(c.fai.view());
    if (c.pieces.empty()) continue;
    PutVarint(&out, c.pieces.size());
    for (const TaxonPiece& p : c.pieces) {
      PutVarint(&out, p.taxon);
      PutVarint(&out, p.length);
      PutVarint(&out, p.records);
      PutVarint(&out, p.residues);
      // A primary piece's offset is implied (primaries tile the chunk), so
      // an edited record changes its own piece's numbers only.
      PutVarint(&out, p.primary ? 0 : p.offset + 1);
    }
  }
  return out;
}

Result<std::vector<ManifestChunk>> DecodeChunkPage(std::string_view bytes, size_t sources) {
  if (bytes.substr(0, kChunkPageMagic.size()) != kChunkPageMagic)
    return core::Corruption("not a manifest chunk page");
  PageReader in(bytes.substr(kChunkPageMagic.size()), "manifest chunk page");
  std::vector<ManifestChunk> rows(in.Count());
  for (ManifestChunk& c : rows) {
    c.id = in.Id();
    c.source = in.Varint32();
    c.taxon = in.Varint32();
    c.records = in.Varint();
    c.residues = in.Varint();
    c.bytes = in.Varint();
    const uint8_t flags = in.Byte();
    if (flags & ~(kHasFai | kHasPieces)) in.Fail();
    if (flags & kHasFai) c.fai = in.Id();
    if (!in.ok()) break;
    if (c.source >= sources)
      return core::Corruption("manifest chunk names source " + std::to_string(c.source));
    if (!(flags & kHasPieces)) {
      if (c.taxon == kSharedStream)
        return core::Corruption("manifest chunk " + c.id.Hex() + " is shared but has no pieces");
      continue;
    }
    c.pieces.resize(in.Count());
    uint64_t at = 0;  // where the next primary piece starts
    for (TaxonPiece& p : c.pieces) {
      p.taxon = in.Varint32();
      p.length = in.Varint();
      p.records = in.Varint();
      p.residues = in.Varint();
      const uint64_t offset = in.Varint();
      p.primary = offset == 0;
      p.offset = p.primary ? at : offset - 1;
      if (p.primary) at += p.length;
    }
    if (!in.ok()) break;
    TALARIA_RETURN_IF_ERROR(CheckPieces(c));
  }
  TALARIA_RETURN_IF_ERROR(in.Finish());
  return rows;
}

std::string EncodeTaxonPage(const std::vector<TaxonEntry>& entries, size_t begin, size_t end) {
  std::string out(kTaxonPageMagic);
  PutVarint(&out, end - begin);
  TaxonId previous = 0;
  for (size_t i = begin; i < end; ++i) {
    const TaxonEntry& e = entries[i];
    PutVarint(&out, e.taxon - previous);
    previous = e.taxon;
    PutVarint(&out, e.bytes);
    PutVarint(&out, e.pages.size());
    uint32_t page = 0;
    for (uint32_t p : e.pages) {
      PutVarint(&out, p - page);
      page = p;
    }
  }
  return out;
}

Result<std::vector<TaxonEntry>> DecodeTaxonPage(std::string_view bytes) {
  if (bytes.substr(0, kTaxonPageMagic.size()) != kTaxonPageMagic)
    return core::Corruption("not a manifest taxon page");
  PageReader in(bytes.substr(kTaxonPageMagic.size()), "manifest taxon page");
  std::vector<TaxonEntry> entries(in.Count());
  uint64_t taxon = 0;
  for (size_t i = 0; i < entries.size() && in.ok(); ++i) {
    TaxonEntry& e = entries[i];
    e.taxon = static_cast<TaxonId>(in.Ascending(&taxon, i == 0));
    e.bytes = in.Varint();
    e.pages.resize(in.Count());
    uint64_t page = 0;
    for (size_t k = 0; k < e.pages.size() && in.ok(); ++k)
      e.pages[k] = static_cast<uint32_t>(in.Ascending(&page, k == 0));
  }
  TALARIA_RETURN_IF_ERROR(in.Finish());
  return entries;
}

std::string EncodeLayoutPage(const LayoutPage& page) {
  std::string out(kLayoutPageMagic);
  PutVarint(&out, page.starts.size());
  TaxonId previous = 0;
  for (const LayoutStart& s : page.starts) {
    PutVarint(&out, s.taxon - previous);
    previous = s.taxon;
    PutVarint(&out, s.offset);
  }
  PutVarint(&out, page.runs.size());
  for (const LayoutRun& r : page.runs) {
    PutVarint(&out, r.taxon);
    PutVarint(&out, r.length);
  }
  return out;
}

Result<LayoutPage> DecodeLayoutPage(std::string_view bytes) {
  LayoutPage page;
  const bool v2 = bytes.substr(0, kLayoutV2Magic.size()) == kLayoutV2Magic;
  if (!v2 && bytes.substr(0, kLayoutPageMagic.size()) != kLayoutPageMagic)
    return core::Corruption("not a layout page");
  PageReader in(bytes.substr(kLayoutPageMagic.size()), "layout page");
  if (!v2) {
    page.starts.resize(in.Count());
    uint64_t taxon = 0;
    for (size_t i = 0; i < page.starts.size() && in.ok(); ++i) {
      const auto start_taxon = static_cast<TaxonId>(in.Ascending(&taxon, i == 0));
      page.starts[i] = {start_taxon, in.Varint()};
    }
  }
  page.runs.resize(in.Count());
  for (LayoutRun& r : page.runs) {
    r.taxon = in.Varint32();
    r.length = in.Varint();
  }
  TALARIA_RETURN_IF_ERROR(in.Finish());
  return page;
}

std::vector<size_t> CutChunkPages(const std::vector<ManifestChunk>& rows) {
  return Cut(rows.size(), kChunkPageMin, kChunkPageMax, kChunkPageDivisor, [&](size_t i) {
    return core::DecodeFixed64(reinterpret_cast<const char*>(rows[i].id.data()));
  });
}

std::vector<size_t> CutTaxonPages(const std::vector<TaxonEntry>& entries) {
  return Cut(entries.size(), kTaxonPageMin, kTaxonPageMax, kTaxonPageDivisor,
             [&](size_t i) { return Mix(entries[i].taxon); });
}

std::vector<size_t> CutLayoutPages(const std::vector<LayoutRun>& runs) {
  return Cut(runs.size(), kLayoutPageMin, kLayoutPageMax, kLayoutPageDivisor,
             [&](size_t i) { return Mix(uint64_t{runs[i].taxon} << 32 ^ Mix(runs[i].length)); });
}

std::vector<TaxonEntry> BuildTaxonDirectory(const std::vector<ManifestChunk>& rows,
                                            const std::vector<size_t>& page_ends) {
  std::map<TaxonId, TaxonEntry> taxa;
  size_t row = 0;
  for (uint32_t page = 0; page < page_ends.size(); ++page) {
    for (; row < page_ends[page]; ++row) {
      for (const TaxonPiece& p : PiecesOf(rows[row])) {
        TaxonEntry& e = taxa[p.taxon];
        e.taxon = p.taxon;
        e.bytes += p.length;
        if (e.pages.empty() || e.pages.back() != page) e.pages.push_back(page);
      }
    }
  }
  std::vector<TaxonEntry> out;
  out.reserve(taxa.size());
  for (auto& [taxon, e] : taxa) out.push_back(std::move(e));
  return out;
}

std::vector<LayoutPage> SplitLayout(const std::vector<LayoutRun>& runs,
                                    const std::vector<size_t>& page_ends) {
  std::vector<LayoutPage> pages;
  std::map<TaxonId, uint64_t> used;  // bytes of each stream read so far
  size_t run = 0;
  for (size_t end : page_ends) {
    LayoutPage page;
    std::map<TaxonId, uint64_t> starts;
    for (; run < end; ++run) {
      starts.emplace(runs[run].taxon, used[runs[run].taxon]);
      used[runs[run].taxon] += runs[run].length;
      page.runs.push_back(runs[run]);
    }
    for (const auto& [taxon, offset] : starts) page.starts.push_back({taxon, offset});
    pages.push_back(std::move(page));
  }
  return pages;
}

}  // namespace talaria::store
