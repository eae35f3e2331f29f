#pragma once

// Streams FASTA records out of a plain, gzip or zstd file or standard
// input, in constant memory (one record plus a read buffer), keeping every
// byte exactly as it is in the input: any line width, "\n" or "\r\n", lower
// case, '*', '-', every IUPAC letter. Concatenating preamble() and the
// records' text() gives back the input byte for byte.
//
// Records are handed out as views into the reader's buffer, so a record's
// bytes are copied nowhere on the way in.
//
// Malformed input is a kParse error naming the file and line: sequence data
// before the first '>', a NUL or other control or binary byte (a header may
// hold SOH, 0x01, which NCBI nr puts between the headers of identical
// sequences, and any byte from 0x80), and (with strict) a header with no
// sequence.
//
// Single-thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/core/status.h"
#include "store/fasta/byte_source.h"

namespace talaria::store {

struct FastaOptions {
  bool strict = false;  // a header with no sequence line is an error
};

struct FastaRecord {
  // Header line, sequence lines, line ends: as in the input. Points into the
  // reader's buffer and is valid until the next call to Next().
  std::string_view text;
  uint64_t line = 0;      // 1-based line number of the header
  size_t header_len = 0;  // bytes of the header line, line end included
  uint64_t residues = 0;  // sequence characters (line ends and blank lines excluded)

  // The header without '>' and without its line end.
  std::string_view header() const;
  // The first word of the header (the accession / sequence id).
  std::string_view id() const;
};

class FastaReader {
 public:
  static core::Result<std::unique_ptr<FastaReader>> Open(const std::string& path,
                                                         const FastaOptions& options = {});

  // Fills `rec` with the next record; false at the end of the input.
  core::Result<bool> Next(FastaRecord* rec);

  // Blank lines before the first header, verbatim.
  const std::string& preamble() const { return preamble_; }
  // Decompressed bytes handed out so far.
  uint64_t bytes_read() const { return bytes_read_; }
  // On-disk bytes consumed so far (for progress).
  uint64_t source_bytes_read() const { return source_->consumed_bytes(); }
  SourceEncoding encoding() const { return source_->encoding(); }
  const std::string& name() const { return name_; }

  FastaReader(std::unique_ptr<ByteSource> source, std::string name, FastaOptions options)
      : source_(std::move(source)), name_(std::move(name)), options_(options) {}

 private:
  // Makes the line starting at pos_ (line end included; the last may have
  // none) whole in the buffer and sets *len; false at the end of the input.
  // Reading more may move the buffer's contents: bytes before keep_ are
  // dropped, and offsets from keep_ on stay valid relative to it.
  core::Result<bool> NextLine(size_t* len);
  core::Status CheckLine(std::string_view line, bool header) const;
  tl::unexpected<core::Error> Error(uint64_t line, const std::string& what) const;

  std::unique_ptr<ByteSource> source_;
  std::string name_;
  FastaOptions options_;
  std::string buf_;
  size_t end_ = 0;   // bytes of buf_ holding input
  size_t pos_ = 0;   // where the next line starts
  size_t keep_ = 0;  // start of the record being read; kept when reading more
  bool eof_ = false;
  uint64_t line_no_ = 0;
  uint64_t bytes_read_ = 0;
  std::string preamble_;
  size_t header_len_ = 0;  // if not 0, pos_ is at a header line this long, already checked
  bool started_ = false;
};

}  // namespace talaria::store
