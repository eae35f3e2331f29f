#pragma once

// Formatting shared by talaria-store's subcommands. Data goes to stdout;
// logs, progress and errors go to stderr.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "store/core/human_bytes.h"
#include "store/taxonomy_stats.h"

namespace talaria::tools {

using core::HumanBytes;
// Writes `j` to stdout, indented, with a final newline.
void PrintJson(const nlohmann::json& j);

// A one-line progress display on stderr, drawn only when stderr is a
// terminal. Thread-compatible: callers serialise Update().
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  void Update(uint64_t done, uint64_t total, uint64_t bytes);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  double start_s_;
};

// The JSON object of one taxon's counts (taxonomy stats, stats).
nlohmann::json TaxonCountJson(const store::TaxonCount& c);

}  // namespace talaria::tools
