#include "tests/testing/mount.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/testing/test_util.h"

namespace talaria::testing {

std::string DaemonBinary() {
  if (const char* env = std::getenv("TALARIAFS_BIN"); env && *env) return env;
  return TALARIAFS_BIN;
}

bool IsMounted(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  const std::string want = std::filesystem::absolute(path).lexically_normal().string();
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point == want && line.find("fuse.talariafs") != std::string::npos) return true;
  }
  return false;
}

int ReadRange(const std::string& path, uint64_t off, size_t len, int advice, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return errno;
  ::posix_fadvise(fd, 0, 0, advice);
  out->assign(len, '\0');
  ssize_t got = ::pread(fd, out->data(), len, static_cast<off_t>(off));
  const int err = got < 0 ? errno : 0;
  ::close(fd);
  out->resize(got < 0 ? 0 : static_cast<size_t>(got));
  return err;
}

Mount::Mount(const std::string& store, const std::string& mountpoint,
             const std::vector<std::string>& extra_args)
    : mountpoint_(std::filesystem::absolute(mountpoint).lexically_normal().string()),
      log_(mountpoint_ + ".log") {
  std::filesystem::create_directories(mountpoint_);
  std::vector<std::string> argv = {DaemonBinary(), store, mountpoint_, "-f"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = Spawn(argv, log_, log_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (IsMounted(mountpoint_)) {
      ok_ = true;
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "talariafs exited before mounting: " + Log();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "talariafs did not mount within 10 s: " + Log();
}

std::string Mount::Log() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Mount::StopWith(int sig) {
  if (pid_ <= 0) return !IsMounted(mountpoint_);
  ::kill(pid_, sig);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return !IsMounted(mountpoint_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

Mount::~Mount() {
  if (IsMounted(mountpoint_)) {
    std::string cmd = "fusermount3 -u -z '" + mountpoint_ + "' 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) ::umount2(mountpoint_.c_str(), MNT_DETACH);
  }
  if (pid_ > 0) {
    if (!StopWith(SIGTERM)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
}

}  // namespace talaria::testing
