#include "store/object/dictionary_training.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "store/core/human_bytes.h"
#include "store/pack/codec.h"
#include "store/pack/zstd_dictionary.h"

namespace talaria::store {

std::optional<DictionaryPlan> DictionaryPlanFor(ObjectKind kind) {
  // Measured on the real UniProt sample and generated releases (README
  // "Performance"): a 256 KiB chunk dictionary trained from one 8 MiB
  // ingest batch stores chunks 5-7 % smaller with the dictionary counted,
  // and compresses no slower. Under 4 MiB of samples it does not pay for
  // itself. Record indexes (mostly accession names) came out 0.8 % larger
  // with a 32 KiB dictionary on the generated release, so they use none;
  // manifests are one object per version, with nothing to learn from.
  if (kind == ObjectKind::kChunk) return DictionaryPlan{256 << 10, 4 << 20};
  return std::nullopt;
}

core::Result<std::optional<core::ObjectId>> TrainDictionaryIfMissing(
    WritableStore& store, ObjectKind kind, std::span<const std::string_view> samples) {
  const auto plan = DictionaryPlanFor(kind);
  if (!plan || !store.config().dictionaries) return std::optional<core::ObjectId>();
  TALARIA_ASSIGN_OR_RETURN(auto current, store.CurrentDictionary(kind));
  if (current) {
    TALARIA_ASSIGN_OR_RETURN(bool present, store.Has(*current));
    if (present) return std::optional<core::ObjectId>();
  }
  size_t bytes = 0;
  for (std::string_view s : samples) bytes += s.size();
  if (bytes < plan->min_sample_bytes) return std::optional<core::ObjectId>();
  const auto start = std::chrono::steady_clock::now();
  auto dict = TrainZstdDictionary(samples, plan->dictionary_bytes);
  if (!dict) {
    // Data zstd cannot learn from (too uniform, say): store without.
    spdlog::info("no {} dictionary: {}", ObjectKindName(kind), dict.error().message());
    return std::optional<core::ObjectId>();
  }
  // Only a dictionary that pays for itself within these samples: measured
  // on every fourth one (DNA, say, gains less than the dictionary costs).
  const CodecSpec spec = store.config().codec.type == CodecType::kZstd ? store.config().codec
                                                                       : CodecSpec{};
  const ZstdDictionary prepared(*dict);
  uint64_t plain = 0, with = 0, measured = 0;
  for (size_t i = 0; i < samples.size(); i += 4) {
    TALARIA_ASSIGN_OR_RETURN(std::string a, Compress(spec, samples[i]));
    TALARIA_ASSIGN_OR_RETURN(std::string b, Compress(spec, samples[i], {}, &prepared));
    plain += a.size();
    with += b.size();
    measured += samples[i].size();
  }
  const double saved = measured == 0 ? 0.0
                                     : (static_cast<double>(plain) - static_cast<double>(with)) *
                                           static_cast<double>(bytes) / static_cast<double>(measured);
  if (saved < static_cast<double>(dict->size()) / 2) {
    spdlog::info("no {} dictionary: it would save {:.0f} bytes of these samples, less than it costs",
                 ObjectKindName(kind), saved);
    return std::optional<core::ObjectId>();
  }
  TALARIA_ASSIGN_OR_RETURN(core::ObjectId id, store.InstallDictionary(kind, *dict));
  spdlog::info("trained a {} {} dictionary from {} of samples in {:.2f} s: {}",
               core::HumanBytes(dict->size()), ObjectKindName(kind), core::HumanBytes(bytes),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               id.Hex());
  return std::optional<core::ObjectId>(id);
}

}  // namespace talaria::store
