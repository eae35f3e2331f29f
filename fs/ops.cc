#include "fs/ops.h"

#include <sys/statvfs.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include <spdlog/spdlog.h>

#include "fs/errno_map.h"
#include "fs/virtual_tree.h"
#include "store/core/file_io.h"

namespace talaria::fs {

namespace {

constexpr unsigned kMaxReadahead = 1u << 20;

VirtualTree& Tree(fuse_req_t req) {
  auto* state = static_cast<DaemonState*>(fuse_req_userdata(req));
  if (state->after_init) std::call_once(state->after_init_once, state->after_init);
  return *state->tree;
}

struct OpenFile {
  std::shared_ptr<const Content> content;
  // Where the last read ended: a read starting near it is sequential, and
  // the objects of the next bytes are rebuilt ahead of the kernel's requests.
  std::atomic<uint64_t> next_offset{0};
};

constexpr uint64_t kSequentialSlack = 1u << 20;
constexpr uint64_t kPrefetchWindow = 8u << 20;

// Replies with the error and counts it; ENOENT is an answer, not an error.
void ReplyError(fuse_req_t req, const core::Error& error, const char* op) {
  const int err = ToErrno(error);
  if (err != ENOENT) {
    Tree(req).stats().Add(Tree(req).stats().errors);
    spdlog::warn("{}: {}", op, error.message());
  }
  fuse_reply_err(req, err);
}

fuse_entry_param ToParam(const Entry& e) {
  fuse_entry_param p{};
  p.ino = e.ino;
  p.generation = 1;
  p.attr = e.attr;
  p.attr_timeout = e.attr_timeout_s;
  p.entry_timeout = e.entry_timeout_s;
  return p;
}

void Init(void*, fuse_conn_info* conn) {
  conn->max_readahead = std::min(conn->max_readahead, kMaxReadahead);
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  auto want = [conn](unsigned cap) {
    if (conn->capable & cap) conn->want |= cap;
  };
  want(FUSE_CAP_ASYNC_READ);
  want(FUSE_CAP_PARALLEL_DIROPS);
  want(FUSE_CAP_CACHE_SYMLINKS);
  // Listings whose scan gives attributes (by-hash/, by-taxon/) answer
  // READDIRPLUS, so `ls -l` needs no lookup per entry.
  want(FUSE_CAP_READDIRPLUS);
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_READDIRPLUS_AUTO);
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  VirtualTree& tree = Tree(req);
  tree.stats().Add(tree.stats().requests);
  tree.stats().Add(tree.stats().lookups);
  auto entry = tree.Lookup(parent, name);
  if (!entry) {
    if (entry.error().code() == core::Code::kNotFound) {
      // A negative entry: the kernel caches the miss (aligners probe for
      // sidecar files beside their input).
      tree.stats().Add(tree.stats().negative_lookups);
      fuse_entry_param p{};
      p.ino = 0;
      p.entry_timeout = 1.0;
      fuse_reply_entry(req, &p);
      return;
    }
    ReplyError(req, entry.error(), "lookup");
    return;
  }
  fuse_entry_param p = ToParam(*entry);
  fuse_reply_entry(req, &p);
}

void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Tree(req).Forget(ino, nlookup);
  fuse_reply_none(req);
}

void ForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  for (size_t i = 0; i < count; i++) Tree(req).Forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  VirtualTree& tree = Tree(req);
  tree.stats().Add(tree.stats().requests);
  auto entry = tree.GetAttr(ino);
  if (!entry) return ReplyError(req, entry.error(), "getattr");
  fuse_reply_attr(req, &entry->attr, entry->attr_timeout_s);
}

void ReadLink(fuse_req_t req, fuse_ino_t ino) {
  VirtualTree& tree = Tree(req);
  tree.stats().Add(tree.stats().requests);
  auto target = tree.ReadLink(ino);
  if (!target) return ReplyError(req, target.error(), "readlink");
  fuse_reply_readlink(req, target->c_str());
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  VirtualTree& tree = Tree(req);
  tree.stats().Add(tree.stats().requests);
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
    fuse_reply_err(req, EROFS);
    return;
  }
  auto content = tree.Open(ino);
  if (!content) return ReplyError(req, content.error(), "open");
  tree.stats().Add(tree.stats().opens);
  auto file = std::make_unique<OpenFile>();
  file->content = std::move(*content);
  if (tree.IsLive(ino)) {
    fi->direct_io = 1;  // generated at open; never mmapped by tools
  } else {
    fi->keep_cache = 1;  // content under one inode never changes
  }
  fi->noflush = 1;
  fi->fh = reinterpret_cast<uint64_t>(file.get());
  if (fuse_reply_open(req, fi) == 0) file.release();  // owned by fi->fh until Release
}

