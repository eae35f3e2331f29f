#include "fs/background_tasks.h"

#include <spdlog/spdlog.h>

#include "store/warm_list.h"

namespace talaria::fs {

BackgroundTasks::BackgroundTasks(store::ObjectStore* store, std::chrono::seconds flush_interval)
    : store_(store),
      recorder_(store->paths()),
      preload_([this](std::stop_token stop) { Preload(stop); }),
      flusher_([this, flush_interval](std::stop_token stop) { FlushEvery(stop, flush_interval); }) {
  store_->RecordAccessIn(&recorder_);
}

BackgroundTasks::~BackgroundTasks() {
  store_->RecordAccessIn(nullptr);
  preload_.request_stop();
  flusher_.request_stop();
  wake_.notify_all();
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

void BackgroundTasks::FlushEvery(std::stop_token stop, std::chrono::seconds interval) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, stop, interval, [] { return false; })) {
    if (stop.stop_requested()) return;
    lock.unlock();
    if (auto st = recorder_.Flush(); !st) {
      spdlog::warn("could not write access counts: {}", st.error().message());
    }
    lock.lock();
  }
}

}  // namespace talaria::fs
