#include "store/fasta/fasta_index.h"

#include <cctype>

#include "store/core/coding.h"
#include "store/fasta/record_id.h"

namespace talaria::store {

namespace {

constexpr char kMagic[] = "TFAI1";

// Adds one sequence line (without its line end) to `r`.
void AddSequenceLine(FaiRecord* r, uint64_t bases, uint64_t eol, bool* short_seen) {
  if (bases == 0) {  // a blank line: only trailing ones are allowed
    *short_seen = r->line_bases > 0 || r->residues > 0;
    return;
  }
  if (*short_seen) r->regular = false;
  if (r->residues == 0) {
    r->line_bases = bases;
    r->line_width = bases + eol;
  } else if (bases > r->line_bases ||
             (bases == r->line_bases && eol != 0 && bases + eol != r->line_width)) {
    r->regular = false;
  }
  if (bases < r->line_bases) *short_seen = true;
  r->residues += bases;
}

}  // namespace

std::vector<FaiRecord> IndexFastaRecords(std::string_view text) {
  std::vector<FaiRecord> out;
  bool short_seen = false;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    uint64_t eol = nl == std::string_view::npos ? 0 : 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
      eol++;
    }
    if (!line.empty() && line[0] == '>') {
      FaiRecord r;
      r.name.assign(RecordId(line));
      r.start = pos;
      r.seq_offset = (end - pos) + (nl == std::string_view::npos ? 0 : 1);
      out.push_back(std::move(r));
      short_seen = false;
    } else if (!out.empty()) {
      AddSequenceLine(&out.back(), line.size(), eol, &short_seen);
    }
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return out;
}

// Starts are stored as the gap from the previous record's start, so that an
// edited record changes its own entry only and an update's index is a small
// byte delta against the previous version's.
std::string EncodeFaiRecords(const std::vector<FaiRecord>& records) {
  std::string out = kMagic;
  core::PutVarint(&out, records.size());
  uint64_t previous_start = 0;
  for (const FaiRecord& r : records) {
    core::PutVarint(&out, r.name.size());
    out += r.name;
    for (uint64_t v : {r.start - previous_start, r.seq_offset, r.residues, r.line_bases,
                       r.line_width, uint64_t{r.regular}}) {
      core::PutVarint(&out, v);
    }
    previous_start = r.start;
  }
  return out;
}

core::Result<std::vector<FaiRecord>> DecodeFaiRecords(std::string_view in) {
  auto bad = [] { return core::Corruption("not a FASTA record index"); };
  if (in.substr(0, sizeof(kMagic) - 1) != kMagic) return bad();
  in.remove_prefix(sizeof(kMagic) - 1);
  uint64_t n = 0;
  if (!core::GetVarint(&in, &n) || n > in.size()) return bad();
  std::vector<FaiRecord> out(n);
  uint64_t previous_start = 0;
  for (FaiRecord& r : out) {
    uint64_t len = 0, regular = 0;
    if (!core::GetVarint(&in, &len) || len > in.size()) return bad();
    r.name.assign(in.substr(0, len));
    in.remove_prefix(len);
    for (uint64_t* v :
         {&r.start, &r.seq_offset, &r.residues, &r.line_bases, &r.line_width, &regular}) {
      if (!core::GetVarint(&in, v)) return bad();
    }
    r.regular = regular != 0;
    r.start += previous_start;
    previous_start = r.start;
  }
  if (!in.empty()) return bad();
  return out;
}

}  // namespace talaria::store
