#include "store/catalog/ingest_job.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "index/index.h"
#include "store/catalog/manifest_writer.h"
#include "store/fasta/byte_source.h"
#include "store/fasta/fasta_index.h"
#include "store/object/dictionary_training.h"
#include "store/pack/object_kind.h"

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

}  // namespace

IngestState::IngestState(WritableStore& store, const IngestOptions& options)
    : store_(store), key_("ingest:" + options.database + "/" + options.version) {
  for (const std::string& f : options.files) files_.push_back(f);
}

Result<std::optional<uint64_t>> IngestState::Start() {
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

Status IngestState::Progress(uint64_t chunks_stored) { return Save(chunks_stored); }

Status IngestState::Complete(index::WriteTxn& txn) const {
  return store_.index().state().Delete(txn, key_);
}

Status IngestState::Abandon() {
  return store_.index().Update([&](index::WriteTxn& txn) { return Complete(txn); });
}

Status IngestState::Save(uint64_t chunks_stored) {
  nlohmann::json j = {{"files", files_}, {"chunks_stored", chunks_stored}};
  return store_.index().Update(
      [&](index::WriteTxn& txn) { return store_.index().state().Put(txn, key_, j.dump()); });
}

IngestJob::IngestJob(WritableStore& store, const IngestOptions& options,
                     const DatabaseManifest* previous, TaxMap* taxmap, IngestState* state)
    : store_(store),
      options_(options),
      previous_(previous),
      taxmap_(taxmap),
      state_(state),
      chooser_(store, options.delta_against_previous ? previous : nullptr) {}

Status IngestJob::Run(IngestResult* result, DatabaseManifest* manifest) {
  Status st = RunPipeline(manifest);
  Status last = Wait();
  if (!st) return st;
  TALARIA_RETURN_IF_ERROR(last);
  return Finish(layouts_, result, manifest);
}

Status IngestJob::RunPipeline(DatabaseManifest* manifest) {
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

uint64_t IngestJob::OpenChunkBudget() const {
  // With a previous version the base chooser's record ids share the budget.
  const uint64_t budget = options_.memory_budget_bytes;
  if (!previous_ || !options_.delta_against_previous) return budget;
  return budget - std::min(budget / 2, BaseChooser::kMemoryBytes);
}

Status IngestJob::ReadSource(const std::string& path, std::vector<LayoutRun>* runs,
                             DatabaseManifest* manifest) {
  const uint32_t index = static_cast<uint32_t>(manifest->sources.size());
  Chunker chunker(
      options_.chunking, [&](ClosedChunk&& c) { OnChunk(index, std::move(c)); },
      SpillOptions{OpenChunkBudget(), store_.paths().tmp_dir()}, &buffers_,
      [this](std::vector<TaxonId> taxa) { return SharedOrder(std::move(taxa)); });
  TALARIA_ASSIGN_OR_RETURN(auto reader, FastaReader::Open(path, options_.fasta));
  uint64_t consumed_before = progress_.input_bytes_read;
  SourceFile source;
  core::Sha256Hasher hasher;
  FastaRecord rec;
  std::vector<TaxonId> taxa;
  bool first = true;
  for (;;) {
    TALARIA_ASSIGN_OR_RETURN(bool more, reader->Next(&rec));
    if (first) {
      hasher.Update(reader->preamble());
      first = false;
    }
    if (!more) break;
    TALARIA_RETURN_IF_ERROR(TaxaOf(rec, &taxa));
    if (taxa.front() == kSharedStream) {
      return core::ParseError(path + ":" + std::to_string(rec.line) + ": taxon id " +
                              std::to_string(kSharedStream) + " is reserved");
    }
    TALARIA_RETURN_IF_ERROR(chunker.Add(taxa.front(), rec.text, rec.residues,
                                        std::span<const TaxonId>(taxa).subspan(1)));
    TALARIA_RETURN_IF_ERROR(deferred_);
    AppendToLayout(runs, taxa.front(), rec.text.size());
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

Status IngestJob::TaxaOf(const FastaRecord& rec, std::vector<TaxonId>* taxa) {
  taxa->clear();
  const std::string_view header = rec.header();
  bool hit = false;
  auto add = [&](std::string_view part) -> Status {
    std::optional<TaxonId> taxon;
    if (taxmap_) {
      const std::string_view id = part.substr(0, part.find_first_of(" \t\v\f\r\x01"));
      TALARIA_ASSIGN_OR_RETURN(taxon, taxmap_->Lookup(id));
      hit = hit || taxon.has_value();
    }
    if (!taxon) taxon = TaxonFromHeader(part);
    if (taxon && std::find(taxa->begin(), taxa->end(), *taxon) == taxa->end()) {
      taxa->push_back(*taxon);
    }
    return core::OkStatus();
  };
  // NCBI nr joins the headers of identical sequences with SOH bytes.
  for (size_t start = 0;;) {
    const size_t soh = header.find('\x01', start);
    TALARIA_RETURN_IF_ERROR(add(header.substr(start, soh - start)));
    if (soh == std::string_view::npos) break;
    start = soh + 1;
  }
  if (taxa->empty()) taxa->push_back(0);
  taxmap_hits_ += hit;
  for (TaxonId t : *taxa) {
    if (t == kSharedStream) {
      taxa->front() = kSharedStream;  // reported by the caller with file and line
      break;
    }
  }
  return core::OkStatus();
}

std::vector<TaxonId> IngestJob::SharedOrder(std::vector<TaxonId> taxa) {
  if (!have_taxonomy_) {
    auto txn = store_.index().BeginRead();
    auto count = txn ? store_.index().taxonomy().Count(*txn) : core::Result<size_t>(0);
    have_taxonomy_ = count && *count > 0;
  }
  if (!*have_taxonomy_) return taxa;  // ascending taxon id
  // Taxa outside the tree go last, by id.
  auto txn = store_.index().BeginRead();
  for (TaxonId t : taxa) {
    if (lineage_keys_.count(t)) continue;
    std::vector<TaxonId> key;
    if (txn) {
      auto lineage = store_.index().taxonomy().Lineage(*txn, t);
      if (lineage) {
        for (auto it = lineage->rbegin(); it != lineage->rend(); ++it) key.push_back(it->taxid);
      }
    }
    if (key.empty()) key = {kSharedStream, t};
    lineage_keys_.emplace(t, std::move(key));
  }
  std::sort(taxa.begin(), taxa.end(),
            [&](TaxonId a, TaxonId b) { return lineage_keys_[a] < lineage_keys_[b]; });
  return taxa;
}

void IngestJob::OnChunk(uint32_t source, ClosedChunk&& c) {
  progress_.chunks++;
  pending_bytes_ += c.bytes.size();
  pending_.emplace_back(source, std::move(c));
  if (pending_bytes_ >= options_.batch_bytes && deferred_) deferred_ = Flush();
}

Status IngestJob::Flush() {
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

Status IngestJob::Wait() {
  if (!inflight_.joinable()) return core::OkStatus();
  inflight_.join();
  return std::exchange(inflight_status_, core::OkStatus());
}

CodecSpec IngestJob::FaiCodec() const {
  // Record indexes are a few percent of the bytes and mostly names: zstd at
  // 9 stores them 10 % smaller than at 3 for a negligible share of the time.
  CodecSpec c = options_.codec.value_or(store_.config().codec);
  if (c.type == CodecType::kZstd && c.level < 9) c.level = 9;
  return c;
}

Status IngestJob::StoreBatch(const std::vector<std::pair<uint32_t, ClosedChunk>>& batch) {
  // Each chunk, then its record index (a delta against the index of the
  // chunk's own base, when it has one).
  std::vector<PutRequest> requests;
  std::vector<std::string> indexes;
  requests.reserve(2 * batch.size());
  indexes.reserve(batch.size());
  for (const auto& [source, c] : batch)
    indexes.push_back(EncodeFaiRecords(IndexFastaRecords(c.bytes)));
  if (!dictionaries_checked_) {
    // The first batch teaches the store's dictionaries, if it has none yet,
    // before any of its objects is compressed.
    dictionaries_checked_ = true;
    std::vector<std::string_view> chunks;
    for (const auto& [source, c] : batch) chunks.push_back(c.bytes);
    TALARIA_RETURN_IF_ERROR(TrainDictionaryIfMissing(store_, ObjectKind::kChunk, chunks));
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const ClosedChunk& c = batch[i].second;
    PutOptions o;
    o.kind = ObjectKind::kChunk;
    o.codec = options_.codec;
    TALARIA_ASSIGN_OR_RETURN(o.base, chooser_.Choose(c));
    PutOptions fo;
    fo.kind = ObjectKind::kFastaIndex;
    fo.codec = FaiCodec();
    if (o.base) {
      if (auto it = previous_fai_.find(*o.base); it != previous_fai_.end()) fo.base = it->second;
    }
    requests.push_back(PutRequest{c.bytes, o});
    requests.push_back(PutRequest{indexes[i], fo});
  }
  // Chunk i's id is at 2i, its index's at 2i + 1.
  std::vector<bool> written;
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectId> ids, store_.PutBatch(requests, &written));
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& [source, c] = batch[i];
    if (written[2 * i]) {
      TALARIA_ASSIGN_OR_RETURN(ObjectInfo info, store_.Stat(ids[2 * i]));
      new_chunks_++;
      new_deltas_ += info.entry.is_delta();
      new_chunk_bytes_ += info.entry.record_len;
    }
    ManifestChunk mc{ids[2 * i], source,         c.taxon,        c.records,
                     c.residues, c.bytes.size(), ids[2 * i + 1], {}};
    SetPieces(&mc, c.pieces);
    metas_.push_back(ChunkMeta{c.seq_in_taxon, std::move(mc)});
  }
  return state_->Progress(metas_.size());
}

std::map<ObjectId, ObjectId> IngestJob::PreviousIndexes(const DatabaseManifest* previous) {
  std::map<ObjectId, ObjectId> out;
  if (!previous) return out;
  for (const ManifestChunk& c : previous->chunks) {
    if (!c.fai.IsZero()) out[c.id] = c.fai;
  }
  return out;
}

std::vector<LayoutPageRef> IngestJob::PreviousLayout(const std::string& name, size_t index,
                                                     size_t count) const {
  if (!previous_ || !options_.delta_against_previous) return {};
  for (const SourceFile& s : previous_->sources) {
    if (s.name == name) return s.layout;
  }
  // Releases often come under new names (uniprot_2026_01.fasta): with as
  // many sources as before, the one at the same place.
  if (previous_->sources.size() == count) return previous_->sources[index].layout;
  return {};
}

Status IngestJob::Finish(const std::vector<std::vector<LayoutRun>>& layouts, IngestResult* result,
                         DatabaseManifest* manifest) {
  std::sort(metas_.begin(), metas_.end(), [](const ChunkMeta& a, const ChunkMeta& b) {
    return std::tie(a.chunk.source, a.chunk.taxon, a.seq_in_taxon) <
           std::tie(b.chunk.source, b.chunk.taxon, b.seq_in_taxon);
  });
  std::set<TaxonId> taxa;
  for (ChunkMeta& m : metas_) {
    for (const TaxonPiece& p : PiecesOf(m.chunk)) taxa.insert(p.taxon);
    manifest->chunks.push_back(std::move(m.chunk));
  }
  metas_.clear();
  for (size_t s = 0; s < layouts.size(); ++s) {
    SourceFile& source = manifest->sources[s];
    TALARIA_ASSIGN_OR_RETURN(
        source.layout,
        PutLayoutPages(store_, layouts[s], PreviousLayout(source.name, s, layouts.size())));
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

}  // namespace talaria::store
