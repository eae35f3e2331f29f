#include "store/catalog/ingest.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "index/index.h"
#include "store/catalog/catalog_snapshot.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/manifest.h"
#include "store/catalog/taxmap.h"
#include "store/core/file_io.h"
#include "store/fasta/fasta_index.h"
#include "store/fasta/record_id.h"
#include "store/fasta/taxon_parser.h"
#include "store/object/pack_usage.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

// The name a source is served under: its file name without a compression suffix.
std::string SourceName(const std::string& path, SourceEncoding encoding) {
  if (path == "-") return "stdin.fasta";
  std::string name = path.substr(path.find_last_of('/') + 1);
  for (const char* ext : {".gz", ".zst", ".bgz"}) {
    size_t n = std::strlen(ext);
    if (encoding != SourceEncoding::kPlain && name.size() > n &&
        name.compare(name.size() - n, n, ext) == 0) {
      return name.substr(0, name.size() - n);
    }
  }
  return name;
}

const char* EncodingName(SourceEncoding e) {
  switch (e) {
    case SourceEncoding::kGzip:
      return "gzip";
    case SourceEncoding::kZstd:
      return "zstd";
    default:
      return "plain";
  }
}

// The ids of the records in a chunk's text.
std::vector<std::string_view> RecordIds(std::string_view chunk) {
  std::vector<std::string_view> ids;
  for (size_t pos = 0; pos < chunk.size();) {
    size_t eol = chunk.find('\n', pos);
    if (eol == std::string_view::npos) eol = chunk.size();
    if (chunk[pos] == '>') ids.push_back(RecordId(chunk.substr(pos, eol - pos)));
    pos = eol + 1;
  }
  return ids;
}

// Picks, for a new chunk, the chunk of the same taxon in the previous
// version that shares the most record ids with it.
class BaseChooser {
 public:
  BaseChooser(WritableStore& store, const DatabaseManifest* previous) : store_(store) {
    if (!previous) return;
    for (const ManifestChunk& c : previous->chunks) by_taxon_[c.taxon].push_back(c.id);
  }

  Result<std::optional<ObjectId>> Choose(const ClosedChunk& chunk) {
    auto it = by_taxon_.find(chunk.taxon);
    if (it == by_taxon_.end()) return std::optional<ObjectId>();
    const std::vector<ObjectId>& candidates = it->second;
    if (candidates.size() == 1) return std::optional<ObjectId>(candidates[0]);
    TALARIA_ASSIGN_OR_RETURN(auto* owners, Owners(chunk.taxon, candidates));
    std::unordered_map<uint32_t, uint32_t> votes;
    for (std::string_view id : RecordIds(chunk.bytes)) {
      auto o = owners->find(std::string(id));
      if (o != owners->end()) votes[o->second]++;
    }
    if (votes.empty())
      return std::optional<ObjectId>(
          candidates[std::min<size_t>(chunk.seq_in_taxon, candidates.size() - 1)]);
    auto best = std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& b) {
      return a.second < b.second || (a.second == b.second && a.first > b.first);
    });
    return std::optional<ObjectId>(candidates[best->first]);
  }

 private:
  using OwnerMap = std::unordered_map<std::string, uint32_t>;

  // At most this many record ids are remembered (about 0.5 GB); past it the
  // maps are dropped and rebuilt for the taxa that come up again.
  static constexpr size_t kMaxRememberedIds = 8'000'000;

  Result<OwnerMap*> Owners(TaxonId taxon, const std::vector<ObjectId>& candidates) {
    auto it = owners_.find(taxon);
    if (it != owners_.end()) return &it->second;
    if (remembered_ > kMaxRememberedIds) {
      owners_.clear();
      remembered_ = 0;
    }
    OwnerMap map;
    for (uint32_t i = 0; i < candidates.size(); ++i) {
      TALARIA_ASSIGN_OR_RETURN(auto bytes, store_.Get(candidates[i]));
      for (std::string_view id : RecordIds(*bytes)) map.emplace(std::string(id), i);
    }
    remembered_ += map.size();
    return &owners_.emplace(taxon, std::move(map)).first->second;
  }

  WritableStore& store_;
  std::map<TaxonId, std::vector<ObjectId>> by_taxon_;
  std::map<TaxonId, OwnerMap> owners_;
  size_t remembered_ = 0;
};

struct ChunkMeta {
  ObjectId id;
  uint32_t source = 0;
  TaxonId taxon = 0;
  uint64_t seq_in_taxon = 0;
  uint64_t records = 0;
  uint64_t residues = 0;
  uint64_t bytes = 0;
  ObjectId fai;
};

