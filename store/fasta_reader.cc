#include "store/fasta_reader.h"

#include <cstdio>
#include <cstring>

namespace talaria::store {

using core::Result;
using core::Status;

namespace {

constexpr size_t kReadSize = 1 << 20;

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// True if any byte is below 0x20 or at least 0x7f, eight bytes at a time
// (SWAR). May only be wrong towards true, which the exact check then settles.
bool MaybeNotPrintable(std::string_view s) {
  constexpr uint64_t k01 = 0x0101010101010101ull, k20 = 0x2020202020202020ull,
                     k80 = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    if ((((x - k20) & ~x) | (x + k01) | x) & k80) return true;
  }
  for (; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f) return true;
  }
  return false;
}

std::string_view StripLineEnd(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::string_view FastaRecord::header() const {
  std::string_view h(text.data(), header_len);
  return StripLineEnd(h).substr(1);
}

std::string_view FastaRecord::id() const {
  std::string_view h = header();
  size_t end = h.find_first_of(" \t");
  return end == std::string_view::npos ? h : h.substr(0, end);
}

Result<std::unique_ptr<FastaReader>> FastaReader::Open(const std::string& path,
                                                       const FastaOptions& options) {
  TALARIA_ASSIGN_OR_RETURN(auto source, OpenByteSource(path));
  return std::make_unique<FastaReader>(std::move(source), path == "-" ? "standard input" : path,
                                       options);
}

tl::unexpected<core::Error> FastaReader::Error(uint64_t line, const std::string& what) const {
  return core::ParseError(name_ + ":" + std::to_string(line) + ": " + what);
}

Result<bool> FastaReader::NextLine(std::string_view* line) {
  for (;;) {
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', buf_.size() - pos_);
    if (nl || (eof_ && pos_ < buf_.size())) {
      size_t len =
          nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) + 1 : buf_.size() - pos_;
      *line = std::string_view(start, len);
      pos_ += len;
      bytes_read_ += len;
      ++line_no_;
      return true;
    }
    if (eof_) return false;
    buf_.erase(0, pos_);  // keep the partial line, drop what was handed out
    pos_ = 0;
    size_t old = buf_.size();
    buf_.resize(old + kReadSize);
    auto got = source_->Read(buf_.data() + old, kReadSize);
    if (!got) return core::Propagate(got.error());
    buf_.resize(old + *got);
    if (*got == 0) eof_ = true;
  }
}

Status FastaReader::CheckLine(std::string_view line, bool header) const {
  std::string_view body = line;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
  if (!header && !MaybeNotPrintable(body)) return core::OkStatus();
  for (size_t i = 0; i < body.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    bool control = c < 0x20 && c != '\t';
    bool binary = c == 0x7f || (!header && c >= 0x80);
    if (control || binary) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      return Error(line_no_, std::string(c == 0 ? "NUL" : (binary ? "binary" : "control")) +
                                 " byte " + hex + " at column " + std::to_string(i + 1) +
                                 " (not a FASTA text file?)");
    }
  }
  return core::OkStatus();
}

Result<bool> FastaReader::Next(FastaRecord* rec) {
  std::string_view line;
  if (!started_) {
    started_ = true;
    for (;;) {
      TALARIA_ASSIGN_OR_RETURN(bool more, NextLine(&line));
      if (!more) return false;  // empty input, or only blank lines
      TALARIA_RETURN_IF_ERROR(CheckLine(line, line[0] == '>'));
      if (line[0] == '>') break;
      if (!IsBlank(line)) return Error(line_no_, "sequence data before the first '>' header");
      preamble_.append(line);
    }
    pending_header_.assign(line);
    pending_line_ = line_no_;
  }
  if (pending_header_.empty()) return false;
  rec->text.assign(pending_header_);
  rec->line = pending_line_;
  rec->header_len = pending_header_.size();
  rec->residues = 0;
  pending_header_.clear();
  for (;;) {
    TALARIA_ASSIGN_OR_RETURN(bool more, NextLine(&line));
    if (!more) break;
    bool header = line[0] == '>';
    TALARIA_RETURN_IF_ERROR(CheckLine(line, header));
    if (header) {
      pending_header_.assign(line);
      pending_line_ = line_no_;
      break;
    }
    rec->text.append(line);
    rec->residues += StripLineEnd(line).size();
  }
  if (options_.strict && rec->residues == 0) {
    return Error(rec->line, "header '" + std::string(rec->id()) + "' has no sequence");
  }
  return true;
}

}  // namespace talaria::store
