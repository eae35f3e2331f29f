#include "fs/inode_table.h"

namespace talaria::fs {

namespace {
constexpr NodeKind kFixed[] = {
    NodeKind::kRoot,          NodeKind::kHashDir, NodeKind::kTaxonRoot, NodeKind::kDatabasesDir,
    NodeKind::kReductionsDir, NodeKind::kMetaDir, NodeKind::kStatsFile};
constexpr const char* kFixedKeys[] = {"/",          "by-hash",  "by-taxon",           "databases",
                                      "reductions", ".talaria", ".talaria/stats.json"};
}  // namespace

bool IsDirectory(NodeKind kind) {
  switch (kind) {
    case NodeKind::kRoot:
    case NodeKind::kHashDir:
    case NodeKind::kTaxonRoot:
    case NodeKind::kDatabasesDir:
    case NodeKind::kReductionsDir:
    case NodeKind::kMetaDir:
    case NodeKind::kTaxonDir:
    case NodeKind::kDatabaseDir:
    case NodeKind::kVersionDir:
    case NodeKind::kProfileDir:
      return true;
    default:
      return false;
  }
}

uint64_t InodeTable::FixedIno(NodeKind kind) {
  for (size_t i = 0; i < std::size(kFixed); i++) {
    if (kFixed[i] == kind) return kRootIno + i;
  }
  return 0;
}

InodeTable::InodeTable() {
  core::MutexLock lock(&mu_);
  for (size_t i = 0; i < std::size(kFixed); i++) {
    Slot slot;
    slot.node.kind = kFixed[i];
    slot.node.key = kFixedKeys[i];
    slot.node.mutable_name = true;
    slot.fixed = true;
    by_key_[slot.node.key] = kRootIno + i;
    slots_[kRootIno + i] = std::move(slot);
  }
  next_ino_ = kRootIno + std::size(kFixed);
}

uint64_t InodeTable::Intern(const Node& node) {
  core::MutexLock lock(&mu_);
  auto [it, inserted] = by_key_.try_emplace(node.key, next_ino_);
  if (inserted) {
    Slot slot;
    slot.node = node;
    slots_[next_ino_++] = std::move(slot);
  }
  Slot& slot = slots_[it->second];
  slot.nlookup++;
  return it->second;
}

std::optional<Node> InodeTable::Get(uint64_t ino) const {
  core::MutexLock lock(&mu_);
  auto it = slots_.find(ino);
  if (it == slots_.end()) return std::nullopt;
  return it->second.node;
}

void InodeTable::SetSize(uint64_t ino, uint64_t size) {
  core::MutexLock lock(&mu_);
  if (auto it = slots_.find(ino); it != slots_.end()) it->second.node.size = size;
}

void InodeTable::Forget(uint64_t ino, uint64_t nlookup) {
  core::MutexLock lock(&mu_);
  auto it = slots_.find(ino);
  if (it == slots_.end() || it->second.fixed) return;
  Slot& slot = it->second;
  slot.nlookup = nlookup >= slot.nlookup ? 0 : slot.nlookup - nlookup;
  if (slot.nlookup == 0) {
    by_key_.erase(slot.node.key);
    slots_.erase(it);
  }
}

size_t InodeTable::size() const {
  core::MutexLock lock(&mu_);
  return slots_.size();
}

}  // namespace talaria::fs