// The StatefulStorage operations for an ingest, in the index's `state` table.
class IngestState {
 public:
  IngestState(WritableStore& store, const IngestOptions& options)
      : store_(store), key_("ingest:" + options.database + "/" + options.version) {
    for (const std::string& f : options.files) files_.push_back(f);
  }

  // Start: records the operation; if the same ingest was interrupted,
  // returns how many chunks it had stored.
  Result<std::optional<uint64_t>> Start() {
    std::optional<uint64_t> resumable;
    {
      TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store_.index().BeginRead());
      TALARIA_ASSIGN_OR_RETURN(auto old, store_.index().state().Get(txn, key_));
      if (old) {
        auto j = nlohmann::json::parse(*old, nullptr, false);
        if (!j.is_discarded() && j.value("files", nlohmann::json()) == nlohmann::json(files_)) {
          resumable = j.value("chunks_stored", uint64_t{0});
        }
      }
    }
    TALARIA_RETURN_IF_ERROR(Save(0));
    return resumable;
  }

  // Update: the chunks stored so far.
  Status Progress(uint64_t chunks_stored) { return Save(chunks_stored); }

  // Complete (inside the publishing transaction) or abandon.
  Status Complete(index::WriteTxn& txn) const { return store_.index().state().Delete(txn, key_); }
  Status Abandon() {
    return store_.index().Update([&](index::WriteTxn& txn) { return Complete(txn); });
  }

 private:
  Status Save(uint64_t chunks_stored) {
    nlohmann::json j = {{"files", files_}, {"chunks_stored", chunks_stored}};
    return store_.index().Update(
        [&](index::WriteTxn& txn) { return store_.index().state().Put(txn, key_, j.dump()); });
  }

  WritableStore& store_;
  std::string key_;
  std::vector<std::string> files_;
};

class IngestJob {
 public:
  IngestJob(WritableStore& store, const IngestOptions& options, const DatabaseManifest* previous,
            TaxMap* taxmap, IngestState* state)
      : store_(store),
        options_(options),
        previous_(previous),
        taxmap_(taxmap),
        state_(state),
        chooser_(store, options.delta_against_previous ? previous : nullptr) {}

  // Never returns with a batch still in flight (a rollback may follow).
  Status Run(IngestResult* result, DatabaseManifest* manifest) {
    Status st = RunPipeline(manifest);
    Status last = Wait();
    if (!st) return st;
    TALARIA_RETURN_IF_ERROR(last);
    return Finish(layouts_, result, manifest);
  }

 private:
  Status RunPipeline(DatabaseManifest* manifest) {
    for (const std::string& path : options_.files) {
      struct stat st;
      if (path != "-" && ::stat(path.c_str(), &st) == 0) progress_.input_bytes_total += st.st_size;
    }
    for (const std::string& path : options_.files) {
      layouts_.emplace_back();
      TALARIA_RETURN_IF_ERROR(ReadSource(path, &layouts_.back(), manifest));
    }
    return Flush();
  }

  Status ReadSource(const std::string& path, std::vector<LayoutRun>* runs,
                    DatabaseManifest* manifest) {
    const uint32_t index = static_cast<uint32_t>(manifest->sources.size());
    Chunker chunker(
        options_.chunking, [&](ClosedChunk&& c) { OnChunk(index, std::move(c)); },
        SpillOptions{options_.memory_budget_bytes, store_.paths().tmp_dir()}, &buffers_);
    TALARIA_ASSIGN_OR_RETURN(auto reader, FastaReader::Open(path, options_.fasta));
    uint64_t consumed_before = progress_.input_bytes_read;
    SourceFile source;
    core::Sha256Hasher hasher;
    FastaRecord rec;
    bool first = true;
    for (;;) {
      TALARIA_ASSIGN_OR_RETURN(bool more, reader->Next(&rec));
      if (first) {
        hasher.Update(reader->preamble());
        first = false;
      }
      if (!more) break;
      TALARIA_ASSIGN_OR_RETURN(TaxonId taxon, TaxonOf(rec));
      TALARIA_RETURN_IF_ERROR(chunker.Add(taxon, rec.text, rec.residues));
      TALARIA_RETURN_IF_ERROR(deferred_);
      AppendToLayout(runs, taxon, rec.text.size());
      hasher.Update(rec.text);
      source.records++;
      source.residues += rec.residues;
      progress_.records++;
      progress_.fasta_bytes += rec.text.size();
      progress_.input_bytes_read = consumed_before + reader->source_bytes_read();
      if (options_.progress && (progress_.records & 1023) == 0) options_.progress(progress_);
    }
    TALARIA_RETURN_IF_ERROR(chunker.Finish());
    TALARIA_RETURN_IF_ERROR(deferred_);
    source.name = SourceName(path, reader->encoding());
    source.input_name = path == "-" ? "-" : path.substr(path.find_last_of('/') + 1);
    source.encoding = EncodingName(reader->encoding());
    source.size = reader->bytes_read();
    source.sha256 = hasher.Finish();
    source.preamble = reader->preamble();
    for (const SourceFile& other : manifest->sources) {
      if (other.name == source.name) {
        return core::InvalidArgument("two input files would both be served as '" + source.name +
                                     "'; rename one");
      }
    }
    manifest->sources.push_back(std::move(source));
    return core::OkStatus();
  }

