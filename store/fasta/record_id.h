#pragma once

// The id of a FASTA record: its header's first word without the '>', i.e.
// the text after '>' up to the first blank (space, tab, CR, LF, VT or FF — C
// isspace, where samtools faidx ends a name). The one rule for ingest's
// matching of records across versions, a reduction's ids (deltas.dat,
// ref2children.tsv, import) and the names in served .fai files.
// Thread-safe (pure functions).

#include <string_view>

namespace talaria::store {

inline bool EndsRecordId(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// `text` starts with the header's '>' (a header line or a whole record).
inline std::string_view RecordId(std::string_view text) {
  if (text.empty() || text.front() != '>') return {};
  size_t end = 1;
  while (end < text.size() && !EndsRecordId(text[end])) end++;
  return text.substr(1, end - 1);
}

}  // namespace talaria::store
