#include "fs/background_tasks.h"

#include <spdlog/spdlog.h>

#include "store/maintenance/warm_list.h"

namespace talaria::fs {

BackgroundTasks::BackgroundTasks(store::ObjectStore* store, std::chrono::seconds flush_interval)
    : store_(store),
      recorder_(store->paths()),
      preload_([this](std::stop_token stop) { Preload(stop); }),
      flusher_([this, flush_interval] { FlushEvery(flush_interval); }) {
  store_->RecordAccessIn(&recorder_);
}

BackgroundTasks::~BackgroundTasks() {
  store_->RecordAccessIn(nullptr);
  preload_.request_stop();
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  preload_.join();
  flusher_.join();
  if (auto st = recorder_.Flush(); !st) {
    spdlog::warn("could not write access counts: {}", st.error().message());
  }
}

void BackgroundTasks::Preload(std::stop_token stop) {
  auto ids = store::ReadWarmList(store_->paths());
  if (!ids) {
    spdlog::warn("warm list not used: {}", ids.error().message());
    return;
  }
  const uint64_t budget = store_->config().cache_bytes / 2;
  uint64_t loaded = 0, objects = 0;
  for (const core::ObjectId& id : *ids) {
    if (stop.stop_requested() || loaded >= budget) break;
    auto info = store_->Stat(id);
    if (!info || loaded + info->entry.raw_len > budget) continue;  // gone since, or too big
    auto bytes = store_->GetUncounted(id);
    if (!bytes) continue;  // a damaged object is reported by the read that needs it
    loaded += (*bytes)->size();
    objects++;
  }
  if (objects > 0)
    spdlog::info("preloaded {} objects ({} bytes) from the warm list", objects, loaded);
}

void BackgroundTasks::FlushEvery(std::chrono::seconds interval) {
  const auto sleep = [&] {  // true once stopping
    core::MutexLock lock(&mu_);
    const auto until = std::chrono::steady_clock::now() + interval;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      wake_.WaitFor(until - std::chrono::steady_clock::now());
    }
    return stopping_;
  };
  while (!sleep()) {
    if (auto st = recorder_.Flush(); !st) {
      spdlog::warn("could not write access counts: {}", st.error().message());
    }
  }
}

}  // namespace talaria::fs
