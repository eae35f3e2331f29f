#include "fs/mount_options.h"

#include <charconv>
#include <filesystem>
#include <optional>

namespace talaria::fs {

namespace {

bool ParseNumber(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits "a,b,c" (no escaping: our values never hold commas).
std::vector<std::string> SplitOptions(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::string MountUsage(const char* program) {
  return std::string("usage: ") + program +
         " STORE MOUNTPOINT [options]\n"
         "\n"
         "Mounts the talariafs store at STORE, read-only, at MOUNTPOINT:\n"
         "  by-hash/<sha256>                    every object's bytes\n"
         "  by-taxon/<taxid>/<db>.fasta         records of one taxon in the current version of "
         "<db>\n"
         "  by-taxon/<taxid>/<db>.subtree.fasta ... and of its descendants (taxonomy loaded)\n"
         "  by-taxon/<taxid>/.name              scientific name and rank\n"
         "  databases/<db>/<version>/<file>     each ingested file, byte for byte; current -> "
         "newest\n"
         "  <fasta>.fai                         a samtools faidx index beside every FASTA\n"
         "  .talaria/stats.json                 live counters\n"
         "\n"
         "options:\n"
         "  -h, --help             this text\n"
         "  -V, --version          the version\n"
         "  -f                     stay in the foreground (default: become a daemon, log to "
         "syslog)\n"
         "  -d                     debug: foreground, every FUSE request logged\n"
         "  -s                     one thread\n"
         "  -o cache_mb=N          MiB of decompressed objects kept (default: [cache] size_mb\n"
         "                         of the store's storage.toml, 256)\n"
         "  -o map_cache_mb=N      MiB of file maps kept for files not open (default 64)\n"
         "  -o max_threads=N       request threads (default 10)\n"
         "  -o readahead_kb=N      kernel readahead of the mount, KiB (default 1024; needs root;\n"
         "                         0 keeps the kernel's 128)\n"
         "  -o clone_fd            one /dev/fuse fd per thread\n"
         "  -o allow_other         let other users read the mount (needs user_allow_other in\n"
         "                         /etc/fuse.conf unless root); turns on default_permissions\n"
         "  -o OPT                 any other FUSE mount option (see mount.fuse3(8))\n"
         "\n"
         "The mount is read-only: writes fail with EROFS. Unmount with fusermount3 -u MOUNTPOINT\n"
         "or by sending the daemon SIGTERM or SIGINT.\n"
         "fstab:  /srv/store  /mnt/talaria  fuse.talariafs  ro,allow_other,nofail  0 0\n";
}

core::Result<MountOptions> ParseMountOptions(int argc, char** argv) {
  MountOptions m;
  m.fuse_args.push_back(argc > 0 ? argv[0] : "talariafs");
  std::vector<std::string> positional;
  std::vector<std::string> fuse_opts;
  bool allow_other = false;
  auto take_options = [&](std::string_view list) -> core::Status {
    for (const std::string& opt : SplitOptions(list)) {
      std::string_view o = opt;
      auto value = [&](std::string_view key, uint64_t* out) -> std::optional<core::Status> {
        if (o.substr(0, key.size()) != key) return std::nullopt;
        if (!ParseNumber(o.substr(key.size()), out)) {
          return core::InvalidArgument("bad value in -o " + opt);
        }
        return core::OkStatus();
      };
      uint64_t threads = 0;
      if (auto st = value("cache_mb=", &m.cache_mb)) {
        TALARIA_RETURN_IF_ERROR(*st);
      } else if (auto st2 = value("map_cache_mb=", &m.map_cache_mb)) {
        TALARIA_RETURN_IF_ERROR(*st2);
      } else if (auto st4 = value("readahead_kb=", &m.readahead_kb)) {
        TALARIA_RETURN_IF_ERROR(*st4);
      } else if (auto st3 = value("max_threads=", &threads)) {
        TALARIA_RETURN_IF_ERROR(*st3);
        if (threads == 0) return core::InvalidArgument("max_threads must be at least 1");
        m.max_threads = static_cast<unsigned>(threads);
      } else if (o == "clone_fd") {
        m.clone_fd = true;
      } else if (o == "rw" || o == "ro") {
        // mount(8) passes "rw" unless told "ro"; the mount is read-only either way.
      } else {
        if (o == "allow_other") allow_other = true;
        fuse_opts.push_back(opt);
      }
    }
    return core::OkStatus();
  };
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      m.show_help = true;
    } else if (a == "-V" || a == "--version") {
      m.show_version = true;
    } else if (a == "-f") {
      m.foreground = true;
    } else if (a == "-d" || a == "-odebug") {
      m.debug = m.foreground = true;
    } else if (a == "-s") {
      m.single_thread = true;
    } else if (a == "-o") {
      if (i + 1 >= argc) return core::InvalidArgument("-o needs a value");
      TALARIA_RETURN_IF_ERROR(take_options(argv[++i]));
    } else if (a.substr(0, 2) == "-o") {
      TALARIA_RETURN_IF_ERROR(take_options(a.substr(2)));
    } else if (!a.empty() && a[0] == '-') {
      return core::InvalidArgument("unknown option " + std::string(a) + " (see --help)");
    } else {
      positional.emplace_back(a);
    }
  }
  if (m.show_help || m.show_version) return m;
  if (positional.size() != 2) {
    return core::InvalidArgument("expected STORE and MOUNTPOINT (see --help)");
  }
  std::error_code ec;
  auto store = std::filesystem::absolute(positional[0], ec);
  m.store = ec ? positional[0] : store.lexically_normal().string();
  // Absolute: a daemon changes to / and must still find it to unmount.
  auto mountpoint = std::filesystem::absolute(positional[1], ec);
  m.mountpoint = ec ? positional[1] : mountpoint.lexically_normal().string();
  if (m.mountpoint.size() > 1 && m.mountpoint.back() == '/') m.mountpoint.pop_back();
  if (allow_other) fuse_opts.push_back("default_permissions");
  fuse_opts.push_back("fsname=talariafs:" + m.store);
  fuse_opts.push_back("subtype=talariafs");
  fuse_opts.push_back("nodev");
  fuse_opts.push_back("nosuid");
  fuse_opts.push_back("ro");  // last, so nothing before it can undo it
  std::string joined;
  for (const auto& o : fuse_opts) joined += (joined.empty() ? "" : ",") + o;
  m.fuse_args.push_back("-o" + joined);
  if (m.debug) m.fuse_args.push_back("-d");
  return m;
}

}  // namespace talaria::fs
