#include "store/reduce/reduction_source.h"

#include <span>
#include <string_view>
#include <vector>

#include "store/reduce/delta_record.h"
#include "store/reduce/reduction.h"

namespace talaria::store {

using core::Result;

Result<Source> LoadSource(ObjectStore& store, const DatabaseManifest& m,
                          std::span<const size_t> which, std::span<const uint64_t> groups) {
  Source s;
  for (size_t c : which) {
    const ManifestChunk& mc = m.chunks[c];
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(mc.id));
    s.chunks.push_back(bytes);
    for (std::string_view rec : SplitRecords(*bytes)) {
      s.records.push_back(SourceRecord{rec, mc.taxon, groups[c], mc.id, SplitRecord(rec)});
    }
  }
  return s;
}

std::vector<std::string_view> SplitRecords(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = text.find('>');
  while (start != std::string_view::npos && start < text.size()) {
    size_t next = text.find("\n>", start);
    const size_t end = next == std::string_view::npos ? text.size() : next + 1;
    out.push_back(text.substr(start, end - start));
    start = next == std::string_view::npos ? std::string_view::npos : next + 1;
  }
  return out;
}

}  // namespace talaria::store
