// Executor: a fixed pool of threads running queued tasks, with a bound on
// how many may wait. The server runs every CPU-heavy call on one (so that
// gRPC's own threads only accept and answer calls, and a flood of large
// documents waits in a bounded queue instead of piling up threads); the
// audit signs documents on one.
//
// Example:
//   Executor pool({/*threads=*/0, /*max_queued=*/256});  // 0: one per core
//   if (!pool.TrySubmit([&] { Work(); })) { /* full: RESOURCE_EXHAUSTED */ }
//
// Thread-safe.

#ifndef NEARDUP_SERVICE_COMMON_EXECUTOR_H_
#define NEARDUP_SERVICE_COMMON_EXECUTOR_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace neardup {

// Returns the number of cores this process may run on (at least 1).
int AvailableCores();

class Executor {
 public:
  struct Options {
    int threads = 0;          // 0: AvailableCores()
    size_t max_queued = 256;  // tasks waiting for a thread, at most
    // Niceness added to its threads (Linux; 0: the process's own). The
    // server runs large requests on a pool with a positive value, so that
    // the kernel gives short calls the cores first.
    int nice = 0;
  };

  explicit Executor(const Options& options);

  // Runs every task still queued, then joins the threads.
  ~Executor();

  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task` and returns true, or returns false without queueing it
  // when max_queued tasks are already waiting.
  bool TrySubmit(std::function<void()> task);

  // Queues `task`, waiting for room in the queue first.
  void Submit(std::function<void()> task);

  int threads() const { return static_cast<int>(threads_.size()); }
  size_t max_queued() const { return max_queued_; }
  // Tasks waiting now, the most that ever waited at once, and tasks
  // TrySubmit refused so far.
  size_t queued() const;
  size_t peak_queued() const;
  uint64_t rejected() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  size_t peak_queued_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t rejected_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> threads_;
};

// Runs fn(i) for every i in [0, n) on `executor` and returns when all have
// run. fn must be safe to call concurrently for different i. REQUIRES: not
// called from a task of `executor` (it would wait for its own thread).
void ParallelFor(Executor* executor, size_t n,
                 const std::function<void(size_t)>& fn);

}  // namespace neardup

#endif  // NEARDUP_SERVICE_COMMON_EXECUTOR_H_
