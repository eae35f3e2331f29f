#include "fs/tree_nodes.h"

#include <string>

#include "store/reduce/reduction.h"

namespace talaria::fs {

using core::ObjectId;

tl::unexpected<core::Error> NoEntry(std::string_view name) {
  return core::NotFound("no entry '" + std::string(name) + "'");
}

std::vector<uint64_t> ProfilePieceSizes(const store::ReductionManifest& m, uint32_t file) {
  std::vector<uint64_t> sizes;
  switch (file) {
    case kDeltas:
      for (const auto& d : m.delta_chunks) sizes.push_back(d.deltas_dat_bytes);
      break;
    case kRefToChildren:
      for (const auto& c : m.reference_chunks) sizes.push_back(c.ref2children_bytes);
      break;
    case kExpanded:
      for (size_t k = 0; k < m.reference_chunks.size(); k++) {
        sizes.push_back(store::ExpandedPieceSize(m, k));
      }
      break;
  }
  return sizes;
}

Node ObjectNode(const ObjectId& id, uint64_t raw_len, uint64_t mtime_s) {
  Node n;
  n.kind = NodeKind::kObjectFile;
  n.key = "h/" + id.Hex();
  n.id = id;
  n.size = raw_len;
  n.mtime_s = mtime_s;
  return n;
}

Node TaxonDirNode(uint32_t taxid, uint64_t mtime_s) {
  Node n;
  n.kind = NodeKind::kTaxonDir;
  n.key = "T/" + std::to_string(taxid);
  n.taxon = taxid;
  n.mutable_name = true;
  n.mtime_s = mtime_s;
  return n;
}

}  // namespace talaria::fs
