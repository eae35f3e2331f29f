#pragma once

// What the daemon does besides answering requests: it preloads the store's
// warm list (store/maintenance/warm_list.h) into the object cache, up to half the cache,
// and it counts the reads of objects and writes those counts to the store's
// access directory (store/object/access_log.h) every `flush_interval` and when it
// stops, for optimize and analyze to use.
//
// Starts both on construction; the destructor stops them (the preload at
// its next object) and writes the last counts. The store must outlive this.

#include <chrono>
#include <thread>

#include "store/core/mutex.h"
#include "store/object/access_log.h"
#include "store/object/object_store.h"

namespace talaria::fs {

class BackgroundTasks {
 public:
  BackgroundTasks(store::ObjectStore* store, std::chrono::seconds flush_interval);
  ~BackgroundTasks();

  BackgroundTasks(const BackgroundTasks&) = delete;
  BackgroundTasks& operator=(const BackgroundTasks&) = delete;

 private:
  void Preload(std::stop_token stop);
  void FlushEvery(std::chrono::seconds interval);

  store::ObjectStore* const store_;
  store::AccessRecorder recorder_;
  core::Mutex mu_;
  core::CondVar wake_{&mu_};
  bool stopping_ GUARDED_BY(mu_) = false;  // set by the destructor: the flusher ends
  std::jthread preload_, flusher_;         // last: they use the members above
};

}  // namespace talaria::fs
