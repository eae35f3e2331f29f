#pragma once

// An exact edit script that turns a reference sequence into a child
// sequence (docs/FORMAT.md §4.8): copy, substitute, insert, delete. Applying
// it to the reference gives back the child's residues byte for byte, whatever
// they are (any letter, lower case, '*', '-', digits): residues are carried
// with their count, never interpreted.
//
// Text form (deltas.dat), one token per operation:
//   =N        copy the next N reference residues
//   -N        skip (delete) the next N reference residues
//   +N:RES    insert the N residues RES
//   ~N:RES    replace the next N reference residues with the N residues RES
//
// Thread-compatible (values and pure functions).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/core/status.h"

namespace talaria::store {

struct EditOp {
  enum Kind : uint8_t { kCopy = 0, kDelete = 1, kInsert = 2, kSubstitute = 3 };
  Kind kind = kCopy;
  uint32_t length = 0;   // residues of the reference (copy, delete, substitute) or inserted
  std::string residues;  // insert and substitute: the child's residues
  bool operator==(const EditOp&) const = default;
};

using EditScript = std::vector<EditOp>;

// Appends an operation, merging it with the last one when they are of one kind.
void AppendOp(EditScript* script, EditOp::Kind kind, std::string_view child_residues,
              uint32_t length);

// The child's residues. kCorruption if the script reads past the reference
// or leaves part of it unread.
core::Result<std::string> ApplyScript(std::string_view reference, const EditScript& script);

// Residue positions of the child equal to the reference's (copies), and the
// length of the alignment (copies + substitutions + insertions + deletions).
struct ScriptStats {
  uint64_t matches = 0;
  uint64_t columns = 0;
  double identity() const {
    return columns ? static_cast<double>(matches) / static_cast<double>(columns) : 1.0;
  }
};
ScriptStats Stats(const EditScript& script);

// The text form, tokens separated by `separator`.
std::string FormatScript(const EditScript& script, char separator = '\t');
// Parses one token, or a whole script of tokens separated by `separator`.
// kParse names what is wrong.
core::Result<EditOp> ParseOp(std::string_view token);
core::Result<EditScript> ParseScript(std::string_view text, char separator = '\t');

// A compact binary form (for delta_chunk objects): varints and raw residues.
void EncodeScript(const EditScript& script, std::string* out);
// Reads one script from the front of `*in` and advances it.
core::Result<EditScript> DecodeScript(std::string_view* in);

}  // namespace talaria::store
