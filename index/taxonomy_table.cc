#include "index/taxonomy_table.h"

#include <deque>

#include "index/lmdb_status.h"
#include "store/core/coding.h"

namespace talaria::index {

using core::Result;
using core::Status;

namespace {
std::string Key(uint32_t taxid) { return core::BigEndian32Key(taxid); }
}  // namespace

Result<std::optional<TaxonNode>> TaxonomyTable::Get(const Txn& txn, uint32_t taxid) const {
  TALARIA_ASSIGN_OR_RETURN(auto v, txn.Get(nodes_, Key(taxid)));
  if (!v) return std::optional<TaxonNode>();
  if (v->size() < 5) return core::Corruption("malformed taxonomy entry");
  TaxonNode n;
  n.taxid = taxid;
  n.parent = core::DecodeFixed32(v->data());
  uint8_t rank_len = static_cast<uint8_t>((*v)[4]);
  if (v->size() < 5u + rank_len) return core::Corruption("malformed taxonomy entry");
  n.rank = std::string(v->substr(5, rank_len));
  n.name = std::string(v->substr(5 + rank_len));
  return std::optional<TaxonNode>(std::move(n));
}

Status TaxonomyTable::Put(WriteTxn& txn, const TaxonNode& node) const {
  std::string v;
  core::PutFixed32(&v, node.parent);
  std::string rank = node.rank.substr(0, 255);
  v.push_back(static_cast<char>(rank.size()));
  v += rank;
  v += node.name;
  TALARIA_RETURN_IF_ERROR(txn.Put(nodes_, Key(node.taxid), v));
  if (node.parent != node.taxid) {
    TALARIA_RETURN_IF_ERROR(txn.Put(children_, Key(node.parent), Key(node.taxid)));
  }
  return core::OkStatus();
}

Status TaxonomyTable::Clear(WriteTxn& txn) const {
  TALARIA_RETURN_IF_ERROR(txn.Clear(nodes_));
  return txn.Clear(children_);
}

Result<std::vector<uint32_t>> TaxonomyTable::Children(const Txn& txn, uint32_t taxid) const {
  std::vector<uint32_t> out;
  TALARIA_RETURN_IF_ERROR(txn.ForEachWithPrefix(
      children_, Key(taxid), [&](std::string_view, std::string_view v) -> Status {
        if (v.size() != 4) return core::Corruption("malformed taxonomy child entry");
        out.push_back(core::DecodeBigEndian32(v.data()));
        return core::OkStatus();
      }));
  return out;
}

Result<std::vector<uint32_t>> TaxonomyTable::Subtree(const Txn& txn, uint32_t taxid) const {
  std::vector<uint32_t> out;
  std::deque<uint32_t> queue = {taxid};
  while (!queue.empty()) {
    uint32_t t = queue.front();
    queue.pop_front();
    out.push_back(t);
    TALARIA_ASSIGN_OR_RETURN(auto kids, Children(txn, t));
    queue.insert(queue.end(), kids.begin(), kids.end());
  }
  return out;
}

Result<std::vector<TaxonNode>> TaxonomyTable::Lineage(const Txn& txn, uint32_t taxid) const {
  std::vector<TaxonNode> out;
  for (uint32_t t = taxid; out.size() < 256;) {
    TALARIA_ASSIGN_OR_RETURN(auto node, Get(txn, t));
    if (!node) break;
    out.push_back(*node);
    if (node->parent == t) break;
    t = node->parent;
  }
  return out;
}

}  // namespace talaria::index
