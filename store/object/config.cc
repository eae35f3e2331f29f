#include "store/object/config.h"

#include <charconv>
#include <cstdlib>
#include <set>
#include <thread>

#include <toml++/toml.h>

#include "store/core/file_io.h"

namespace talaria::store {

using core::Status;

unsigned StoreConfig::effective_threads() const {
  if (threads > 0) return threads;
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

template <class T>
Status ReadInt(const toml::table& t, const char* key, const std::string& where, int64_t lo,
               int64_t hi, T* out) {
  const toml::node* n = t.get(key);
  if (!n) return core::OkStatus();
  auto v = n->value<int64_t>();
  if (!n->is_integer() || !v || *v < lo || *v > hi) {
    return core::InvalidArgument(where + ": '" + key + "' must be a whole number from " +
                                 std::to_string(lo) + " to " + std::to_string(hi));
  }
  *out = static_cast<T>(*v);
  return core::OkStatus();
}

Status CheckKeys(const toml::table& t, const std::string& where,
                 const std::set<std::string>& known) {
  for (const auto& [key, value] : t) {
    if (!known.count(std::string(key.str()))) {
      return core::InvalidArgument(where + ": unknown key '" + std::string(key.str()) + "'");
    }
  }
  return core::OkStatus();
}

Status ApplyStorage(const toml::table& t, const std::string& where, StoreConfig* c) {
  TALARIA_RETURN_IF_ERROR(CheckKeys(t, where,
                                    {"codec", "max_pack_size_mb", "max_delta_depth", "threads",
                                     "repack_threshold", "dictionaries"}));
  if (const toml::node* n = t.get("codec")) {
    auto s = n->value<std::string>();
    if (!n->is_string()) return core::InvalidArgument(where + ": 'codec' must be a string");
    auto spec = CodecSpec::Parse(*s);
    if (!spec) return core::Propagate(spec.error().WithContext(where));
    c->codec = *spec;
  }
  uint64_t pack_mb = c->max_pack_bytes / kMiB;
  TALARIA_RETURN_IF_ERROR(ReadInt(t, "max_pack_size_mb", where, 1, 1 << 20, &pack_mb));
  c->max_pack_bytes = pack_mb * kMiB;
  TALARIA_RETURN_IF_ERROR(ReadInt(t, "max_delta_depth", where, 0, 64, &c->max_delta_depth));
  TALARIA_RETURN_IF_ERROR(ReadInt(t, "threads", where, 0, 1024, &c->threads));
  if (const toml::node* n = t.get("repack_threshold")) {
    auto v = n->value<double>();
    if (!v || *v < 0 || *v > 1) {
      return core::InvalidArgument(where + ": 'repack_threshold' must be a number from 0 to 1");
    }
    c->repack_threshold = *v;
  }
  if (const toml::node* n = t.get("dictionaries")) {
    if (!n->is_boolean()) {
      return core::InvalidArgument(where + ": 'dictionaries' must be true or false");
    }
    c->dictionaries = *n->value<bool>();
  }
  return core::OkStatus();
}

Status ApplyCache(const toml::table& t, const std::string& where, StoreConfig* c) {
  TALARIA_RETURN_IF_ERROR(CheckKeys(t, where, {"size_mb", "dir"}));
  uint64_t mb = c->cache_bytes / kMiB;
  TALARIA_RETURN_IF_ERROR(ReadInt(t, "size_mb", where, 0, int64_t{1} << 30, &mb));
  c->cache_bytes = mb * kMiB;
  if (const toml::node* n = t.get("dir")) {
    if (!n->is_string()) return core::InvalidArgument(where + ": 'dir' must be a string");
    c->cache_dir = *n->value<std::string>();
  }
  return core::OkStatus();
}

core::Result<int64_t> EnvInt(const char* name, const char* value, int64_t lo, int64_t hi) {
  std::string_view s(value);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) {
    return core::InvalidArgument(std::string(name) + "='" + value +
                                 "': expected a whole number from " + std::to_string(lo) + " to " +
                                 std::to_string(hi));
  }
  return v;
}

}  // namespace

