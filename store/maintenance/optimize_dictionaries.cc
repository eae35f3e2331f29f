#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/fmt/fmt.h>

#include "store/catalog/database_catalog.h"
#include "store/core/human_bytes.h"
#include "store/maintenance/optimize_context.h"
#include "store/object/dictionary_training.h"

namespace talaria::store::optimize_internal {

using core::ObjectId;
using core::Status;

namespace {

// Raw bytes of current chunks read to train (four fifths) and to judge
// (one fifth) a new dictionary: as much as ingest trains from, plus the
// held-out share.
constexpr uint64_t kSampleBytes = 10 << 20;
// A new dictionary replaces the current one only when the current chunks,
// projected from the training and held-out samples, come out at least this
// much smaller with it (retraining rewrites every chunk, so a marginal gain
// is not worth the work).
constexpr double kMinRetrainGain = 0.03;

// The chunks the current database versions list that are stored whole (a
// delta does not use a dictionary), once each, in manifest order, with
// their raw bytes in all.
struct CurrentChunks {
  std::vector<ObjectId> ids;
  uint64_t raw_bytes = 0;
};
CurrentChunks ListCurrentChunks(const std::map<ObjectId, ObjectInfo>& objects,
                                const VersionSets& v) {
  CurrentChunks out;
  std::set<ObjectId> seen;
  for (const auto& [dv, m] : v.versions) {
    if (!v.current_manifests.count(dv.manifest)) continue;
    for (const ObjectId& id : VersionObjects(dv.manifest, m)) {
      auto it = objects.find(id);
      if (it == objects.end() || it->second.kind() != ObjectKind::kChunk) continue;
      if (it->second.entry.is_delta()) continue;
      if (!seen.insert(id).second) continue;
      out.ids.push_back(id);
      out.raw_bytes += it->second.entry.raw_len;
    }
  }
  return out;
}

double Share(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

Status Dictionaries(Context& ctx, StrategyResult* r) {
  constexpr ObjectKind kKind =
      ObjectKind::kChunk;  // the one kind with a plan (dictionary_training.h)
  if (!ctx.store.config().dictionaries) {
    r->detail = "dictionaries are turned off (storage.toml [storage] dictionaries)";
    return core::OkStatus();
  }
  TALARIA_ASSIGN_OR_RETURN(auto objects, AllObjects(ctx.store));
  TALARIA_ASSIGN_OR_RETURN(VersionSets versions, LoadVersions(ctx.store));
  const CurrentChunks current_chunks = ListCurrentChunks(objects, versions);

  // Samples spread over the current chunks; every fifth one held out.
  const size_t step =
      static_cast<size_t>(std::max<uint64_t>(1, current_chunks.raw_bytes / kSampleBytes));
  std::vector<std::shared_ptr<const std::string>> kept;  // what the views point into
  std::vector<std::string_view> training, held_out;
  for (size_t i = 0, n = 0; i < current_chunks.ids.size(); i += step, n++) {
    TALARIA_ASSIGN_OR_RETURN(auto bytes, ctx.store.GetUncounted(current_chunks.ids[i]));
    kept.push_back(bytes);
    (n % 5 == 4 ? held_out : training).push_back(*bytes);
  }

  // The current dictionary (one named but gone counts as none: verify
  // reports it).
  TALARIA_ASSIGN_OR_RETURN(auto current_id, ctx.store.CurrentDictionary(kKind));
  std::shared_ptr<const ZstdDictionary> current;
  if (current_id) {
    auto d = ctx.store.Dictionary(*current_id);
    if (!d && d.error().code() != core::Code::kNotFound) return core::Propagate(d.error());
    if (d) current = *d;
  }
  TALARIA_ASSIGN_OR_RETURN(DictionaryTrial trial, TryDictionary(ctx.store.config(), kKind, training,
                                                                held_out, current.get()));
  r->candidates = held_out.size() + training.size();

  // What the current chunks would come to with the new dictionary, against
  // what they use now: the training chunks at the rate measured on them,
  // the rest at the held-out rate.
  const uint64_t training_bytes = trial.training_raw;
  const uint64_t unseen_bytes =
      current_chunks.raw_bytes - std::min(current_chunks.raw_bytes, training_bytes);
  auto base = [&](const DictionaryTrial::Sizes& z) { return current ? z.with_current : z.without; };
  auto project = [&](uint64_t trained, uint64_t held) {
    return Share(trained, trial.trained.raw) * static_cast<double>(training_bytes) +
           Share(held, trial.held_out.raw) * static_cast<double>(unseen_bytes);
  };
  const double before = project(base(trial.trained), base(trial.held_out));
  const double saving = before - project(trial.trained.with_new, trial.held_out.with_new);
  const double gain = before > 0 ? saving / before : 0.0;
  const double held_out_gain =
      1.0 - Share(trial.held_out.with_new, std::max<uint64_t>(1, base(trial.held_out)));

  // Install the new one when it stores the current chunks kMinRetrainGain
  // smaller than now and pays for itself.
  const ObjectId new_id = ObjectId::Hash(trial.dictionary);
  const bool install = !trial.dictionary.empty() && (!current || new_id != *current_id) &&
                       gain >= kMinRetrainGain && DictionaryPays(saving, trial.dictionary.size());
  const std::string against = current ? "the current one" : "none";
  std::string verdict;
  if (trial.dictionary.empty()) {
    verdict = "no new dictionary (too few current chunks to train one)";
  } else {
    verdict = fmt::format(
        "{} {} dictionary from {} current chunks would store them {:.1f} % {} than {} "
        "({:.1f} % on {} held out), saving about {}{}",
        install ? "a new" : "no new dictionary: a", core::HumanBytes(trial.dictionary.size()),
        training.size(), std::abs(gain) * 100, gain >= 0 ? "smaller" : "larger", against,
        held_out_gain * 100, held_out.size(),
        core::HumanBytes(static_cast<uint64_t>(std::max(0.0, saving))),
        install ? ""
                : fmt::format(" (it needs {:.0f} % and half its size)", kMinRetrainGain * 100));
  }
  if (!install && !current) {
    r->detail = verdict;
    return core::OkStatus();
  }

  std::shared_ptr<const ZstdDictionary> candidate;
  ObjectId chosen = current_id.value_or(ObjectId());
  uint64_t dictionary_cost = 0;  // the record it takes in a pack
  if (install && ctx.writing()) {
    TALARIA_ASSIGN_OR_RETURN(chosen, ctx.store.InstallDictionary(kKind, trial.dictionary));
    ctx.touched.insert(chosen);
    TALARIA_ASSIGN_OR_RETURN(ObjectInfo installed, ctx.store.Stat(chosen));
    dictionary_cost = installed.entry.record_len;
  } else if (install) {
    TALARIA_ASSIGN_OR_RETURN(auto record, ctx.store.PrepareDictionary(trial.dictionary));
    dictionary_cost = record.header.record_len();
    candidate = std::make_shared<const ZstdDictionary>(trial.dictionary);
    chosen = new_id;
  }

  // Every whole zstd chunk not on the chosen dictionary moves to it: one on
  // an older dictionary whenever that is no larger (so the old one can go),
  // one on none when that saves min_gain.
  std::vector<Rewrite> plan;
  for (const auto& [id, info] : objects) {
    if (info.kind() != kKind || info.entry.is_delta()) continue;
    if (static_cast<CodecType>(info.entry.codec) != CodecType::kZstd) continue;
    if (info.entry.dictionary && info.entry.base == chosen) continue;
    TALARIA_ASSIGN_OR_RETURN(FrameHeader frame, StoredFrame(ctx.store, info));
    PutOptions o;
    o.kind = kKind;
    o.codec =
        CodecSpec{CodecType::kZstd, frame.level ? frame.level : ctx.store.config().codec.level};
    o.dictionary_override = candidate;
    o.dictionary_override_id = chosen;
    plan.push_back(
        Rewrite{id, o, info.entry.record_len, info.entry.dictionary ? 0.0 : ctx.options.min_gain});
  }
  TALARIA_RETURN_IF_ERROR(ApplyRewrites(ctx, plan, r));  // sets candidates
  const uint64_t cost = std::min(dictionary_cost, r->bytes_saved);
  r->bytes_saved -= cost;
  if (ctx.options.mode != Mode::kEstimate) ctx.saved -= std::min(cost, ctx.saved);
  r->detail = verdict;
  if (!plan.empty()) {
    r->detail +=
        fmt::format("; {} of {} chunks {} to {}", r->changed, plan.size(),
                    ctx.writing() ? "moved" : "would move", install ? "it" : "the current one");
  }
  if (install && current) r->detail += " (gc removes the old one once nothing uses it)";
  return core::OkStatus();
}

}  // namespace talaria::store::optimize_internal
