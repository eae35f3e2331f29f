// talariafs: mounts a talariafs store read-only (see MountUsage).
//
// Order of work: check the store (so errors reach the terminal), mount,
// become a daemon, then open the store for real — the LMDB environment must
// be opened by the process that uses it, not inherited across fork().

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

#include "fs/background_tasks.h"
#include "fs/mount_options.h"
#include "fs/ops.h"
#include "fs/virtual_tree.h"
#include "store/object/object_store.h"

namespace {

using talaria::fs::MountOptions;

struct SessionDeleter {
  void operator()(fuse_session* se) const { fuse_session_destroy(se); }
};
using SessionPtr = std::unique_ptr<fuse_session, SessionDeleter>;

struct LoopConfigDeleter {
  void operator()(fuse_loop_config* c) const { fuse_loop_cfg_destroy(c); }
};

// Mounted for as long as it lives: signal handlers in, mount up, and both
// undone in reverse on destruction.
class MountedSession {
 public:
  MountedSession(SessionPtr se, const std::string& mountpoint, bool* ok) : se_(std::move(se)) {
    *ok = fuse_set_signal_handlers(se_.get()) == 0;
    handlers_ = *ok;
    if (*ok) *ok = mounted_ = fuse_session_mount(se_.get(), mountpoint.c_str()) == 0;
  }
  ~MountedSession() {
    if (mounted_) fuse_session_unmount(se_.get());
    if (handlers_) fuse_remove_signal_handlers(se_.get());
  }
  MountedSession(const MountedSession&) = delete;
  MountedSession& operator=(const MountedSession&) = delete;
  fuse_session* get() const { return se_.get(); }

 private:
  SessionPtr se_;
  bool handlers_ = false;
  bool mounted_ = false;
};

talaria::core::Result<talaria::store::StoreConfig> Config(const MountOptions& m) {
  TALARIA_ASSIGN_OR_RETURN(auto config, talaria::store::ObjectStore::LoadConfig(m.store));
  if (m.cache_mb) config.cache_bytes = m.cache_mb << 20;
  return config;
}

// Sets the readahead of the mount's backing device (/sys/class/bdi/MAJ:MIN),
// found in /proc/self/mountinfo (stat of the mount point would be a FUSE
// request to ourselves). The kernel caps FUSE readahead at 128 KiB when it
// applies the INIT reply, so this runs after that, on the first request;
// bigger readahead lets whole chunks decode at once.
// A tuning, not a requirement: failures (not root) are only logged.
void SetReadahead(const std::string& mountpoint, uint64_t kb) {
  if (kb == 0) return;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    fields >> id >> parent >> device >> root >> point;
    if (point != mountpoint) continue;
    std::ofstream ra("/sys/class/bdi/" + device + "/read_ahead_kb");
    ra << kb << "\n";
    ra.flush();
    if (!ra) spdlog::info("could not set readahead of {} to {} KiB", mountpoint, kb);
  }
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "talariafs: %s\n", message.c_str());
  return 1;
}

int Run(const MountOptions& m) {
  auto config = Config(m);
  if (!config) return Fail(config.error().message());
  {
    auto check = talaria::store::ObjectStore::Open(m.store, *config, {});
    if (!check) return Fail("cannot open store " + m.store + ": " + check.error().message());
  }
  std::vector<char*> argv;
  for (const auto& a : m.fuse_args) argv.push_back(const_cast<char*>(a.c_str()));
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  talaria::fs::DaemonState state;
  SessionPtr se(fuse_session_new(&args, &talaria::fs::Operations(),
                                 sizeof(talaria::fs::Operations()), &state));
  if (!se) return Fail("bad FUSE options (see --help)");
  bool ok = false;
  MountedSession session(std::move(se), m.mountpoint, &ok);
  if (!ok) return Fail("cannot mount on " + m.mountpoint);
  state.after_init = [&m] { SetReadahead(m.mountpoint, m.readahead_kb); };
  if (fuse_daemonize(m.foreground ? 1 : 0) != 0) return Fail("cannot become a daemon");
  if (!m.foreground) spdlog::set_default_logger(spdlog::syslog_logger_mt("syslog", "talariafs"));
  auto store = talaria::store::ObjectStore::Open(m.store, *config, {});
  if (!store) {
    spdlog::error("cannot open store {}: {}", m.store, store.error().message());
    return 1;
  }
  talaria::fs::TreeOptions tree_options;
  tree_options.content_cache_bytes = m.map_cache_mb << 20;
  talaria::fs::VirtualTree tree(store->get(), tree_options);
  state.tree = &tree;
  talaria::fs::BackgroundTasks tasks(store->get(), std::chrono::seconds(30));
  spdlog::info("serving {} at {}", m.store, m.mountpoint);
  int rc;
  if (m.single_thread) {
    rc = fuse_session_loop(session.get());
  } else {
    std::unique_ptr<fuse_loop_config, LoopConfigDeleter> loop(fuse_loop_cfg_create());
    fuse_loop_cfg_set_max_threads(loop.get(), m.max_threads);
    fuse_loop_cfg_set_clone_fd(loop.get(), m.clone_fd ? 1 : 0);
    rc = fuse_session_loop_mt(session.get(), loop.get());
  }
  spdlog::info("unmounting {} ({})", m.mountpoint, rc > 0 ? "signal" : "unmounted");
  return rc < 0 ? 1 : 0;
}

// Decoded objects are big, short-lived buffers, and on a VM every fresh 4 KiB
// page costs a fault: with transparent huge pages for malloc's memory a cold
// read runs 1.5-2x faster (measured with tests/bench/run_mount_bench.sh).
// glibc reads that setting only at start, so the daemon re-executes itself
// once with it (same pid, same arguments) unless the caller chose otherwise.
void UseHugePagesForMalloc(char** argv) {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, "glibc.malloc.hugetlb")) return;
  std::string value = tunables && *tunables ? std::string(tunables) + ":" : std::string();
  value += "glibc.malloc.hugetlb=1";
  if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);  // returns only on failure: carry on as we are
}

}  // namespace

int main(int argc, char** argv) {
  UseHugePagesForMalloc(argv);
  // Decoded objects come and go by the megabyte. Keep freed memory in the
  // heap for the next one instead of returning it to the kernel: every fresh
  // page costs a fault, which dominates a cold read otherwise.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_ARENA_MAX, 1);
  auto m = talaria::fs::ParseMountOptions(argc, argv);
  if (!m) {
    std::fprintf(stderr, "talariafs: %s\n", m.error().message().c_str());
    return 2;
  }
  if (m->show_help) {
    std::fputs(talaria::fs::MountUsage(argv[0]).c_str(), stdout);
    return 0;
  }
  if (m->show_version) {
    std::printf("talariafs 0.1.0 (libfuse %s)\n", fuse_pkgversion());
    return 0;
  }
  return Run(*m);
}
