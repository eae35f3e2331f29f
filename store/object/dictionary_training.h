#pragma once

// When the store trains a zstd dictionary for a kind of object, from what,
// and how large (docs/ARCHITECTURE.md "Dictionaries"). Ingest trains one
// from its first batch when the store has none for the kind; optimize
// retrains when the data has moved on.
//
// Thread-compatible (pure functions over a WritableStore, which is
// thread-safe).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/object/config.h"
#include "store/object/writable_store.h"
#include "store/pack/zstd_dictionary.h"

namespace talaria::store {

struct DictionaryPlan {
  size_t dictionary_bytes = 0;  // largest dictionary to train
  size_t min_sample_bytes = 0;  // fewer sample bytes: no dictionary (it would not pay)
};

// The plan for `kind`; nullopt for kinds that use no dictionary.
std::optional<DictionaryPlan> DictionaryPlanFor(ObjectKind kind);

// Whether a dictionary of `dictionary_bytes` is worth storing when it saves
// `saved_bytes` on the data at hand: half its size will do, since what is
// stored later gains too.
bool DictionaryPays(double saved_bytes, size_t dictionary_bytes);

// Trains a dictionary for `kind` from `samples` (objects of that kind, as
// stored) and installs it, unless the store's configuration turns
// dictionaries off, the kind has no plan, the store already has one for
// it, or the samples are fewer than the plan asks. Returns the new
// dictionary's id, or nullopt when none was trained.
core::Result<std::optional<core::ObjectId>> TrainDictionaryIfMissing(
    WritableStore& store, ObjectKind kind, std::span<const std::string_view> samples);

// A dictionary for `kind` trained from `training`, and what objects of the
// kind compress to with it, with `current` (the kind's dictionary now;
// nullptr: none) and with none, at the codec dictionary users are stored
// with: measured on `held_out` (other objects: how it does on data it has
// not seen) and on every fourth training sample (how it does on what it was
// trained from, which it is then used for too). Ingest decides from this
// whether a first dictionary pays for itself, optimize whether the data has
// moved on from the current one.
struct DictionaryTrial {
  struct Sizes {
    uint64_t raw = 0, without = 0, with_current = 0, with_new = 0;
  };
  std::string dictionary;     // empty: too few samples, or zstd learnt nothing
  uint64_t training_raw = 0;  // bytes of all of `training`
  Sizes held_out, trained;    // sizes are measured only when a dictionary was trained
};
core::Result<DictionaryTrial> TryDictionary(const StoreConfig& config, ObjectKind kind,
                                            std::span<const std::string_view> training,
                                            std::span<const std::string_view> held_out,
                                            const ZstdDictionary* current);

}  // namespace talaria::store
