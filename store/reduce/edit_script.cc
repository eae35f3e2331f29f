#include "store/reduce/edit_script.h"

#include <charconv>

#include "store/core/coding.h"

namespace talaria::store {

using core::Result;

void AppendOp(EditScript* script, EditOp::Kind kind, std::string_view child_residues,
              uint32_t length) {
  if (length == 0) return;
  if (!script->empty() && script->back().kind == kind) {
    script->back().length += length;
    script->back().residues.append(child_residues);
    return;
  }
  script->push_back(EditOp{kind, length, std::string(child_residues)});
}

Result<std::string> ApplyScript(std::string_view reference, const EditScript& script) {
  std::string child;
  size_t pos = 0;
  for (const EditOp& op : script) {
    const bool reads = op.kind != EditOp::kInsert;
    if (reads && op.length > reference.size() - pos) {
      return core::Corruption("edit script reads past the reference (" +
                              std::to_string(reference.size()) + " residues)");
    }
    switch (op.kind) {
      case EditOp::kCopy:
        child.append(reference.substr(pos, op.length));
        break;
      case EditOp::kDelete:
        break;
      case EditOp::kInsert:
      case EditOp::kSubstitute:
        if (op.residues.size() != op.length) return core::Corruption("edit op length mismatch");
        child.append(op.residues);
        break;
    }
    if (reads) pos += op.length;
  }
  if (pos != reference.size()) {
    return core::Corruption("edit script leaves " + std::to_string(reference.size() - pos) +
                            " reference residues unread");
  }
  return child;
}

ScriptStats Stats(const EditScript& script) {
  ScriptStats s;
  for (const EditOp& op : script) {
    s.columns += op.length;
    if (op.kind == EditOp::kCopy) s.matches += op.length;
  }
  return s;
}

namespace {

constexpr char kTokens[] = {'=', '-', '+', '~'};

}  // namespace

std::string FormatScript(const EditScript& script, char separator) {
  std::string out;
  for (const EditOp& op : script) {
    if (!out.empty()) out += separator;
    out += kTokens[op.kind];
    out += std::to_string(op.length);
    if (op.kind == EditOp::kInsert || op.kind == EditOp::kSubstitute) {
      out += ':';
      out += op.residues;
    }
  }
  return out;
}

Result<EditOp> ParseOp(std::string_view token) {
  auto bad = [&](const std::string& why) {
    return core::ParseError("bad edit operation '" + std::string(token.substr(0, 40)) +
                            "': " + why);
  };
  if (token.size() < 2) return bad("too short");
  EditOp op;
  switch (token[0]) {
    case '=':
      op.kind = EditOp::kCopy;
      break;
    case '-':
      op.kind = EditOp::kDelete;
      break;
    case '+':
      op.kind = EditOp::kInsert;
      break;
    case '~':
      op.kind = EditOp::kSubstitute;
      break;
    default:
      return bad("starts with none of = - + ~");
  }
  const char* begin = token.data() + 1;
  const char* end = token.data() + token.size();
  auto [p, ec] = std::from_chars(begin, end, op.length);
  if (ec != std::errc() || p == begin || op.length == 0) return bad("no positive count");
  const bool carries = op.kind == EditOp::kInsert || op.kind == EditOp::kSubstitute;
  if (!carries) {
    if (p != end) return bad("trailing characters");
    return op;
  }
  if (p == end || *p != ':') return bad("expected ':' and residues");
  op.residues.assign(p + 1, end);
  if (op.residues.size() != op.length) {
    return bad("says " + std::to_string(op.length) + " residues, has " +
               std::to_string(op.residues.size()));
  }
  return op;
}

Result<EditScript> ParseScript(std::string_view text, char separator) {
  EditScript script;
  while (!text.empty()) {
    size_t cut = text.find(separator);
    TALARIA_ASSIGN_OR_RETURN(EditOp op, ParseOp(text.substr(0, cut)));
    script.push_back(std::move(op));
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + 1);
  }
  return script;
}

void EncodeScript(const EditScript& script, std::string* out) {
  core::PutVarint(out, script.size());
  for (const EditOp& op : script) {
    core::PutVarint(out, (static_cast<uint64_t>(op.length) << 2) | op.kind);
    if (op.kind == EditOp::kInsert || op.kind == EditOp::kSubstitute) out->append(op.residues);
  }
}

Result<EditScript> DecodeScript(std::string_view* in) {
  uint64_t n = 0;
  if (!core::GetVarint(in, &n) || n > in->size()) return core::Corruption("bad edit script");
  EditScript script;
  script.reserve(n);
  for (uint64_t i = 0; i < n; i++) {
    uint64_t v = 0;
    if (!core::GetVarint(in, &v)) return core::Corruption("bad edit operation");
    EditOp op;
    op.kind = static_cast<EditOp::Kind>(v & 3);
    if ((v >> 2) == 0 || (v >> 2) > UINT32_MAX) return core::Corruption("bad edit op length");
    op.length = static_cast<uint32_t>(v >> 2);
    if (op.kind == EditOp::kInsert || op.kind == EditOp::kSubstitute) {
      if (in->size() < op.length) return core::Corruption("edit op residues cut short");
      op.residues.assign(in->substr(0, op.length));
      in->remove_prefix(op.length);
    }
    script.push_back(std::move(op));
  }
  return script;
}

}  // namespace talaria::store
