#include "store/maintenance/verify.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/core/mutex.h"
#include "store/core/parallel.h"
#include "store/pack/frame.h"
#include "store/reduce/reduction_manifest.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;

std::string_view VerifyErrorKindName(VerifyErrorKind kind) {
  switch (kind) {
    case VerifyErrorKind::kHashMismatch:
      return "hash_mismatch";
    case VerifyErrorKind::kReadError:
      return "read_error";
    case VerifyErrorKind::kCorruptedData:
      return "corrupted_data";
    case VerifyErrorKind::kMissingData:
      return "missing_data";
    case VerifyErrorKind::kInvalidFormat:
      return "invalid_format";
    case VerifyErrorKind::kSizeMismatch:
      return "size_mismatch";
    case VerifyErrorKind::kMissingReference:
      return "missing_reference";
  }
  return "unknown";
}

namespace {

using PackSizes = std::map<uint64_t, std::optional<uint64_t>>;  // nullopt: file missing

std::optional<VerificationError> CheckObject(ObjectStore& store, const ObjectInfo& info,
                                             const PackSizes& sizes) {
  const index::ObjectEntry& e = info.entry;
  auto err = [&](VerifyErrorKind kind, std::string detail) {
    return std::optional<VerificationError>(
        VerificationError{info.id, kind, e.pack, e.offset, std::move(detail)});
  };
  auto size = sizes.find(e.pack);
  if (size == sizes.end() || !size->second) {
    return err(VerifyErrorKind::kMissingData, "pack " + std::to_string(e.pack) + " is missing");
  }
  if (e.offset + e.record_len > *size->second) {
    return err(VerifyErrorKind::kMissingData,
               "pack " + std::to_string(e.pack) + " ends at " + std::to_string(*size->second) +
                   ", before the object's end at " + std::to_string(e.offset + e.record_len));
  }
  auto record = store.pack_reader().Read(e.pack, e.offset, e.record_len);
  if (!record) {
    bool io = record.error().code() == core::Code::kIoError;
    return err(io ? VerifyErrorKind::kReadError : VerifyErrorKind::kInvalidFormat,
               record.error().message());
  }
  const RecordHeader& h = record->header;
  if (h.id != info.id) return err(VerifyErrorKind::kInvalidFormat, "record holds " + h.id.Hex());
  if (h.raw_len != e.raw_len) {
    return err(VerifyErrorKind::kSizeMismatch, "record says " + std::to_string(h.raw_len) +
                                                   " bytes, index " + std::to_string(e.raw_len));
  }
  std::shared_ptr<const std::string> base;
  std::shared_ptr<const ZstdDictionary> dictionary;
  if (h.is_delta()) {
    auto b = store.Get(h.base);
    if (!b) {
      return err(VerifyErrorKind::kCorruptedData,
                 "delta base " + h.base.Hex() + " unreadable: " + b.error().message());
    }
    base = *b;
  } else if (h.dictionary) {
    auto d = store.Dictionary(h.base);
    if (!d) {
      return err(VerifyErrorKind::kCorruptedData,
                 "dictionary " + h.base.Hex() + " unreadable: " + d.error().message());
    }
    dictionary = *d;
  }
  if (h.dictionary != e.dictionary) {
    return err(VerifyErrorKind::kInvalidFormat, "record and index disagree on its dictionary");
  }
  auto raw = DecodeFrame(record->frame(), base ? std::string_view(*base) : std::string_view(),
                         dictionary.get());
  if (!raw) return err(VerifyErrorKind::kCorruptedData, raw.error().message());
  if (raw->size() != e.raw_len) {
    return err(VerifyErrorKind::kSizeMismatch, "rebuilt " + std::to_string(raw->size()) +
                                                   " bytes, expected " + std::to_string(e.raw_len));
  }
  ObjectId actual = ObjectId::Hash(*raw);
  if (actual != info.id)
    return err(VerifyErrorKind::kHashMismatch, "bytes hash to " + actual.Hex());
  return std::nullopt;
}

// Whether `id` falls in the sampled fraction: its first 8 bytes read as a
// fraction of 2^64.
bool Sampled(const ObjectId& id, double fraction) {
  if (fraction >= 1.0) return true;
  uint64_t prefix = 0;
  for (int i = 0; i < 8; i++) prefix = (prefix << 8) | id.data()[i];
  return static_cast<double>(prefix) < fraction * 18446744073709551616.0;
}

// Every reference a registered database version or a delta makes, checked
// against the index.
// A format 3 manifest's taxon directory must be the one its chunk rows
// give, and each layout must read as pages that fit each other (what a
// reader trusts without reading every page).
core::Status CheckManifestPages(ObjectStore& store, const index::DatabaseVersion& v,
                                const DatabaseManifest& m, const std::set<ObjectId>& present,
                                VerifyReport* report) {
  if (!IsPaged(m)) return core::OkStatus();
  auto problem = [&](std::string detail) {
    report->errors.push_back(
        VerificationError{v.manifest, VerifyErrorKind::kInvalidFormat, 0, 0,
                          "database " + v.name + "/" + v.version + ": " + std::move(detail)});
  };
  std::vector<size_t> ends;
  for (const ChunkPageRef& p : m.chunk_pages)
    ends.push_back((ends.empty() ? 0 : ends.back()) + p.chunks);
  auto directory = LoadTaxonDirectory(store, m);
  if (!directory) {
    problem(directory.error().ToString());
  } else if (*directory != BuildTaxonDirectory(m.chunks, ends)) {
    problem("its taxon directory does not match its chunk rows");
  }
  for (const SourceFile& f : m.sources) {
    if (!std::all_of(f.layout.begin(), f.layout.end(),
                     [&](const LayoutPageRef& p) { return present.count(p.id) > 0; })) {
      continue;  // reported as missing
    }
    auto runs = LoadLayout(store, f);
    if (!runs) problem(runs.error().ToString());
  }
  return core::OkStatus();
}

core::Status CheckReferences(ObjectStore& store, const std::vector<ObjectInfo>& objects,
                             VerifyReport* report) {
  std::set<ObjectId> present, reported;
  std::map<ObjectId, ObjectKind> kinds;
  for (const ObjectInfo& o : objects) {
    present.insert(o.id);
    kinds.emplace(o.id, o.kind());
  }
  // A missing object is reported once, with the first reference found.
  auto need = [&](const ObjectId& id, const std::string& who) {
    report->references_checked++;
    if (present.count(id) || !reported.insert(id).second) return;
    report->errors.push_back(
        VerificationError{id, VerifyErrorKind::kMissingReference, 0, 0, "needed by " + who});
  };
  for (const ObjectInfo& o : objects) {
    if (!o.entry.base.IsZero()) {
      need(o.entry.base, "object " + o.id.Hex() +
                             (o.entry.dictionary ? " as its dictionary" : " as its delta base"));
    }
    if (o.entry.dictionary && kinds.count(o.entry.base) &&
        kinds.at(o.entry.base) != ObjectKind::kDictionary) {
      report->errors.push_back(VerificationError{
          o.id, VerifyErrorKind::kInvalidFormat, 0, 0,
          "names " + o.entry.base.Hex() + " as its dictionary, an object of kind " +
              std::string(ObjectKindName(kinds.at(o.entry.base)))});
    }
  }
  for (uint8_t k = 0; k <= kMaxObjectKind; ++k) {
    TALARIA_ASSIGN_OR_RETURN(auto current, store.CurrentDictionary(static_cast<ObjectKind>(k)));
    if (current)
      need(*current, "the index as the current " + DictionaryKey(static_cast<ObjectKind>(k)));
  }
  std::vector<index::DatabaseVersion> versions;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(versions, store.index().databases().List(txn));
  }
  for (const auto& v : versions) {
    const std::string who = "database " + v.name + "/" + v.version;
    need(v.manifest, who + " as its manifest");
    if (!present.count(v.manifest)) continue;
    auto root = LoadManifestRoot(store, v.manifest);
    if (!root) continue;  // a damaged manifest is reported as the object it is
    for (const SourceFile& f : root->sources) {
      for (const LayoutPageRef& p : f.layout) need(p.id, who + " as a layout page of " + f.name);
    }
    bool pages_present = true;
    for (const ChunkPageRef& p : root->chunk_pages) {
      need(p.id, who + " as a page of its chunk rows");
      pages_present = pages_present && present.count(p.id);
    }
    for (const TaxonPageRef& p : root->taxon_pages) {
      need(p.id, who + " as a page of its taxon directory");
      pages_present = pages_present && present.count(p.id);
    }
    if (!pages_present) continue;
    auto manifest = LoadManifest(store, v.manifest);
    if (!manifest) continue;  // a damaged page is reported as the object it is
    TALARIA_RETURN_IF_ERROR(CheckManifestPages(store, v, *manifest, present, report));
    for (const ManifestChunk& c : manifest->chunks) {
      need(c.id,
           who + (c.taxon == kSharedStream ? std::string(" as a chunk shared by small taxa")
                                           : " as a chunk of taxon " + std::to_string(c.taxon)));
      if (!c.fai.IsZero()) need(c.fai, who + " as the record index of chunk " + c.id.Hex());
    }
  }
  std::vector<std::pair<std::string, index::ReductionEntry>> profiles;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(profiles, store.index().reductions().List(txn));
  }
  for (const auto& [profile, entry] : profiles) {
    const std::string who = "reduction profile " + profile;
    need(entry.manifest, who + " as its manifest");
    if (!present.count(entry.manifest)) continue;
    auto bytes = store.Get(entry.manifest);
    if (!bytes) continue;  // reported as the object it is
    auto m = DecodeReductionManifest(**bytes);
    if (!m) continue;
    for (const ReferenceChunk& c : m->reference_chunks) {
      need(c.id, who + " as a reference chunk");
      need(c.fai, who + " as the record index of reference chunk " + c.id.Hex());
    }
    for (const DeltaChunkInfo& d : m->delta_chunks) need(d.id, who + " as a delta chunk");
  }
  return core::OkStatus();
}

}  // namespace