  // Taxon precedence (docs/ARCHITECTURE.md "Ingest"): the accession table, then the header, else 0.
  Result<TaxonId> TaxonOf(const FastaRecord& rec) {
    if (taxmap_) {
      TALARIA_ASSIGN_OR_RETURN(auto mapped, taxmap_->Lookup(rec.id()));
      if (mapped) {
        taxmap_hits_++;
        return *mapped;
      }
    }
    return TaxonFromHeader(rec.header()).value_or(0);
  }

  void OnChunk(uint32_t source, ClosedChunk&& c) {
    progress_.chunks++;
    pending_bytes_ += c.bytes.size();
    pending_.emplace_back(source, std::move(c));
    if (pending_bytes_ >= options_.batch_bytes && deferred_) deferred_ = Flush();
  }

  // Hands the pending chunks to a background thread that stores them, so
  // parsing goes on meanwhile; at most one batch is in flight. Returns the
  // outcome of the batch before it.
  Status Flush() {
    Status previous = Wait();
    if (!previous || pending_.empty()) return previous;
    inflight_ = std::thread([this, batch = std::move(pending_)]() mutable {
      inflight_status_ = StoreBatch(batch);
      for (auto& [source, c] : batch) buffers_.Give(std::move(c.bytes));
    });
    pending_.clear();
    pending_bytes_ = 0;
    if (options_.progress) options_.progress(progress_);
    return core::OkStatus();
  }

  // Waits for the batch in flight, if any, and returns how it went.
  Status Wait() {
    if (!inflight_.joinable()) return core::OkStatus();
    inflight_.join();
    return std::exchange(inflight_status_, core::OkStatus());
  }

