#include "service/common/executor.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <utility>

namespace neardup {

int AvailableCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

Executor::Executor(const Options& options) : max_queued_(options.max_queued) {
  const int n = options.threads > 0 ? options.threads : AvailableCores();
  threads_.reserve(n);
  const int nice = options.nice;
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this, nice] {
      // Linux schedules threads one by one: this sets the calling
      // thread's niceness. Best effort: raising it needs no privilege.
      if (nice != 0) setpriority(PRIO_PROCESS, gettid(), nice);
      Run();
    });
  }
}

Executor::~Executor() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

bool Executor::TrySubmit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (queue_.size() >= max_queued_) {
    ++rejected_;
    return false;
  }
  queue_.push_back(std::move(task));
  peak_queued_ = std::max(peak_queued_, queue_.size());
  return true;
}

void Executor::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](Executor* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->mu_) {
        return e->queue_.size() < e->max_queued_;
      },
      this));
  queue_.push_back(std::move(task));
  peak_queued_ = std::max(peak_queued_, queue_.size());
}

size_t Executor::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

size_t Executor::peak_queued() const {
  absl::MutexLock lock(&mu_);
  return peak_queued_;
}

uint64_t Executor::rejected() const {
  absl::MutexLock lock(&mu_);
  return rejected_;
}

void Executor::Run() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Executor* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->mu_) {
            return e->stopping_ || !e->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void ParallelFor(Executor* executor, size_t n,
                 const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  // One task per thread, each taking the next index until none is left:
  // uneven items balance out, and the queue holds a handful of tasks.
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  size_t running = 0;
  const size_t tasks = std::min<size_t>(n, executor->threads());
  {
    absl::MutexLock lock(&mu);
    running = tasks;
  }
  for (size_t t = 0; t < tasks; ++t) {
    executor->Submit([&] {
      for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
      absl::MutexLock lock(&mu);
      --running;
    });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](size_t* r) { return *r == 0; }, &running));
}

}  // namespace neardup
