#include "store/catalog/manifest.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "store/core/coding.h"

namespace talaria::store {

using core::Result;
using core::Status;
using nlohmann::json;

Status CheckPieces(const ManifestChunk& c) {
  uint64_t at = 0, records = 0, residues = 0;
  for (const TaxonPiece& p : c.pieces) {
    if (p.offset + p.length > c.bytes || p.offset + p.length < p.offset || p.length == 0 ||
        p.taxon == kSharedStream) {
      return core::Corruption("manifest chunk " + c.id.Hex() + " has a piece out of bounds");
    }
    if (!p.primary) continue;
    if (p.offset != at) {
      return core::Corruption("manifest chunk " + c.id.Hex() + " has primary pieces with a gap");
    }
    at += p.length;
    records += p.records;
    residues += p.residues;
  }
  if (at != c.bytes || records != c.records || residues != c.residues) {
    return core::Corruption("manifest chunk " + c.id.Hex() +
                            "'s primary pieces do not add up to the chunk");
  }
  return core::OkStatus();
}

std::vector<TaxonPiece> PiecesOf(const ManifestChunk& c) {
  if (!c.pieces.empty()) return c.pieces;
  return {TaxonPiece{c.taxon, 0, c.bytes, c.records, c.residues, true}};
}

void SetPieces(ManifestChunk* c, std::vector<TaxonPiece> pieces) {
  if (pieces.size() == 1 &&
      pieces[0] == TaxonPiece{c->taxon, 0, c->bytes, c->records, c->residues, true}) {
    pieces.clear();
  }
  c->pieces = std::move(pieces);
}

json SourceFileJson(const SourceFile& s) {
  json layout = json::array();
  for (const LayoutPageRef& p : s.layout)
    layout.push_back(json::array({p.id.Hex(), p.runs, p.bytes}));
  return {{"name", s.name},         {"input_name", s.input_name}, {"encoding", s.encoding},
          {"size", s.size},         {"sha256", s.sha256.Hex()},   {"records", s.records},
          {"residues", s.residues}, {"preamble", s.preamble},     {"layout", layout}};
}

std::string EncodeManifest(const DatabaseManifest& m) {
  json sources = json::array();
  for (const SourceFile& s : m.sources) sources.push_back(SourceFileJson(s));
  json chunk_pages = json::array();
  for (const ChunkPageRef& p : m.chunk_pages)
    chunk_pages.push_back(json::array({p.id.Hex(), p.chunks}));
  json taxon_pages = json::array();
  for (const TaxonPageRef& p : m.taxon_pages)
    taxon_pages.push_back(json::array({p.id.Hex(), p.first, p.taxa}));
  json j = {{"format", kManifestFormat},
            {"database", m.database},
            {"version", m.version},
            {"chunking",
             {{"min_bytes", m.chunking.min_chunk_bytes},
              {"max_bytes", m.chunking.max_chunk_bytes},
              {"target_bytes", m.chunking.target_chunk_bytes}}},
            {"sources", sources},
            {"chunk_pages", chunk_pages},
            {"taxon_pages", taxon_pages}};
  return j.dump();  // std::map-backed objects: keys sorted, output canonical
}

namespace {

// A format 1/2 chunk row: [id, source, taxon, records, residues, bytes, fai, pieces?].
Result<ManifestChunk> DecodeInlineChunk(const json& c, size_t sources) {
  ManifestChunk mc;
  TALARIA_ASSIGN_OR_RETURN(mc.id, core::ObjectId::Parse(c.at(0).get<std::string>()));
  mc.source = c.at(1).get<uint32_t>();
  mc.taxon = c.at(2).get<TaxonId>();
  mc.records = c.at(3).get<uint64_t>();
  mc.residues = c.at(4).get<uint64_t>();
  mc.bytes = c.at(5).get<uint64_t>();
  if (c.size() > 6 && !c.at(6).get<std::string>().empty()) {
    TALARIA_ASSIGN_OR_RETURN(mc.fai, core::ObjectId::Parse(c.at(6).get<std::string>()));
  }
  if (mc.source >= sources)
    return core::Corruption("manifest chunk names source " + std::to_string(mc.source));
  if (c.size() > 7) {
    uint64_t at = 0;  // where the next primary piece starts
    for (const json& p : c.at(7)) {
      TaxonPiece piece{p.at(0).get<TaxonId>(),  at,
                       p.at(1).get<uint64_t>(), p.at(2).get<uint64_t>(),
                       p.at(3).get<uint64_t>(), p.size() == 4};
      if (piece.primary) {
        at += piece.length;
      } else {
        piece.offset = p.at(4).get<uint64_t>();
      }
      mc.pieces.push_back(piece);
    }
    TALARIA_RETURN_IF_ERROR(CheckPieces(mc));
  } else if (mc.taxon == kSharedStream) {
    return core::Corruption("manifest chunk " + mc.id.Hex() + " is shared but has no pieces");
  }
  return mc;
}

}  // namespace

Result<DatabaseManifest> DecodeManifest(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return core::Corruption("manifest is not JSON");
  const std::string format = j.value("format", "");
  DatabaseManifest m;
  if (format == kManifestFormat) {
    m.format = 3;
  } else if (format == kManifestFormatV2) {
    m.format = 2;
  } else if (format == kManifestFormatV1) {
    m.format = 1;
  } else {
    return core::Corruption("not a database manifest (format '" + format + "')");
  }
  try {
    m.database = j.at("database").get<std::string>();
    m.version = j.at("version").get<std::string>();
    const json& ch = j.at("chunking");
    m.chunking = {ch.at("min_bytes").get<uint64_t>(), ch.at("max_bytes").get<uint64_t>(),
                  ch.at("target_bytes").get<uint64_t>()};
    for (const json& s : j.at("sources")) {
      SourceFile f;
      f.name = s.at("name").get<std::string>();
      f.input_name = s.at("input_name").get<std::string>();
      f.encoding = s.at("encoding").get<std::string>();
      f.size = s.at("size").get<uint64_t>();
      f.records = s.at("records").get<uint64_t>();
      f.residues = s.at("residues").get<uint64_t>();
      f.preamble = s.at("preamble").get<std::string>();
      TALARIA_ASSIGN_OR_RETURN(f.sha256, core::ObjectId::Parse(s.at("sha256").get<std::string>()));
      const json& layout = s.at("layout");
      if (m.format < 3) {  // one layout object, sizes unknown until read
        TALARIA_ASSIGN_OR_RETURN(core::ObjectId id,
                                 core::ObjectId::Parse(layout.get<std::string>()));
        f.layout.push_back({id, 0, 0});
      } else {
        for (const json& p : layout) {
          LayoutPageRef ref;
          TALARIA_ASSIGN_OR_RETURN(ref.id, core::ObjectId::Parse(p.at(0).get<std::string>()));
          ref.runs = p.at(1).get<uint64_t>();
          ref.bytes = p.at(2).get<uint64_t>();
          f.layout.push_back(ref);
        }
      }
      m.sources.push_back(std::move(f));
    }
    if (m.format < 3) {
      for (const json& c : j.at("chunks")) {
        TALARIA_ASSIGN_OR_RETURN(ManifestChunk mc, DecodeInlineChunk(c, m.sources.size()));
        m.chunks.push_back(std::move(mc));
      }
      return m;
    }
    for (const json& p : j.at("chunk_pages")) {
      ChunkPageRef ref;
      TALARIA_ASSIGN_OR_RETURN(ref.id, core::ObjectId::Parse(p.at(0).get<std::string>()));
      ref.chunks = p.at(1).get<uint32_t>();
      m.chunk_pages.push_back(ref);
    }
    for (const json& p : j.at("taxon_pages")) {
      TaxonPageRef ref;
      TALARIA_ASSIGN_OR_RETURN(ref.id, core::ObjectId::Parse(p.at(0).get<std::string>()));
      ref.first = p.at(1).get<TaxonId>();
      ref.taxa = p.at(2).get<uint32_t>();
      if (!m.taxon_pages.empty() && ref.first <= m.taxon_pages.back().first)
        return core::Corruption("manifest taxon pages are out of order");
      m.taxon_pages.push_back(ref);
    }
    return m;
  } catch (const json::exception& e) {
    return core::Corruption(std::string("malformed manifest: ") + e.what());
  }
}

Status ForEachLayoutRange(const std::vector<ManifestChunk>& chunks, uint32_t source,
                          const SourceFile& file, const std::vector<LayoutRun>& runs,
                          const std::function<Status(const ChunkRange&)>& fn) {
  // Each taxon's stream: its primary pieces among the source's chunks. A
  // cursor holds a position in it, never bytes.
  struct Cursor {
    std::vector<ChunkRange> pieces;
    size_t piece = 0;
    uint64_t offset = 0;  // within pieces[piece]
  };
  std::map<TaxonId, Cursor> cursors;
  for (uint32_t i = 0; i < chunks.size(); i++) {
    const ManifestChunk& c = chunks[i];
    if (c.source != source) continue;
    if (c.pieces.empty()) {
      cursors[c.taxon].pieces.push_back({i, 0, c.bytes});
      continue;
    }
    for (const TaxonPiece& p : c.pieces) {
      if (p.primary) cursors[p.taxon].pieces.push_back({i, p.offset, p.length});
    }
  }
  for (const LayoutRun& run : runs) {
    Cursor& cur = cursors[run.taxon];
    for (uint64_t left = run.length; left > 0;) {
      if (cur.piece < cur.pieces.size() && cur.offset == cur.pieces[cur.piece].length) {
        cur.piece++;
        cur.offset = 0;
      }
      if (cur.piece >= cur.pieces.size()) {
        return core::Corruption("layout of " + file.name + " reads past the chunks of taxon " +
                                std::to_string(run.taxon));
      }
      const ChunkRange& piece = cur.pieces[cur.piece];
      const uint64_t take = std::min(left, piece.length - cur.offset);
      TALARIA_RETURN_IF_ERROR(fn(ChunkRange{piece.chunk, piece.offset + cur.offset, take}));
      cur.offset += take;
      left -= take;
    }
  }
  return core::OkStatus();
}

namespace {

void AppendRange(std::vector<ChunkRange>* out, const ChunkRange& r) {
  if (!out->empty()) {
    ChunkRange& last = out->back();
    if (last.chunk == r.chunk && last.offset + last.length == r.offset) {
      last.length += r.length;
      return;
    }
  }
  out->push_back(r);
}

}  // namespace

std::map<TaxonId, std::vector<ChunkRange>> TaxonRanges(const DatabaseManifest& m) {
  std::map<TaxonId, std::vector<ChunkRange>> out;
  for (uint32_t i = 0; i < m.chunks.size(); i++) {
    const ManifestChunk& c = m.chunks[i];
    if (c.pieces.empty()) {
      AppendRange(&out[c.taxon], {i, 0, c.bytes});
      continue;
    }
    // Pieces come by offset, so each taxon's ranges stay in manifest order.
    for (const TaxonPiece& p : c.pieces) AppendRange(&out[p.taxon], {i, p.offset, p.length});
  }
  return out;
}

std::vector<ChunkRange> UnionOfRanges(std::vector<ChunkRange> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const ChunkRange& a, const ChunkRange& b) {
    return a.chunk != b.chunk ? a.chunk < b.chunk : a.offset < b.offset;
  });
  std::vector<ChunkRange> out;
  for (const ChunkRange& r : ranges) {
    if (!out.empty() && out.back().chunk == r.chunk &&
        r.offset <= out.back().offset + out.back().length) {
      ChunkRange& last = out.back();
      last.length = std::max(last.offset + last.length, r.offset + r.length) - last.offset;
      continue;
    }
    out.push_back(r);
  }
  return out;
}

void AppendToLayout(std::vector<LayoutRun>* runs, TaxonId taxon, uint64_t length) {
  if (!runs->empty() && runs->back().taxon == taxon) {
    runs->back().length += length;
    return;
  }
  runs->push_back(LayoutRun{taxon, length});
}

}  // namespace talaria::store
