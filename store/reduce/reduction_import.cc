#include <cstdint>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/entries.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/names.h"
#include "store/fasta/byte_source.h"
#include "store/fasta/fasta_reader.h"
#include "store/fasta/record_id.h"
#include "store/reduce/delta_record.h"
#include "store/reduce/profile_builder.h"
#include "store/reduce/reducer.h"
#include "store/reduce/reduction.h"
#include "store/reduce/reduction_source.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

Result<ReduceResult> ImportReduction(WritableStore& store, const ImportOptions& options) {
  const uint64_t start_ms = NowMs();
  TALARIA_RETURN_IF_ERROR(ValidateName("profile name", options.profile));
  TALARIA_ASSIGN_OR_RETURN(index::DatabaseVersion version,
                           ResolveDatabase(store, options.database));
  TALARIA_ASSIGN_OR_RETURN(DatabaseManifest source_manifest, LoadManifest(store, version.manifest));
  std::vector<size_t> all(source_manifest.chunks.size());
  std::iota(all.begin(), all.end(), size_t{0});
  TALARIA_ASSIGN_OR_RETURN(Source src, LoadSource(store, source_manifest, all));
  const std::string what = version.name + "/" + version.version;
  // The version's records by id, in order (ids need not be unique).
  std::map<std::string_view, std::vector<size_t>> by_id;
  for (size_t i = 0; i < src.records.size(); i++) by_id[RecordId(src.records[i].text)].push_back(i);
  std::vector<bool> taken(src.records.size(), false);
  auto take = [&](std::string_view id, const std::function<bool(size_t)>& matches) -> int64_t {
    auto it = by_id.find(id);
    if (it == by_id.end()) return -1;
    for (size_t i : it->second) {
      if (!taken[i] && matches(i)) {
        taken[i] = true;
        return static_cast<int64_t>(i);
      }
    }
    return -1;
  };
  std::vector<ReduceAssignment> assignment(src.records.size());
  std::map<std::string, int64_t> reference_of_id;
  {
    TALARIA_ASSIGN_OR_RETURN(auto reader, FastaReader::Open(options.references));
    FastaRecord rec;
    while (true) {
      TALARIA_ASSIGN_OR_RETURN(bool more, reader->Next(&rec));
      if (!more) break;
      const std::string_view id = RecordId(rec.text);
      const int64_t i = take(id, [&](size_t k) { return src.records[k].text == rec.text; });
      if (i < 0) {
        return core::ParseError(options.references + ":" + std::to_string(rec.line) + ": " +
                                std::string(id) + " is not a record of " + what +
                                " (byte for byte)");
      }
      reference_of_id.emplace(std::string(id), i);
    }
  }
  {
    TALARIA_RETURN_IF_ERROR(
        ForEachLineOfSource(options.deltas, [&](std::string_view line, uint64_t n) -> Status {
          auto where = [&] { return options.deltas + ":" + std::to_string(n) + ": "; };
          auto d = ParseDeltaLine(line);
          if (!d) return core::ParseError(where() + d.error().message());
          auto ref = reference_of_id.find(d->reference_id);
          if (ref == reference_of_id.end()) {
            return core::ParseError(where() + "reference " + d->reference_id + " is not in " +
                                    options.references);
          }
          const int64_t i = take(d->child_id, [&](size_t k) {
            return ObjectId::Hash(src.records[k].text) == d->sha256;
          });
          if (i < 0) {
            return core::ParseError(where() + "child " + d->child_id + " is not a record of " +
                                    what + " with that SHA-256 (or is listed twice)");
          }
          assignment[static_cast<size_t>(i)].reference = ref->second;
          assignment[static_cast<size_t>(i)].identity = Stats(d->script).identity();
          assignment[static_cast<size_t>(i)].script = std::move(d->script);
          return core::OkStatus();
        }));
  }
  for (size_t i = 0; i < src.records.size(); i++) {
    if (!taken[i]) {
      return core::InvalidArgument(std::string(RecordId(src.records[i].text)) + " of " + what +
                                   " is in neither " + options.references + " nor " +
                                   options.deltas);
    }
  }
  if (!options.ref2children.empty()) {
    std::map<std::string, std::string> parent;  // child id -> reference id, from deltas
    for (size_t i = 0; i < src.records.size(); i++) {
      if (assignment[i].reference < 0) continue;
      parent[std::string(RecordId(src.records[i].text))] =
          RecordId(src.records[static_cast<size_t>(assignment[i].reference)].text);
    }
    TALARIA_RETURN_IF_ERROR(
        ForEachLineOfSource(options.ref2children, [&](std::string_view line, uint64_t n) -> Status {
          const std::vector<std::string_view> fields = SplitTabs(line);
          for (size_t k = 1; k < fields.size(); k++) {
            auto it = parent.find(std::string(fields[k]));
            if (it == parent.end() || it->second != fields[0]) {
              return core::ParseError(options.ref2children + ":" + std::to_string(n) + ": " +
                                      std::string(fields[k]) + " is not a child of " +
                                      std::string(fields[0]) + " in " + options.deltas);
            }
          }
          return core::OkStatus();
        }));
  }
  ReductionParameters none;  // an import records no parameters
  none.window_bytes = 0;
  ProfileBuilder builder(store, options.profile, options.chunking, version, none);
  if (options.progress) options.progress("storing references and deltas");
  TALARIA_RETURN_IF_ERROR(builder.AddWindow(src, assignment, {}, 0));
  ReduceResult result;
  result.stats.sequences = src.records.size();
  for (const auto& a : assignment) {
    if (a.reference < 0) {
      result.stats.references++;
    } else {
      result.stats.children++;
    }
  }
  return builder.Finish(std::move(result), start_ms);
}

}  // namespace talaria::store
