#include "store/fasta/taxon_parser.h"

#include <charconv>

namespace talaria::store {

namespace {

bool WordStart(std::string_view s, size_t pos) {
  if (pos == 0) return true;
  char c = s[pos - 1];
  return c == ' ' || c == '\t' || c == '|' || c == ';' || c == '[' || c == ',' || c == '(' ||
         c == '"';
}

// The number right after the first word-initial `key` in `header`.
std::optional<TaxonId> NumberAfter(std::string_view header, std::string_view key) {
  for (size_t pos = header.find(key); pos != std::string_view::npos;
       pos = header.find(key, pos + 1)) {
    if (!WordStart(header, pos)) continue;
    const char* begin = header.data() + pos + key.size();
    const char* end = header.data() + header.size();
    TaxonId v = 0;
    auto [p, ec] = std::from_chars(begin, end, v);
    if (ec == std::errc() && p != begin) return v;
  }
  return std::nullopt;
}

}  // namespace

std::optional<TaxonId> TaxonFromHeader(std::string_view header) {
  for (std::string_view key : {"TaxID=", "OX=", "taxon:", "tax_id=", "taxid=", "kraken:taxid|"}) {
    if (auto v = NumberAfter(header, key)) return v;
  }
  return std::nullopt;
}

std::vector<std::string_view> AccessionKeys(std::string_view id) {
  std::vector<std::string_view> keys;
  auto add = [&](std::string_view k) {
    if (k.empty()) return;
    keys.push_back(k);
    if (auto dot = k.rfind('.'); dot != std::string_view::npos && dot > 0) {
      keys.push_back(k.substr(0, dot));
    }
  };
  size_t bar = id.find('|');
  if (bar != std::string_view::npos) {
    std::string_view rest = id.substr(bar + 1);
    add(rest.substr(0, rest.find('|')));
  }
  add(id);
  return keys;
}

}  // namespace talaria::store
