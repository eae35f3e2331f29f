#include "fs/faidx.h"

#include <cctype>
#include <optional>
#include <unordered_set>

namespace talaria::fs {

namespace {

// One record's numbers as they accumulate, line by line.
struct Record {
  std::string name;
  uint64_t length = 0;      // residues
  uint64_t offset = 0;      // of the first residue
  uint64_t line_bases = 0;  // of the first sequence line
  uint64_t line_width = 0;
  uint64_t lines = 0;
  bool short_line_seen = false;  // a line shorter than the first: must be the last
};

class FaidxBuilder {
 public:
  core::Status Line(std::string_view line, uint64_t line_start, uint64_t eol_bytes) {
    if (!line.empty() && line[0] == '>') {
      Flush();
      size_t end = 1;
      while (end < line.size() && !isspace(static_cast<unsigned char>(line[end]))) end++;
      record_ = Record{};
      record_->name.assign(line.substr(1, end - 1));
      record_->offset = line_start + line.size() + eol_bytes;
      return core::OkStatus();
    }
    if (!record_) return core::OkStatus();  // preamble (blank lines)
    Record& r = *record_;
    if (line.empty()) {
      r.short_line_seen = r.lines > 0;
      return core::OkStatus();
    }
    if (r.short_line_seen) {
      return core::Unsupported("record " + r.name + " has lines of different widths");
    }
    if (r.lines == 0) {
      r.line_bases = line.size();
      r.line_width = line.size() + eol_bytes;
    } else if (line.size() > r.line_bases || (line.size() == r.line_bases && eol_bytes != 0 &&
                                              line.size() + eol_bytes != r.line_width)) {
      return core::Unsupported("record " + r.name + " has lines of different widths");
    }
    if (line.size() < r.line_bases) r.short_line_seen = true;
    r.length += line.size();
    r.lines++;
    return core::OkStatus();
  }

  std::string Finish() {
    Flush();
    return std::move(out_);
  }

 private:
  void Flush() {
    if (!record_) return;
    const Record& r = *record_;
    if (seen_.insert(r.name).second) {
      out_ += r.name + "\t" + std::to_string(r.length) + "\t" + std::to_string(r.offset) + "\t" +
              std::to_string(r.line_bases) + "\t" + std::to_string(r.line_width) + "\n";
    }
    record_.reset();
  }

  std::optional<Record> record_;
  std::unordered_set<std::string> seen_;
  std::string out_;
};

}  // namespace

core::Result<std::string> BuildFaidx(const Content& fasta) {
  constexpr uint64_t kBlock = 1 << 20;
  FaidxBuilder builder;
  std::string carry;  // an unfinished line from the previous block
  uint64_t carry_start = 0;
  std::string block;
  for (uint64_t pos = 0; pos < fasta.size(); pos += kBlock) {
    block.clear();
    TALARIA_RETURN_IF_ERROR(fasta.Read(pos, kBlock, &block));
    size_t begin = 0;
    while (begin < block.size()) {
      size_t nl = block.find('\n', begin);
      if (nl == std::string::npos) {
        if (carry.empty()) carry_start = pos + begin;
        carry.append(block, begin);
        break;
      }
      std::string_view line;
      uint64_t line_start;
      if (!carry.empty()) {
        carry.append(block, begin, nl - begin);
        line = carry;
        line_start = carry_start;
      } else {
        line = std::string_view(block).substr(begin, nl - begin);
        line_start = pos + begin;
      }
      uint64_t eol = 1;
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
        eol = 2;
      }
      TALARIA_RETURN_IF_ERROR(builder.Line(line, line_start, eol));
      carry.clear();
      begin = nl + 1;
    }
  }
  if (!carry.empty()) {
    std::string_view line = carry;
    if (line.back() == '\r') line.remove_suffix(1);
    TALARIA_RETURN_IF_ERROR(builder.Line(line, carry_start, 0));
  }
  return builder.Finish();
}

}  // namespace talaria::fs
