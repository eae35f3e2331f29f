#pragma once

// The FUSE low-level operations of talariafs: each handler asks the
// VirtualTree, replies exactly once, and takes its errno from ToErrno.
// Every operation that would write answers EROFS before doing any work.
// The session's userdata must be a DaemonState whose tree is set before
// the session loop starts.
//
// Thread-safe (handlers run on the session loop's threads).

#include <fuse_lowlevel.h>

#include <functional>
#include <mutex>

namespace talaria::fs {

class VirtualTree;

struct DaemonState {
  VirtualTree* tree = nullptr;
  // Run once, on the first request after INIT (the kernel has then applied
  // the INIT reply, e.g. its readahead cap).
  std::function<void()> after_init;
  std::once_flag after_init_once;
};

const fuse_lowlevel_ops& Operations();

}  // namespace talaria::fs
