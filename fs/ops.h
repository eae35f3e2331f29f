#pragma once

// The FUSE low-level operations of talariafs: each handler asks the
// VirtualTree, replies exactly once, and takes its errno from ToErrno.
// Every operation that would write answers EROFS before doing any work.
// The session's userdata must be a DaemonState whose tree is set before
// the session loop starts.
//
// Thread-safe (handlers run on the session loop's threads).

#include <fuse_lowlevel.h>

namespace talaria::fs {

class VirtualTree;

struct DaemonState {
  VirtualTree* tree = nullptr;
};

const fuse_lowlevel_ops& Operations();

}  // namespace talaria::fs