void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  VirtualTree& tree = Tree(req);
  tree.stats().Add(tree.stats().requests);
  tree.stats().Add(tree.stats().reads);
  auto* file = reinterpret_cast<OpenFile*>(fi->fh);
  thread_local std::string buffer;
  buffer.clear();
  auto st = file->content->Read(static_cast<uint64_t>(off), size, &buffer);
  if (!st) {
    tree.stats().Add(tree.stats().read_errors);
    spdlog::error("read of inode {} at offset {} (+{}): {}", ino, off, size, st.error().message());
    return ReplyError(req, st.error(), "read");
  }
  tree.stats().Add(tree.stats().bytes_served, buffer.size());
  // Decided before replying: once the reply is out, the file may be
  // released (and `file` freed) on another thread.
  const uint64_t begin = static_cast<uint64_t>(off), end = begin + buffer.size();
  const uint64_t expected = file->next_offset.exchange(end, std::memory_order_relaxed);
  std::shared_ptr<const Content> ahead;
  if (begin + kSequentialSlack >= expected && begin <= expected + kSequentialSlack) {
    ahead = file->content;
  }
  fuse_reply_buf(req, buffer.data(), buffer.size());
  if (ahead) ahead->Prefetch(end, kPrefetchWindow);
}

void Release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  std::unique_ptr<OpenFile> file(reinterpret_cast<OpenFile*>(fi->fh));
  fuse_reply_err(req, 0);
}

void OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  VirtualTree& tree = Tree(req);
  tree.stats().Add(tree.stats().requests);
  auto listing = tree.OpenDir(ino);
  if (!listing) return ReplyError(req, listing.error(), "opendir");
  fi->fh = reinterpret_cast<uint64_t>(listing->get());
  if (fuse_reply_open(req, fi) == 0) listing->release();
}

// Fills one readdir(plus) reply from `off` on. With `plus`, entries whose
// listing gave their node carry attributes (and count a lookup: only once
// the entry is known to fit); the others carry none (ino 0), which the
// kernel takes as "look it up if needed".
void FillDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi,
             bool plus) {
  VirtualTree& tree = Tree(req);
  tree.stats().Add(tree.stats().requests);
  auto* listing = reinterpret_cast<DirListing*>(fi->fh);
  std::string buf(size, '\0');
  size_t used = 0;
  for (uint64_t next = static_cast<uint64_t>(off);; next++) {
    DirEntry entry;
    if (next < 2) {
      entry = {next == 0 ? "." : "..", S_IFDIR, std::nullopt};
    } else {
      auto at = listing->At(next - 2);
      if (!at && used > 0) break;  // what fits so far; the error comes next call
      if (!at) return ReplyError(req, at.error(), "readdir");
      if (!*at) break;
      entry = std::move(**at);
    }
    const off_t cookie = static_cast<off_t>(next + 1);
    // Listed names have no inode until looked up; d_ino only has to be non-zero.
    struct stat st {};
    st.st_mode = entry.type;
    st.st_ino = next == 0 ? ino : std::hash<std::string>()(entry.name) | (uint64_t{1} << 63);
    size_t need;
    if (!plus) {
      need =
          fuse_add_direntry(req, buf.data() + used, size - used, entry.name.c_str(), &st, cookie);
    } else {
      need = fuse_add_direntry_plus(req, nullptr, 0, entry.name.c_str(), nullptr, cookie);
      if (need > size - used) break;
      fuse_entry_param p{};
      p.attr = st;
      if (entry.node) {
        auto e = tree.LookupNode(*entry.node);
        if (!e && used > 0) break;
        if (!e) return ReplyError(req, e.error(), "readdirplus");
        p = ToParam(*e);
      }
      need = fuse_add_direntry_plus(req, buf.data() + used, size - used, entry.name.c_str(), &p,
                                    cookie);
    }
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  FillDir(req, ino, size, off, fi, /*plus=*/false);
}

void ReadDirPlus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  FillDir(req, ino, size, off, fi, /*plus=*/true);
}

void ReleaseDir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  std::unique_ptr<DirListing> listing(reinterpret_cast<DirListing*>(fi->fh));
  fuse_reply_err(req, 0);
}

void StatFs(fuse_req_t req, fuse_ino_t) {
  VirtualTree& tree = Tree(req);
  tree.stats().Add(tree.stats().requests);
  auto stats = core::FileSystemStats(tree.store().paths().root());
  if (!stats) return ReplyError(req, stats.error(), "statfs");
  struct statvfs sv = *stats;
  sv.f_bfree = sv.f_bavail = 0;  // nothing can be written here
  sv.f_ffree = sv.f_favail = 0;
  sv.f_namemax = 255;
  sv.f_flag |= ST_RDONLY;
  fuse_reply_statfs(req, &sv);
}

