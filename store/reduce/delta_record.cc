#include "store/reduce/delta_record.h"

#include <charconv>

#include "store/core/coding.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;

namespace {

constexpr char kDeltaChunkMagic[] = "TLDC1";

LineLayout::End EndOf(std::string_view line_with_end, size_t* content_len) {
  if (!line_with_end.empty() && line_with_end.back() == '\n') {
    if (line_with_end.size() >= 2 && line_with_end[line_with_end.size() - 2] == '\r') {
      *content_len = line_with_end.size() - 2;
      return LineLayout::kCrLf;
    }
    *content_len = line_with_end.size() - 1;
    return LineLayout::kLf;
  }
  *content_len = line_with_end.size();
  return LineLayout::kNone;
}

const char* EndText(LineLayout::End e) {
  return e == LineLayout::kLf ? "\n" : e == LineLayout::kCrLf ? "\r\n" : "";
}

// Uniform when every line but the last is `width` long, the last is 1..width,
// and all end the same way (with an end).
LineLayout Compact(std::vector<std::pair<uint32_t, LineLayout::End>> lines) {
  LineLayout l;
  bool uniform = !lines.empty() && lines[0].first > 0 && lines[0].second != LineLayout::kNone;
  for (size_t i = 0; uniform && i < lines.size(); i++) {
    const bool last = i + 1 == lines.size();
    uniform = lines[i].second == lines[0].second &&
              (last ? lines[i].first >= 1 && lines[i].first <= lines[0].first
                    : lines[i].first == lines[0].first);
  }
  if (uniform) {
    l.width = lines[0].first;
    l.end = lines[0].second;
  } else {
    l.lines = std::move(lines);
  }
  return l;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::string> Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return core::ParseError("header ends in a lone '\\'");
    if (s[i] == 't') {
      out += '\t';
    } else if (s[i] == 'r') {
      out += '\r';
    } else if (s[i] == '\\') {
      out += '\\';
    } else {
      return core::ParseError(std::string("unknown escape \\") + s[i] + " in header");
    }
  }
  return out;
}

void PutString(std::string* out, std::string_view s) {
  core::PutVarint(out, s.size());
  out->append(s);
}

bool GetString(std::string_view* in, std::string* s) {
  uint64_t n = 0;
  if (!core::GetVarint(in, &n) || n > in->size()) return false;
  s->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

}  // namespace

RecordParts SplitRecord(std::string_view text) {
  RecordParts p;
  size_t nl = text.find('\n');
  const size_t header_end = nl == std::string_view::npos ? text.size() : nl + 1;
  p.header_line = text.substr(0, header_end);
  std::vector<std::pair<uint32_t, LineLayout::End>> lines;
  p.residues.reserve(text.size() - header_end);  // at most; no growth by doubling
  for (size_t pos = header_end; pos < text.size();) {
    size_t end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    size_t content = 0;
    const LineLayout::End e = EndOf(text.substr(pos, end - pos), &content);
    p.residues.append(text.substr(pos, content));
    lines.emplace_back(static_cast<uint32_t>(content), e);
    pos = end;
  }
  p.layout = Compact(std::move(lines));
  return p;
}

Result<std::string> JoinRecord(std::string_view header_line, std::string_view residues,
                               const LineLayout& layout) {
  std::string out(header_line);
  if (layout.width > 0) {
    for (size_t pos = 0; pos < residues.size(); pos += layout.width) {
      out.append(residues.substr(pos, layout.width));
      out += EndText(layout.end);
    }
    return out;
  }
  size_t pos = 0;
  for (const auto& [len, end] : layout.lines) {
    if (len > residues.size() - pos)
      return core::Corruption("line layout longer than the residues");
    out.append(residues.substr(pos, len));
    out += EndText(end);
    pos += len;
  }
  if (pos != residues.size()) return core::Corruption("line layout shorter than the residues");
  return out;
}