  // Runs on the batch thread: delta bases, hashing and compression (on the
  // store's workers), durable write, bookkeeping.
  Status StoreBatch(const std::vector<std::pair<uint32_t, ClosedChunk>>& batch) {
    // Each chunk, then its record index (a delta against the index of the
    // chunk's own base, when it has one).
    std::vector<PutRequest> requests;
    std::vector<std::string> indexes;
    requests.reserve(2 * batch.size());
    indexes.reserve(batch.size());
    for (const auto& [source, c] : batch) {
      PutOptions o;
      o.kind = ObjectKind::kChunk;
      o.codec = options_.codec;
      TALARIA_ASSIGN_OR_RETURN(o.base, chooser_.Choose(c));
      PutOptions fo;
      fo.kind = ObjectKind::kFastaIndex;
      fo.codec = options_.codec;
      if (o.base) {
        if (auto it = previous_fai_.find(*o.base); it != previous_fai_.end()) fo.base = it->second;
      }
      indexes.push_back(EncodeFaiRecords(IndexFastaRecords(c.bytes)));
      requests.push_back(PutRequest{c.bytes, o});
      requests.push_back(PutRequest{indexes.back(), fo});
    }
    // Chunk i's id is at 2i, its index's at 2i + 1.
    std::vector<bool> written;
    TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectId> ids, store_.PutBatch(requests, &written));
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto& [source, c] = batch[i];
      if (written[2 * i]) {
        TALARIA_ASSIGN_OR_RETURN(ObjectInfo info, store_.Stat(ids[2 * i]));
        new_chunks_++;
        new_deltas_ += !info.entry.base.IsZero();
        new_chunk_bytes_ += info.entry.record_len;
      }
      metas_.push_back(ChunkMeta{ids[2 * i], source, c.taxon, c.seq_in_taxon, c.records, c.residues,
                                 c.bytes.size(), ids[2 * i + 1]});
    }
    return state_->Progress(metas_.size());
  }

  static std::map<ObjectId, ObjectId> PreviousIndexes(const DatabaseManifest* previous) {
    std::map<ObjectId, ObjectId> out;
    if (!previous) return out;
    for (const ManifestChunk& c : previous->chunks) {
      if (!c.fai.IsZero()) out[c.id] = c.fai;
    }
    return out;
  }

  // The previous version's object for the source of the same name, if any.
  std::optional<ObjectId> PreviousLayout(const std::string& name) const {
    if (!previous_ || !options_.delta_against_previous) return std::nullopt;
    for (const SourceFile& s : previous_->sources) {
      if (s.name == name) return s.layout;
    }
    return std::nullopt;
  }

  Status Finish(const std::vector<std::vector<LayoutRun>>& layouts, IngestResult* result,
                DatabaseManifest* manifest) {
    std::sort(metas_.begin(), metas_.end(), [](const ChunkMeta& a, const ChunkMeta& b) {
      return std::tie(a.source, a.taxon, a.seq_in_taxon) <
             std::tie(b.source, b.taxon, b.seq_in_taxon);
    });
    std::set<TaxonId> taxa;
    for (const ChunkMeta& m : metas_) {
      manifest->chunks.push_back(
          ManifestChunk{m.id, m.source, m.taxon, m.records, m.residues, m.bytes, m.fai});
      taxa.insert(m.taxon);
    }
    for (size_t s = 0; s < layouts.size(); ++s) {
      SourceFile& source = manifest->sources[s];
      PutOptions o;
      o.kind = ObjectKind::kManifest;
      o.base = PreviousLayout(source.name);
      TALARIA_ASSIGN_OR_RETURN(source.layout, store_.Put(EncodeLayout(layouts[s]), o));
      result->records += source.records;
      result->residues += source.residues;
      result->fasta_bytes += source.size;
    }
    result->chunks = manifest->chunks.size();
    result->taxa = taxa.size();
    result->taxmap_hits = taxmap_hits_;
    result->chunks_new = new_chunks_;
    result->chunks_delta = new_deltas_;
    result->chunk_bytes_added = new_chunk_bytes_;
    return core::OkStatus();
  }

  WritableStore& store_;
  const IngestOptions& options_;
  const DatabaseManifest* previous_;
  TaxMap* taxmap_;
  IngestState* state_;
  uint64_t taxmap_hits_ = 0;
  BaseChooser chooser_;
  // The previous version's record index of each of its chunks.
  std::map<ObjectId, ObjectId> previous_fai_ = PreviousIndexes(previous_);
  // Chunk buffers, stored then reused: two batches of chunks, each buffer
  // having up to twice the room its chunk needed.
  core::BufferPool buffers_{4 * options_.batch_bytes};
  std::vector<std::pair<uint32_t, ClosedChunk>> pending_;  // (source, chunk)
  uint64_t pending_bytes_ = 0;
  std::vector<ChunkMeta> metas_;  // written by the batch thread; read after Wait()
  std::vector<std::vector<LayoutRun>> layouts_;
  std::thread inflight_;
  Status inflight_status_;
  Status deferred_;  // an error raised inside a chunker's sink
  IngestProgress progress_;
  uint64_t new_chunks_ = 0, new_deltas_ = 0, new_chunk_bytes_ = 0;
};

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
    for (const ManifestChunk& c : manifest.chunks) {
      TALARIA_RETURN_IF_ERROR(store.index().chunks().Add(
          txn, c.id, index::ChunkMeta{c.taxon, c.records, c.residues, c.bytes, 0, 0}));
    }
    return core::OkStatus();
  });
}

}  // namespace

Status ValidateName(const std::string& what, const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name != "." && name != "..";
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
                c == '+');
  }
  if (!ok) {
    return core::InvalidArgument(what + " '" + name +
                                 "' must be 1-128 characters of A-Z a-z 0-9 . _ + -");
  }
  return core::OkStatus();
}

Status ValidateDatabaseName(const std::string& name) { return ValidateName("database name", name); }

Status ValidateVersionName(const std::string& version) {
  TALARIA_RETURN_IF_ERROR(ValidateName("version", version));
  if (version == "current")
    return core::InvalidArgument("'current' is reserved; pick another version name");
  return core::OkStatus();
}

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
    PutOptions o;
    o.kind = ObjectKind::kManifest;
    if (previous && options.delta_against_previous) {
      auto prev = ResolveDatabase(store, options.database);
      if (prev) o.base = prev->manifest;
    }
    auto id = store.Put(EncodeManifest(manifest), o);
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
