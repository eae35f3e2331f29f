#include "fs/faidx.h"

#include <algorithm>
#include <list>
#include <memory>
#include <unordered_set>

#include "store/core/lru_cache.h"
#include "store/fasta/fasta_index.h"

namespace talaria::fs {

namespace {

using Records = std::vector<store::FaiRecord>;

// The record indexes of the last few chunks used: a source file's pieces
// alternate between the chunks of the taxa it interleaves.
class RecordsCache {
 public:
  explicit RecordsCache(store::ObjectStore* store) : store_(store) {}

  core::Result<std::shared_ptr<const Records>> Get(const ChunkSequence::Object& object) {
    if (auto cached = lru_.Lookup(object.id)) return cached;
    auto records = std::make_shared<Records>();
    if (!object.fai.IsZero()) {
      TALARIA_ASSIGN_OR_RETURN(auto bytes, store_->Get(object.fai));
      auto decoded = store::DecodeFaiRecords(*bytes);
      if (!decoded)
        return core::Propagate(decoded.error().WithContext("index " + object.fai.Hex()));
      *records = std::move(*decoded);
    } else {
      TALARIA_ASSIGN_OR_RETURN(auto bytes, store_->Get(object.id));
      *records = store::IndexFastaRecords(*bytes);
    }
    lru_.Insert(object.id, records, 1);
    return std::shared_ptr<const Records>(records);
  }

 private:
  store::ObjectStore* const store_;
  core::LruCache<core::ObjectId, Records> lru_{256};  // charged 1 per chunk
};

}  // namespace

core::Result<std::string> BuildFaidx(const ChunkSequence& fasta) {
  RecordsCache cache(&fasta.store());
  std::unordered_set<std::string> seen;
  std::string out;
  TALARIA_RETURN_IF_ERROR(fasta.ForEachPiece([&](const ChunkSequence::Object& object,
                                                 uint64_t object_offset, uint64_t length,
                                                 uint64_t file_offset) -> core::Status {
    TALARIA_ASSIGN_OR_RETURN(auto records, cache.Get(object));
    // Pieces hold whole records: those starting inside the piece.
    auto it =
        std::lower_bound(records->begin(), records->end(), object_offset,
                         [](const store::FaiRecord& r, uint64_t off) { return r.start < off; });
    for (; it != records->end() && it->start < object_offset + length; ++it) {
      if (!it->regular) {
        return core::Unsupported("record " + it->name + " has lines of different widths");
      }
      if (!seen.insert(it->name).second) continue;
      const uint64_t offset = file_offset + (it->start - object_offset) + it->seq_offset;
      out += it->name + "\t" + std::to_string(it->residues) + "\t" + std::to_string(offset) + "\t" +
             std::to_string(it->line_bases) + "\t" + std::to_string(it->line_width) + "\n";
    }
    return core::OkStatus();
  }));
  out.shrink_to_fit();  // kept while the file is: charged by capacity
  return out;
}

}  // namespace talaria::fs
