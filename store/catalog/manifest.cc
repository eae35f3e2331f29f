#include "store/catalog/manifest.h"

#include <nlohmann/json.hpp>

#include "store/core/coding.h"

namespace talaria::store {

using core::Result;
using nlohmann::json;

json SourceFileJson(const SourceFile& s) {
  return {{"name", s.name},         {"input_name", s.input_name}, {"encoding", s.encoding},
          {"size", s.size},         {"sha256", s.sha256.Hex()},   {"records", s.records},
          {"residues", s.residues}, {"preamble", s.preamble},     {"layout", s.layout.Hex()}};
}

std::string EncodeManifest(const DatabaseManifest& m) {
  json sources = json::array();
  for (const SourceFile& s : m.sources) sources.push_back(SourceFileJson(s));
  json chunks = json::array();
  for (const ManifestChunk& c : m.chunks) {
    chunks.push_back(json::array({c.id.Hex(), c.source, c.taxon, c.records, c.residues, c.bytes,
                                  c.fai.IsZero() ? std::string() : c.fai.Hex()}));
  }
  json j = {{"format", kManifestFormat},
            {"database", m.database},
            {"version", m.version},
            {"chunking",
             {{"min_bytes", m.chunking.min_chunk_bytes},
              {"max_bytes", m.chunking.max_chunk_bytes},
              {"target_bytes", m.chunking.target_chunk_bytes}}},
            {"sources", sources},
            {"chunk_fields",
             json::array({"id", "source", "taxon", "records", "residues", "bytes", "fai"})},
            {"chunks", chunks}};
  return j.dump();  // std::map-backed objects: keys sorted, output canonical
}

Result<DatabaseManifest> DecodeManifest(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return core::Corruption("manifest is not JSON");
  if (j.value("format", "") != kManifestFormat) {
    return core::Corruption("not a database manifest (format '" + j.value("format", "") + "')");
  }
  try {
    DatabaseManifest m;
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
      TALARIA_ASSIGN_OR_RETURN(f.layout, core::ObjectId::Parse(s.at("layout").get<std::string>()));
      m.sources.push_back(std::move(f));
    }
    for (const json& c : j.at("chunks")) {
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
      if (mc.source >= m.sources.size())
        return core::Corruption("manifest chunk names source " + std::to_string(mc.source));
      m.chunks.push_back(mc);
    }
    return m;
  } catch (const json::exception& e) {
    return core::Corruption(std::string("malformed manifest: ") + e.what());
  }
}

using core::GetVarint;
using core::PutVarint;

std::string EncodeLayout(const std::vector<LayoutRun>& runs) {
  std::string out = "TLAY2";
  PutVarint(&out, runs.size());
  for (const LayoutRun& r : runs) {
    PutVarint(&out, r.taxon);
    PutVarint(&out, r.length);
  }
  return out;
}

Result<std::vector<LayoutRun>> DecodeLayout(std::string_view in) {
  if (in.substr(0, 5) != "TLAY2") return core::Corruption("not a layout object");
  in.remove_prefix(5);
  uint64_t n = 0;
  if (!GetVarint(&in, &n) || n > in.size()) return core::Corruption("layout: bad run count");
  std::vector<LayoutRun> runs(n);
  for (LayoutRun& r : runs) {
    uint64_t taxon = 0;
    if (!GetVarint(&in, &taxon) || !GetVarint(&in, &r.length) || taxon > UINT32_MAX) {
      return core::Corruption("layout: cut short");
    }
    r.taxon = static_cast<TaxonId>(taxon);
  }
  if (!in.empty()) return core::Corruption("layout: trailing bytes");
  return runs;
}

void AppendToLayout(std::vector<LayoutRun>* runs, TaxonId taxon, uint64_t length) {
  if (!runs->empty() && runs->back().taxon == taxon) {
    runs->back().length += length;
    return;
  }
  runs->push_back(LayoutRun{taxon, length});
}

}  // namespace talaria::store
