#pragma once

// A reduction's child (docs/FORMAT.md §4.8, §7.1): everything needed to give its
// FASTA record back byte for byte from its reference's residues — its id,
// its reference's id, its taxon, its header line verbatim, how its residues
// were cut into lines, the edit script, and the SHA-256 of the record text
// to check the rebuild against.
//
// Forms: a delta_chunk object holds the children of one reference chunk
// (binary, EncodeDeltaChunk); deltas.dat has one line per child:
//   child_id TAB reference_id TAB taxon:N TAB >header TAB @layout TAB #sha256 TAB op TAB op ...
// where >header is the header line without its line end (TAB, CR and '\'
// escaped as \t, \r and \\), @layout is "@W" (lines of W residues, the last
// shorter, each ending "\n"; "@Wr" for "\r\n") or an explicit list
// "@L:E,L:E,..." of line lengths and ends (n, r or e for none), #sha256 is
// the hex SHA-256 of the child's record text, and the ops are
// edit_script.h's tokens.
//
// Thread-compatible (values and pure functions).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/reduce/edit_script.h"

namespace talaria::store {

// How a record's sequence residues are laid out in lines.
struct LineLayout {
  enum End : uint8_t { kLf = 0, kCrLf = 1, kNone = 2 };
  uint32_t width = 0;  // > 0: uniform lines of `width`, each ending `end`
  End end = kLf;
  std::vector<std::pair<uint32_t, End>> lines;  // width == 0: every line
  bool operator==(const LineLayout&) const = default;
};

// A FASTA record split into what a delta keeps apart.
struct RecordParts {
  std::string_view header_line;  // '>' up to its line end, line end included
  std::string residues;          // sequence lines without their line ends
  LineLayout layout;
};
RecordParts SplitRecord(std::string_view record_text);
// header_line + residues cut into lines as `layout` says. kCorruption when
// the layout does not add up to the residues.
core::Result<std::string> JoinRecord(std::string_view header_line, std::string_view residues,
                                     const LineLayout& layout);

struct DeltaRecord {
  std::string child_id;
  std::string reference_id;
  // Which record of its reference chunk the reference is (ids need not be
  // unique); not in deltas.dat, where the id names it.
  uint32_t reference_index = 0;
  uint32_t taxon = 0;
  std::string header_line;  // verbatim, line end included
  LineLayout layout;
  EditScript script;      // reference residues -> child residues
  core::ObjectId sha256;  // of the child's record text
  bool operator==(const DeltaRecord&) const = default;
};

// The child's record text from its reference's residues, checked against
// its SHA-256 (kCorruption on any mismatch).
core::Result<std::string> RebuildChild(const DeltaRecord& d, std::string_view reference_residues);

std::string EncodeDeltaChunk(const std::vector<DeltaRecord>& records);
core::Result<std::vector<DeltaRecord>> DecodeDeltaChunk(std::string_view bytes);

// One deltas.dat line (with its "\n"), and back.
// The tab-separated fields of a line of deltas.dat or ref2children.tsv.
std::vector<std::string_view> SplitTabs(std::string_view line);
std::string FormatDeltaLine(const DeltaRecord& d);
core::Result<DeltaRecord> ParseDeltaLine(std::string_view line);

}  // namespace talaria::store