Result<std::string> RebuildChild(const DeltaRecord& d, std::string_view reference_residues) {
  TALARIA_ASSIGN_OR_RETURN(std::string residues, ApplyScript(reference_residues, d.script));
  TALARIA_ASSIGN_OR_RETURN(std::string text, JoinRecord(d.header_line, residues, d.layout));
  if (ObjectId::Hash(text) != d.sha256) {
    return core::Corruption("child " + d.child_id + " rebuilt from " + d.reference_id +
                            " does not match its SHA-256");
  }
  return text;
}

std::string EncodeDeltaChunk(const std::vector<DeltaRecord>& records) {
  std::string out(kDeltaChunkMagic);
  core::PutVarint(&out, records.size());
  for (const DeltaRecord& d : records) {
    PutString(&out, d.child_id);
    PutString(&out, d.reference_id);
    core::PutVarint(&out, d.reference_index);
    core::PutVarint(&out, d.taxon);
    PutString(&out, d.header_line);
    core::PutVarint(&out, d.layout.width);
    if (d.layout.width > 0) {
      out += static_cast<char>(d.layout.end);
    } else {
      core::PutVarint(&out, d.layout.lines.size());
      for (const auto& [len, end] : d.layout.lines)
        core::PutVarint(&out, (uint64_t{len} << 2) | end);
    }
    out.append(d.sha256.view());
    EncodeScript(d.script, &out);
  }
  return out;
}

Result<std::vector<DeltaRecord>> DecodeDeltaChunk(std::string_view in) {
  auto bad = [] { return core::Corruption("not a delta chunk (or a damaged one)"); };
  if (in.substr(0, sizeof kDeltaChunkMagic - 1) != kDeltaChunkMagic) return bad();
  in.remove_prefix(sizeof kDeltaChunkMagic - 1);
  uint64_t n = 0;
  if (!core::GetVarint(&in, &n) || n > in.size()) return bad();
  std::vector<DeltaRecord> records(n);
  for (DeltaRecord& d : records) {
    uint64_t taxon = 0, width = 0, ref_index = 0;
    if (!GetString(&in, &d.child_id) || !GetString(&in, &d.reference_id) ||
        !core::GetVarint(&in, &ref_index) || ref_index > UINT32_MAX ||
        !core::GetVarint(&in, &taxon) || !GetString(&in, &d.header_line) ||
        !core::GetVarint(&in, &width) || width > UINT32_MAX) {
      return bad();
    }
    d.taxon = static_cast<uint32_t>(taxon);
    d.reference_index = static_cast<uint32_t>(ref_index);
    d.layout.width = static_cast<uint32_t>(width);
    if (width > 0) {
      if (in.empty() || static_cast<uint8_t>(in[0]) > LineLayout::kNone) return bad();
      d.layout.end = static_cast<LineLayout::End>(in[0]);
      in.remove_prefix(1);
    } else {
      uint64_t lines = 0;
      if (!core::GetVarint(&in, &lines) || lines > in.size()) return bad();
      for (uint64_t i = 0; i < lines; i++) {
        uint64_t v = 0;
        if (!core::GetVarint(&in, &v) || (v & 3) > LineLayout::kNone) return bad();
        d.layout.lines.emplace_back(static_cast<uint32_t>(v >> 2),
                                    static_cast<LineLayout::End>(v & 3));
      }
    }
    if (in.size() < ObjectId::kSize) return bad();
    d.sha256 = ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(in.data()));
    in.remove_prefix(ObjectId::kSize);
    TALARIA_ASSIGN_OR_RETURN(d.script, DecodeScript(&in));
  }
  if (!in.empty()) return bad();
  return records;
}

