#pragma once

// Command line of the talariafs daemon:
//   talariafs STORE MOUNTPOINT [-f] [-d] [-s] [-o opt[,opt...]]
// mount.fuse3 (fstab type fuse.talariafs) calls it the same way. Our own
// -o options are taken out; the rest go to libfuse. The mount is always
// read-only; allow_other brings default_permissions with it.
//
// Single-thread (parse once, at start).

#include <cstdint>
#include <string>
#include <vector>

#include "store/core/status.h"

namespace talaria::fs {

struct MountOptions {
  std::string store;       // absolute path of the store
  std::string mountpoint;  // as given
  bool foreground = false;
  bool debug = false;
  bool single_thread = false;
  unsigned max_threads = 10;
  bool clone_fd = false;
  bool show_help = false;
  bool show_version = false;
  uint64_t cache_mb = 0;         // object cache; 0: the store's configured size
  uint64_t map_cache_mb = 64;    // file maps and generated files
  uint64_t readahead_kb = 1024;  // the mount's kernel readahead (0: the kernel's default)
  // Arguments for fuse_session_new (argv[0] first, then -o options).
  std::vector<std::string> fuse_args;
};

// kInvalidArgument with a message for the user on a bad command line.
core::Result<MountOptions> ParseMountOptions(int argc, char** argv);

// The text of --help (our options, then libfuse's mount options).
std::string MountUsage(const char* program);

}  // namespace talaria::fs
