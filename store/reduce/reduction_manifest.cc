#include "store/reduce/reduction_manifest.h"

#include <nlohmann/json.hpp>

namespace talaria::store {

using core::ObjectId;
using nlohmann::json;

json StatisticsJson(const ReductionStatistics& s) {
  return {{"original_sequences", s.original_sequences},
          {"reference_sequences", s.reference_sequences},
          {"child_sequences", s.child_sequences},
          {"original_bytes", s.original_bytes},
          {"reference_bytes", s.reference_bytes},
          {"delta_bytes", s.delta_bytes},
          {"actual_ratio", s.actual_ratio},
          {"coverage", s.coverage}};
}

json ParametersJson(const ReductionParameters& p) {
  json params = {{"taxonomy_aware", p.taxonomy_aware}, {"min_length", p.min_length}};
  if (p.ratio) params["ratio"] = *p.ratio;
  if (p.identity) params["identity"] = *p.identity;
  if (!p.rank.empty()) params["rank"] = p.rank;
  if (p.window_bytes) params["window_bytes"] = p.window_bytes;
  return params;
}

std::string EncodeReductionManifest(const ReductionManifest& m) {
  json params = ParametersJson(m.parameters);
  json refs = json::array();
  for (const auto& c : m.reference_chunks) {
    refs.push_back({c.id.Hex(), c.fai.Hex(), c.taxon, c.records, c.bytes, c.ref2children_bytes});
  }
  json deltas = json::array();
  for (const auto& d : m.delta_chunks) {
    deltas.push_back(
        {d.id.Hex(), d.reference_chunk, d.children, d.child_bytes, d.deltas_dat_bytes});
  }
  json j = {
      {"format", kReductionFormat},
      {"profile", m.profile},
      {"parameters", params},
      {"source",
       {{"database", m.database}, {"version", m.version}, {"manifest", m.source_manifest.Hex()}}},
      {"reference_chunks", refs},
      {"delta_chunks", deltas},
      {"statistics", StatisticsJson(m.statistics)}};
  return j.dump(1);
}

core::Result<ReductionManifest> DecodeReductionManifest(std::string_view text) {
  try {
    json j = json::parse(text);
    if (!j.is_object() || j.value("format", "") != kReductionFormat) {
      return core::Corruption("not a reduction manifest");
    }
    auto id = [](const json& v) -> core::Result<ObjectId> {
      return ObjectId::Parse(v.get<std::string>());
    };
    ReductionManifest m;
    m.profile = j.at("profile").get<std::string>();
    const json& p = j.at("parameters");
    m.parameters.taxonomy_aware = p.at("taxonomy_aware").get<bool>();
    m.parameters.min_length = p.at("min_length").get<uint64_t>();
    m.parameters.rank = p.value("rank", "");
    m.parameters.window_bytes = p.value("window_bytes", uint64_t{0});
    if (p.contains("ratio")) m.parameters.ratio = p["ratio"].get<double>();
    if (p.contains("identity")) m.parameters.identity = p["identity"].get<double>();
    const json& src = j.at("source");
    m.database = src.at("database").get<std::string>();
    m.version = src.at("version").get<std::string>();
    TALARIA_ASSIGN_OR_RETURN(m.source_manifest, id(src.at("manifest")));
    for (const json& c : j.at("reference_chunks")) {
      ReferenceChunk r;
      TALARIA_ASSIGN_OR_RETURN(r.id, id(c.at(0)));
      TALARIA_ASSIGN_OR_RETURN(r.fai, id(c.at(1)));
      r.taxon = c.at(2).get<uint32_t>();
      r.records = c.at(3).get<uint64_t>();
      r.bytes = c.at(4).get<uint64_t>();
      r.ref2children_bytes = c.at(5).get<uint64_t>();
      m.reference_chunks.push_back(r);
    }
    for (const json& c : j.at("delta_chunks")) {
      DeltaChunkInfo d;
      TALARIA_ASSIGN_OR_RETURN(d.id, id(c.at(0)));
      d.reference_chunk = c.at(1).get<uint32_t>();
      d.children = c.at(2).get<uint64_t>();
      d.child_bytes = c.at(3).get<uint64_t>();
      d.deltas_dat_bytes = c.at(4).get<uint64_t>();
      if (d.reference_chunk >= m.reference_chunks.size()) {
        return core::Corruption("delta chunk names a reference chunk that is not listed");
      }
      if (!m.delta_chunks.empty() && d.reference_chunk < m.delta_chunks.back().reference_chunk) {
        return core::Corruption("delta chunks are not in reference chunk order");
      }
      m.delta_chunks.push_back(d);
    }
    const json& s = j.at("statistics");
    auto& st = m.statistics;
    st.original_sequences = s.at("original_sequences").get<uint64_t>();
    st.reference_sequences = s.at("reference_sequences").get<uint64_t>();
    st.child_sequences = s.at("child_sequences").get<uint64_t>();
    st.original_bytes = s.at("original_bytes").get<uint64_t>();
    st.reference_bytes = s.at("reference_bytes").get<uint64_t>();
    st.delta_bytes = s.at("delta_bytes").get<uint64_t>();
    st.actual_ratio = s.at("actual_ratio").get<double>();
    st.coverage = s.at("coverage").get<double>();
    return m;
  } catch (const json::exception& e) {
    return core::Corruption(std::string("malformed reduction manifest: ") + e.what());
  }
}

}  // namespace talaria::store
