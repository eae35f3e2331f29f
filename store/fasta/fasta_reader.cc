#include "store/fasta/fasta_reader.h"

#include <algorithm>
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

Result<bool> FastaReader::NextLine(size_t* len) {
  size_t scanned = 0;  // bytes from pos_ on known to hold no line end
  for (;;) {
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start + scanned, '\n', end_ - pos_ - scanned);
    if (nl || (eof_ && pos_ < end_)) {
      *len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) + 1 : end_ - pos_;
      return true;
    }
    if (eof_) return false;
    scanned = end_ - pos_;
    if (keep_ > 0) {  // drop what was handed out, keep the record being read
      std::memmove(buf_.data(), buf_.data() + keep_, end_ - keep_);
      end_ -= keep_;
      pos_ -= keep_;
      keep_ = 0;
    }
    if (buf_.size() - end_ < kReadSize) buf_.resize(std::max(2 * buf_.size(), end_ + kReadSize));
    auto got = source_->Read(buf_.data() + end_, buf_.size() - end_);
    if (!got) return core::Propagate(got.error());
    end_ += *got;
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
    // SOH joins the headers of identical sequences in NCBI nr.
    bool control = c < 0x20 && c != '\t' && !(header && c == 0x01);
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
  size_t len = 0;
  if (!started_) {
    started_ = true;
    for (;;) {
      keep_ = pos_;
      TALARIA_ASSIGN_OR_RETURN(bool more, NextLine(&len));
      if (!more) return false;  // empty input, or only blank lines
      std::string_view line(buf_.data() + pos_, len);
      ++line_no_;
      TALARIA_RETURN_IF_ERROR(CheckLine(line, line[0] == '>'));
      if (line[0] == '>') break;  // not consumed: the first record starts here
      if (!IsBlank(line)) return Error(line_no_, "sequence data before the first '>' header");
      preamble_.append(line);
      pos_ += len;
      bytes_read_ += len;
    }
    header_len_ = len;
  }
  if (header_len_ == 0) return false;
  keep_ = pos_;
  rec->line = line_no_;
  rec->header_len = header_len_;
  rec->residues = 0;
  pos_ += header_len_;
  header_len_ = 0;
  for (;;) {
    TALARIA_ASSIGN_OR_RETURN(bool more, NextLine(&len));
    if (!more) break;
    std::string_view line(buf_.data() + pos_, len);
    ++line_no_;
    bool header = line[0] == '>';
    TALARIA_RETURN_IF_ERROR(CheckLine(line, header));
    if (header) {
      header_len_ = len;  // the next record's; not consumed
      break;
    }
    rec->residues += StripLineEnd(line).size();
    pos_ += len;
  }
  rec->text = std::string_view(buf_.data() + keep_, pos_ - keep_);
  bytes_read_ += rec->text.size();
  if (options_.strict && rec->residues == 0) {
    return Error(rec->line, "header '" + std::string(rec->id()) + "' has no sequence");
  }
  return true;
}

}  // namespace talaria::store
