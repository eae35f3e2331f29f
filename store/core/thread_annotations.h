#pragma once

// Clang thread-safety annotations (no-ops elsewhere), as in LevelDB's
// port/thread_annotations.h. Build once with clang -Wthread-safety to check.

#if defined(__clang__)
#define TALARIA_TSA(x) __attribute__((x))
#else
#define TALARIA_TSA(x)
#endif

#define CAPABILITY(x) TALARIA_TSA(capability(x))
#define SCOPED_CAPABILITY TALARIA_TSA(scoped_lockable)
#define GUARDED_BY(x) TALARIA_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) TALARIA_TSA(pt_guarded_by(x))
#define REQUIRES(...) TALARIA_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) TALARIA_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) TALARIA_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) TALARIA_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) TALARIA_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) TALARIA_TSA(release_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) TALARIA_TSA(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS TALARIA_TSA(no_thread_safety_analysis)
