#pragma once

// A real talariafs mount for tests: starts the daemon in the foreground on
// a store, waits until the kernel shows the mount, and unmounts (and reaps
// the daemon) on destruction.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace talaria::testing {

// The talariafs binary under test.
std::string DaemonBinary();

// Whether `path` is currently a talariafs mount point (/proc/self/mountinfo).
bool IsMounted(const std::string& path);

// Opens `path`, gives the kernel `advice` (posix_fadvise over the whole file:
// POSIX_FADV_RANDOM turns readahead off, POSIX_FADV_DONTNEED drops cached
// pages so the read reaches the daemon), reads [off, off + len) into `*out`
// with one pread (a short read is kept), closes. Returns 0 or the errno.
int ReadRange(const std::string& path, uint64_t off, size_t len, int advice, std::string* out);

class Mount {
 public:
  // `mountpoint` is created if missing. The daemon's log goes to `log`.
  Mount(const std::string& store, const std::string& mountpoint,
        const std::vector<std::string>& extra_args = {});
  ~Mount();
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }
  std::string operator/(const std::string& rel) const { return mountpoint_ + "/" + rel; }
  const std::string& path() const { return mountpoint_; }
  std::string Log() const;

  // Sends `sig` to the daemon and waits up to 10 s for it to exit; true if
  // it exited and the mount is gone.
  bool StopWith(int sig);

 private:
  std::string mountpoint_;
  std::string log_;
  pid_t pid_ = -1;
  bool ok_ = false;
  std::string error_;
};

}  // namespace talaria::testing
