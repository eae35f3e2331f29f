#pragma once

// What a samtools .fai line needs of each record of a FASTA text made of
// whole records (a chunk's bytes): name, where the record and its residues
// start, residue count and line geometry. Computed once at ingest and stored
// beside each chunk (kind fasta_index), so the .fai of any file the mount
// assembles from chunks comes from these, not from reading the file.
//
// samtools' rules: the name is the header up to the first white space; the
// residues start after the header's line end; every sequence line but the
// last has the same width; `\r\n` counts in the line width. A record whose
// lines break that rule is marked irregular (no .fai can describe it).
//
// Thread-safe (pure functions).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/core/status.h"

namespace talaria::store {

struct FaiRecord {
  std::string name;
  uint64_t start = 0;       // offset of the record's '>' in the text
  uint64_t seq_offset = 0;  // offset of its first residue, from `start`
  uint64_t residues = 0;
  uint64_t line_bases = 0;  // residues per full line
  uint64_t line_width = 0;  // bytes per full line, line end included
  bool regular = true;
  bool operator==(const FaiRecord&) const = default;
};

std::vector<FaiRecord> IndexFastaRecords(std::string_view text);

std::string EncodeFaiRecords(const std::vector<FaiRecord>& records);
// kCorruption for bytes that are not an encoding of FaiRecords.
core::Result<std::vector<FaiRecord>> DecodeFaiRecords(std::string_view bytes);

}  // namespace talaria::store
