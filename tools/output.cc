#include "tools/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "store/core/file_io.h"

namespace talaria::tools {

namespace {
double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

void PrintJson(const nlohmann::json& j) { std::cout << j.dump(2) << '\n'; }

StatusLine::StatusLine() : enabled_(::isatty(STDERR_FILENO)), start_s_(NowSeconds()) {}

double StatusLine::elapsed_s() const { return NowSeconds() - start_s_; }

void StatusLine::Draw(const std::string& text) {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K%s", text.c_str());  // \033[K: clear the rest of the line
  drawn_ = true;
}

void StatusLine::Finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

void Progress::Update(uint64_t done, uint64_t total, uint64_t bytes) {
  if (!line_.enabled()) return;
  const double elapsed = line_.elapsed_s();
  double mbps = elapsed > 0 ? static_cast<double>(bytes) / 1e6 / elapsed : 0;
  double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  double eta = done > 0 && total > done
                   ? elapsed * static_cast<double>(total - done) / static_cast<double>(done)
                   : 0;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %llu/%llu objects (%.0f%%), %s, %.1f MB/s, ETA %.0fs",
                label_.c_str(), static_cast<unsigned long long>(done),
                static_cast<unsigned long long>(total), pct, HumanBytes(bytes).c_str(), mbps, eta);
  line_.Draw(buf);
}

nlohmann::json TaxonCountJson(const store::TaxonCount& c) {
  return {{"taxon", c.taxon},       {"name", c.name},     {"rank", c.rank},  {"records", c.records},
          {"residues", c.residues}, {"chunks", c.chunks}, {"bytes", c.bytes}};
}

core::Status WriteStreamed(const std::string& path,
                           const std::function<core::Status(const PieceSink&)>& produce) {
  if (path.empty()) {
    return produce([](std::string_view piece) {
      return core::WriteAll(STDOUT_FILENO, piece, "standard output");
    });
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto f = core::OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC);
  if (!f) return core::Propagate(f.error());
  core::Status st =
      produce([&](std::string_view piece) { return core::WriteAll(f->get(), piece, tmp); });
  if (st) st = core::Fsync(f->get(), tmp);
  if (st) st = core::Rename(tmp, path);
  if (!st) core::RemoveFile(tmp).IgnoreError();  // the first error is the one to report
  return st;
}

}  // namespace talaria::tools
