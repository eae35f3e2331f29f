#pragma once

// Formatting shared by talaria-store's subcommands. Data goes to stdout;
// logs, progress and errors go to stderr.

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/catalog/taxonomy_stats.h"
#include "store/core/human_bytes.h"
#include "store/core/status.h"
#include "store/core/time_text.h"

namespace talaria::tools {

using core::HumanBytes;
// Writes `j` to stdout, indented, with a final newline.
void PrintJson(const nlohmann::json& j);

// One refreshed status line on stderr, drawn only when stderr is a
// terminal, and ended with a newline once something was drawn.
// Thread-compatible: callers serialise Draw().
class StatusLine {
 public:
  StatusLine();
  ~StatusLine() { Finish(); }
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;
  bool enabled() const { return enabled_; }
  double elapsed_s() const;            // since construction
  void Draw(const std::string& text);  // replaces what the line showed
  void Finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  double start_s_;
};

// "label: done/total objects (P%), bytes, MB/s, ETA" on a StatusLine.
class Progress {
 public:
  explicit Progress(std::string label) : label_(std::move(label)) {}
  void Update(uint64_t done, uint64_t total, uint64_t bytes);
  void Finish() { line_.Finish(); }

 private:
  std::string label_;
  StatusLine line_;
};

using core::Iso8601;

// Runs `produce`, which writes its output in pieces to the sink it is given:
// to standard output when `path` is empty, else to `path` atomically (a
// temporary file, fsynced, then renamed; removed on failure).
using PieceSink = std::function<core::Status(std::string_view)>;
core::Status WriteStreamed(const std::string& path,
                           const std::function<core::Status(const PieceSink&)>& produce);

// The JSON object of one taxon's counts (taxonomy stats, stats).
nlohmann::json TaxonCountJson(const store::TaxonCount& c);

}  // namespace talaria::tools