std::string FormatDeltaLine(const DeltaRecord& d) {
  std::string out =
      d.child_id + '\t' + d.reference_id + "\ttaxon:" + std::to_string(d.taxon) + '\t';
  // A child has residues, so its header line ends in "\n" (maybe "\r\n":
  // the '\r' stays, escaped).
  std::string_view header = d.header_line;
  if (!header.empty() && header.back() == '\n') header.remove_suffix(1);
  out += Escape(header);
  out += "\t@";
  if (d.layout.width > 0) {
    out += std::to_string(d.layout.width);
    if (d.layout.end == LineLayout::kCrLf) out += 'r';
    if (d.layout.end == LineLayout::kNone) out += 'e';
  } else {
    for (size_t i = 0; i < d.layout.lines.size(); i++) {
      if (i > 0) out += ',';
      out += std::to_string(d.layout.lines[i].first) + ':' + "nre"[d.layout.lines[i].second];
    }
  }
  out += "\t#" + d.sha256.Hex();
  if (!d.script.empty()) out += '\t' + FormatScript(d.script);
  out += '\n';
  return out;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t pos = 0;;) {
    const size_t tab = line.find('\t', pos);
    fields.push_back(
        line.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos));
    if (tab == std::string_view::npos) return fields;
    pos = tab + 1;
  }
}

Result<DeltaRecord> ParseDeltaLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const std::vector<std::string_view> f = SplitTabs(line);
  if (f.size() < 6)
    return core::ParseError("a deltas.dat line has at least 6 tab-separated fields");
  DeltaRecord d;
  d.child_id = f[0];
  d.reference_id = f[1];
  if (f[2].substr(0, 6) != "taxon:") return core::ParseError("third field is not taxon:N");
  auto [tp, tec] = std::from_chars(f[2].data() + 6, f[2].data() + f[2].size(), d.taxon);
  if (tec != std::errc() || tp != f[2].data() + f[2].size()) return core::ParseError("bad taxon");
  if (f[3].empty() || f[3][0] != '>') return core::ParseError("fourth field is not a >header");
  if (f[4].empty() || f[4][0] != '@') return core::ParseError("fifth field is not an @layout");
  if (f[5].size() != 65 || f[5][0] != '#') return core::ParseError("sixth field is not a #sha256");
  TALARIA_ASSIGN_OR_RETURN(d.header_line, Unescape(f[3]));
  std::string_view layout = f[4].substr(1);
  if (layout.find(':') == std::string_view::npos) {
    auto [p, ec] = std::from_chars(layout.data(), layout.data() + layout.size(), d.layout.width);
    if (ec != std::errc() || d.layout.width == 0)
      return core::ParseError("bad layout @" + std::string(layout));
    std::string_view rest(p, layout.data() + layout.size() - p);
    d.layout.end = rest.empty()  ? LineLayout::kLf
                   : rest == "r" ? LineLayout::kCrLf
                   : rest == "e" ? LineLayout::kNone
                                 : LineLayout::End{3};
    if (d.layout.end > LineLayout::kNone)
      return core::ParseError("bad layout @" + std::string(layout));
  } else {
    for (size_t pos = 0; pos < layout.size();) {
      size_t comma = layout.find(',', pos);
      if (comma == std::string_view::npos) comma = layout.size();
      std::string_view item = layout.substr(pos, comma - pos);
      uint32_t len = 0;
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), len);
      if (ec != std::errc() || p + 2 != item.data() + item.size() || *p != ':') {
        return core::ParseError("bad layout item '" + std::string(item) + "'");
      }
      const char e = p[1];
      if (e != 'n' && e != 'r' && e != 'e') return core::ParseError("bad line end in layout");
      d.layout.lines.emplace_back(len, e == 'n'   ? LineLayout::kLf
                                       : e == 'r' ? LineLayout::kCrLf
                                                  : LineLayout::kNone);
      pos = comma + 1;
    }
  }
  d.header_line += '\n';
  TALARIA_ASSIGN_OR_RETURN(d.sha256, ObjectId::Parse(f[5].substr(1)));
  for (size_t i = 6; i < f.size(); i++) {
    TALARIA_ASSIGN_OR_RETURN(EditOp op, ParseOp(f[i]));
    d.script.push_back(std::move(op));
  }
  return d;
}

}  // namespace talaria::store
