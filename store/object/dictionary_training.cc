#include "store/object/dictionary_training.h"

#include <chrono>
#include <vector>

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

namespace {

// The codec objects compressed with a dictionary use: the store's when it
// is zstd, zstd's default otherwise.
CodecSpec DictionaryCodec(const StoreConfig& config) {
  return config.codec.type == CodecType::kZstd ? config.codec : CodecSpec{};
}

// What `samples` compress to with `spec` and `dictionary` (nullptr: none).
core::Result<uint64_t> CompressedBytes(const CodecSpec& spec,
                                       std::span<const std::string_view> samples,
                                       const ZstdDictionary* dictionary) {
  uint64_t total = 0;
  for (std::string_view s : samples) {
    TALARIA_ASSIGN_OR_RETURN(std::string c, Compress(spec, s, {}, dictionary));
    total += c.size();
  }
  return total;
}

}  // namespace

bool DictionaryPays(double saved_bytes, size_t dictionary_bytes) {
  return saved_bytes >= static_cast<double>(dictionary_bytes) / 2;
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
  const auto start = std::chrono::steady_clock::now();
  TALARIA_ASSIGN_OR_RETURN(DictionaryTrial trial,
                           TryDictionary(store.config(), kind, samples, {}, nullptr));
  if (trial.dictionary.empty()) return std::optional<core::ObjectId>();
  // Only a dictionary that pays for itself within these samples, as
  // measured on every fourth one (DNA, say, gains less than it costs).
  const double saved = trial.trained.raw == 0 ? 0.0
                                              : (static_cast<double>(trial.trained.without) -
                                                 static_cast<double>(trial.trained.with_new)) *
                                                    static_cast<double>(trial.training_raw) /
                                                    static_cast<double>(trial.trained.raw);
  if (!DictionaryPays(saved, trial.dictionary.size())) {
    spdlog::info(
        "no {} dictionary: it would save {:.0f} bytes of these samples, less than it costs",
        ObjectKindName(kind), saved);
    return std::optional<core::ObjectId>();
  }
  TALARIA_ASSIGN_OR_RETURN(core::ObjectId id, store.InstallDictionary(kind, trial.dictionary));
  spdlog::info("trained a {} {} dictionary from {} of samples in {:.2f} s: {}",
               core::HumanBytes(trial.dictionary.size()), ObjectKindName(kind),
               core::HumanBytes(trial.training_raw),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               id.Hex());
  return std::optional<core::ObjectId>(id);
}

core::Result<DictionaryTrial> TryDictionary(const StoreConfig& config, ObjectKind kind,
                                            std::span<const std::string_view> training,
                                            std::span<const std::string_view> held_out,
                                            const ZstdDictionary* current) {
  DictionaryTrial trial;
  std::vector<std::string_view> trained;
  for (size_t i = 0; i < training.size(); i++) {
    trial.training_raw += training[i].size();
    if (i % 4 == 0) trained.push_back(training[i]);
  }
  const auto plan = DictionaryPlanFor(kind);
  if (!plan || trial.training_raw < plan->min_sample_bytes) return trial;
  const CodecSpec spec = DictionaryCodec(config);
  // Everything but with_new, which stays with_current without a new one.
  auto measure = [&](std::span<const std::string_view> set,
                     DictionaryTrial::Sizes* sizes) -> core::Status {
    for (std::string_view s : set) sizes->raw += s.size();
    TALARIA_ASSIGN_OR_RETURN(sizes->without, CompressedBytes(spec, set, nullptr));
    sizes->with_current = sizes->without;
    if (current) {
      TALARIA_ASSIGN_OR_RETURN(sizes->with_current, CompressedBytes(spec, set, current));
    }
    sizes->with_new = sizes->with_current;
    return core::OkStatus();
  };
  TALARIA_RETURN_IF_ERROR(measure(held_out, &trial.held_out));
  TALARIA_RETURN_IF_ERROR(measure(trained, &trial.trained));
  auto dict = TrainZstdDictionary(training, plan->dictionary_bytes);
  if (!dict) {
    // Data zstd cannot learn from (too uniform, say): none.
    spdlog::info("no {} dictionary: {}", ObjectKindName(kind), dict.error().message());
    return trial;
  }
  const ZstdDictionary prepared(*dict);
  TALARIA_ASSIGN_OR_RETURN(trial.held_out.with_new, CompressedBytes(spec, held_out, &prepared));
  TALARIA_ASSIGN_OR_RETURN(trial.trained.with_new, CompressedBytes(spec, trained, &prepared));
  trial.dictionary = std::move(*dict);
  return trial;
}

}  // namespace talaria::store