Status ApplyConfigFile(const std::string& path, StoreConfig* config) {
  if (!core::PathExists(path)) return core::OkStatus();
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return core::ParseError(path + ":" + std::to_string(e.source().begin.line) + ": " +
                            std::string(e.description()));
  }
  StoreConfig c = *config;
  for (const auto& [key, value] : root) {
    std::string section(key.str());
    std::string where = path + ": [" + section + "]";
    const toml::table* t = value.as_table();
    if (!t) return core::InvalidArgument(path + ": '" + section + "' must be a [section]");
    if (section == "storage") {
      TALARIA_RETURN_IF_ERROR(ApplyStorage(*t, where, &c));
    } else if (section == "cache") {
      TALARIA_RETURN_IF_ERROR(ApplyCache(*t, where, &c));
    } else {
      return core::InvalidArgument(path + ": unknown section [" + section + "]");
    }
  }
  *config = c;
  return core::OkStatus();
}

Status SetCompressionLevel(StoreConfig* config, int level, std::string_view source) {
  CodecSpec spec = config->codec;
  if (spec.type == CodecType::kLz4 && spec.level == 0) spec.level = 9;  // a level means HC
  std::string text(CodecTypeName(spec.type));
  if (spec.type == CodecType::kLz4) text = "lz4hc";
  auto parsed = CodecSpec::Parse(text + ":" + std::to_string(level));
  if (!parsed) return core::Propagate(parsed.error().WithContext(source));
  config->codec = *parsed;
  return core::OkStatus();
}

Status ApplyEnvironment(StoreConfig* config) {
  StoreConfig c = *config;
  if (const char* v = std::getenv("TALARIA_CODEC"); v && *v) {
    auto spec = CodecSpec::Parse(v);
    if (!spec) return core::Propagate(spec.error().WithContext("TALARIA_CODEC"));
    c.codec = *spec;
  }
  if (const char* v = std::getenv("TALARIA_COMPRESSION_LEVEL"); v && *v) {
    TALARIA_ASSIGN_OR_RETURN(int64_t level, EnvInt("TALARIA_COMPRESSION_LEVEL", v, 1, 22));
    TALARIA_RETURN_IF_ERROR(
        SetCompressionLevel(&c, static_cast<int>(level), "TALARIA_COMPRESSION_LEVEL"));
  }
  if (const char* v = std::getenv("TALARIA_STORAGE_THREADS"); v && *v) {
    TALARIA_ASSIGN_OR_RETURN(int64_t n, EnvInt("TALARIA_STORAGE_THREADS", v, 0, 1024));
    c.threads = static_cast<unsigned>(n);
  }
  if (const char* v = std::getenv("TALARIA_CACHE_SIZE_MB"); v && *v) {
    TALARIA_ASSIGN_OR_RETURN(int64_t mb, EnvInt("TALARIA_CACHE_SIZE_MB", v, 0, int64_t{1} << 30));
    c.cache_bytes = static_cast<uint64_t>(mb) * kMiB;
  }
  if (const char* v = std::getenv("TALARIA_CACHE_DIR"); v && *v) c.cache_dir = v;
  *config = c;
  return core::OkStatus();
}

std::string ConfigFileText(const StoreConfig& c) {
  std::string s;
  s += "# talariafs store configuration. Environment variables (TALARIA_*) override\n";
  s += "# these values, and command-line flags override both. See README.md.\n\n";
  s += "[storage]\n";
  s += "# none | zstd[:1-22] | lz4 | lz4hc[:1-12] | snappy\n";
  s += "codec = \"" + c.codec.ToString() + "\"\n";
  s += "# packs are rolled over at this size\n";
  s += "max_pack_size_mb = " + std::to_string(c.max_pack_bytes / kMiB) + "\n";
  s += "# longest chain of byte deltas a read may have to replay\n";
  s += "max_delta_depth = " + std::to_string(c.max_delta_depth) + "\n";
  s += "# worker threads for compression and verification; 0 = one per core\n";
  s += "threads = " + std::to_string(c.threads) + "\n";
  s += "# gc rewrites packs whose live fraction falls below this\n";
  s += "repack_threshold = " + std::to_string(c.repack_threshold) + "\n";
  s += "# train zstd dictionaries from the store's own chunks and record indexes\n";
  s += "# (ingest, optimize) and compress new ones with them\n";
  s += std::string("dictionaries = ") + (c.dictionaries ? "true" : "false") + "\n\n";
  s += "[cache]\n";
  s += "# bytes of reconstructed objects kept in memory by each reading process\n";
  s += "size_mb = " + std::to_string(c.cache_bytes / kMiB) + "\n";
  s += "dir = \"" + c.cache_dir + "\"\n";
  return s;
}

}  // namespace talaria::store
