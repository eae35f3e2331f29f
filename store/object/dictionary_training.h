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
#include "store/object/writable_store.h"

namespace talaria::store {

struct DictionaryPlan {
  size_t dictionary_bytes = 0;  // largest dictionary to train
  size_t min_sample_bytes = 0;  // fewer sample bytes: no dictionary (it would not pay)
};

// The plan for `kind`; nullopt for kinds that use no dictionary.
std::optional<DictionaryPlan> DictionaryPlanFor(ObjectKind kind);

// Trains a dictionary for `kind` from `samples` (objects of that kind, as
// stored) and installs it, unless the store's configuration turns
// dictionaries off, the kind has no plan, the store already has one for
// it, or the samples are fewer than the plan asks. Returns the new
// dictionary's id, or nullopt when none was trained.
core::Result<std::optional<core::ObjectId>> TrainDictionaryIfMissing(
    WritableStore& store, ObjectKind kind, std::span<const std::string_view> samples);

}  // namespace talaria::store