// --- everything that would change the tree
void DenySetAttr(fuse_req_t req, fuse_ino_t, struct stat*, int, fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}
void DenyMknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) {
  fuse_reply_err(req, EROFS);
}
void DenyMkdir(fuse_req_t req, fuse_ino_t, const char*, mode_t) { fuse_reply_err(req, EROFS); }
void DenyUnlink(fuse_req_t req, fuse_ino_t, const char*) { fuse_reply_err(req, EROFS); }
void DenySymlink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
  fuse_reply_err(req, EROFS);
}
void DenyRename(fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*, unsigned) {
  fuse_reply_err(req, EROFS);
}
void DenyLink(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) { fuse_reply_err(req, EROFS); }
void DenyWrite(fuse_req_t req, fuse_ino_t, const char*, size_t, off_t, fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}
void DenyCreate(fuse_req_t req, fuse_ino_t, const char*, mode_t, fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}
void DenySetXattr(fuse_req_t req, fuse_ino_t, const char*, const char*, size_t, int) {
  fuse_reply_err(req, EROFS);
}
void DenyRemoveXattr(fuse_req_t req, fuse_ino_t, const char*) { fuse_reply_err(req, EROFS); }
void DenyFallocate(fuse_req_t req, fuse_ino_t, int, off_t, off_t, fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}

// Every handler runs inside one of these: an exception that escapes it
// (std::bad_alloc above all: our code returns errors, the standard library
// may fail to allocate) becomes an error reply instead of ending the daemon.
// Handlers throw only before they reply, so the request is answered once.
template <auto Handler>
struct Guarded;
template <typename... Args, void (*Handler)(fuse_req_t, Args...)>
struct Guarded<Handler> {
  static void Run(fuse_req_t req, Args... args) noexcept {
    try {
      Handler(req, args...);
    } catch (const std::bad_alloc&) {
      fuse_reply_err(req, ENOMEM);
    } catch (const std::exception& e) {
      spdlog::error("request failed: {}", e.what());
      fuse_reply_err(req, EIO);
    } catch (...) {
      fuse_reply_err(req, EIO);
    }
  }
  // For forget, which is answered with no reply at all.
  static void RunNoReply(fuse_req_t req, Args... args) noexcept {
    try {
      Handler(req, args...);
    } catch (...) {
      fuse_reply_none(req);
    }
  }
};

void GuardedInit(void* userdata, fuse_conn_info* conn) noexcept {
  try {
    Init(userdata, conn);
  } catch (...) {
    spdlog::error("init failed; the mount goes on with libfuse's defaults");
  }
}

fuse_lowlevel_ops MakeOperations() {
  fuse_lowlevel_ops ops{};
  ops.init = GuardedInit;
  ops.lookup = Guarded<Lookup>::Run;
  ops.forget = Guarded<Forget>::RunNoReply;
  ops.forget_multi = Guarded<ForgetMulti>::RunNoReply;
  ops.getattr = Guarded<GetAttr>::Run;
  ops.readlink = Guarded<ReadLink>::Run;
  ops.open = Guarded<Open>::Run;
  ops.read = Guarded<Read>::Run;
  ops.release = Guarded<Release>::Run;
  ops.opendir = Guarded<OpenDir>::Run;
  ops.readdir = Guarded<ReadDir>::Run;
  ops.readdirplus = Guarded<ReadDirPlus>::Run;
  ops.releasedir = Guarded<ReleaseDir>::Run;
  ops.statfs = Guarded<StatFs>::Run;
  ops.setattr = Guarded<DenySetAttr>::Run;
  ops.mknod = Guarded<DenyMknod>::Run;
  ops.mkdir = Guarded<DenyMkdir>::Run;
  ops.unlink = Guarded<DenyUnlink>::Run;
  ops.rmdir = Guarded<DenyUnlink>::Run;
  ops.symlink = Guarded<DenySymlink>::Run;
  ops.rename = Guarded<DenyRename>::Run;
  ops.link = Guarded<DenyLink>::Run;
  ops.write = Guarded<DenyWrite>::Run;
  ops.create = Guarded<DenyCreate>::Run;
  ops.setxattr = Guarded<DenySetXattr>::Run;
  ops.removexattr = Guarded<DenyRemoveXattr>::Run;
  ops.fallocate = Guarded<DenyFallocate>::Run;
  return ops;
}

}  // namespace

const fuse_lowlevel_ops& Operations() {
  static const fuse_lowlevel_ops ops = MakeOperations();
  return ops;
}

}  // namespace talaria::fs
