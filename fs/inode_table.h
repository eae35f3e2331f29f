#pragma once

// Inode numbers for the nodes the kernel knows about. An inode lives from
// the first lookup that returns it until the kernel forgets it as many
// times as it was looked up (FUSE's nlookup rule), so memory follows what
// the kernel holds, not what was ever browsed. The fixed directories
// (root, by-hash, ...) are never forgotten.
//
// Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "fs/node.h"
#include "store/core/mutex.h"

namespace talaria::fs {

inline constexpr uint64_t kRootIno = 1;  // FUSE_ROOT_ID

class InodeTable {
 public:
  InodeTable();

  // The inode for `node.key`, creating it from `node` if new; counts one
  // lookup.
  uint64_t Intern(const Node& node);
  // A copy of the node, or nullopt for an unknown (forgotten) inode.
  std::optional<Node> Get(uint64_t ino) const;
  // Records the size once computed (a node's bytes never change).
  void SetSize(uint64_t ino, uint64_t size);
  void Forget(uint64_t ino, uint64_t nlookup);
  size_t size() const;

  // The inode of a fixed directory.
  static uint64_t FixedIno(NodeKind kind);

 private:
  struct Slot {
    Node node;
    uint64_t nlookup = 0;
    bool fixed = false;
  };
  mutable core::Mutex mu_;
  std::unordered_map<uint64_t, Slot> slots_ GUARDED_BY(mu_);
  std::unordered_map<std::string, uint64_t> by_key_ GUARDED_BY(mu_);
  uint64_t next_ino_ GUARDED_BY(mu_);
};

}  // namespace talaria::fs