Result<VerifyReport> VerifyStore(ObjectStore& store, const VerifyOptions& options) {
  VerifyReport report;
  PackSizes sizes;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_RETURN_IF_ERROR(store.index().packs().ForEach(
        txn, [&](uint64_t pack, const index::PackEntry& entry) -> core::Status {
          struct stat st;
          std::string path = store.paths().pack_file(pack);
          if (::stat(path.c_str(), &st) != 0) {
            sizes[pack] = std::nullopt;
            report.pack_problems.push_back("pack " + path + " is missing");
          } else {
            sizes[pack] = static_cast<uint64_t>(st.st_size);
            if (static_cast<uint64_t>(st.st_size) < entry.committed_len) {
              report.pack_problems.push_back(
                  "pack " + path + " is truncated: " + std::to_string(st.st_size) + " of " +
                  std::to_string(entry.committed_len) + " committed bytes");
            }
          }
          return core::OkStatus();
        }));
  }
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectInfo> all, store.List());
  report.objects_total = all.size();
  TALARIA_RETURN_IF_ERROR(CheckReferences(store, all, &report));
  std::vector<ObjectInfo> objects;
  for (ObjectInfo& o : all) {
    if (Sampled(o.id, options.sample)) objects.push_back(std::move(o));
  }

  struct Checked {  // what the checking threads share
    core::Mutex mu;
    std::vector<VerificationError> errors GUARDED_BY(mu);
    std::chrono::steady_clock::time_point last_report GUARDED_BY(mu) =
        std::chrono::steady_clock::now();
  } checked;
  std::atomic<uint64_t> done{0}, bytes{0};
  core::ParallelFor(objects.size(), std::max(1u, options.threads), [&](size_t i) {
    auto problem = CheckObject(store, objects[i], sizes);
    uint64_t d = done.fetch_add(1) + 1;
    uint64_t b = bytes.fetch_add(objects[i].entry.raw_len) + objects[i].entry.raw_len;
    core::MutexLock lock(&checked.mu);
    if (problem) checked.errors.push_back(std::move(*problem));
    auto now = std::chrono::steady_clock::now();
    if (options.progress &&
        (now - checked.last_report > std::chrono::milliseconds(200) || d == objects.size())) {
      checked.last_report = now;
      options.progress(d, objects.size(), b);
    }
  });
  {
    core::MutexLock lock(&checked.mu);
    for (auto& e : checked.errors) report.errors.push_back(std::move(e));
  }
  report.objects_checked = done.load();
  report.raw_bytes_checked = bytes.load();
  std::sort(report.errors.begin(), report.errors.end(), [](const auto& a, const auto& b) {
    return std::tie(a.pack, a.offset) < std::tie(b.pack, b.offset);
  });
  return report;
}

}  // namespace talaria::store
