// Admission control for the calls that read documents (Add, Check,
// CheckAndAdd, CheckAndAddBatch, Search, Repeats, Compare): which pool runs
// a call, and whether it may wait for one at all.
//
// - Requests of at least `large_request_bytes` run on a pool of their own
//   whose threads have a lower scheduling priority, so that a few requests
//   of tens of megabytes, each seconds of work, never take the threads a
//   2 ms Check needs, and the kernel gives the cores to short calls first.
// - The request bytes admitted and not yet answered are bounded: a call
//   that would pass `max_inflight_bytes` is refused at once, like a call
//   that finds its pool's queue full, with RESOURCE_EXHAUSTED, a message
//   saying what is full, and a retry hint (AdmissionRefusal).
//
// Example:
//   Admission admission(&small_pool, &large_pool, {});
//   absl::Status s = admission.Submit(request.ByteSizeLong(), [&] { Run(); });
//   if (!s.ok()) { /* RESOURCE_EXHAUSTED: answer now, with the hint */ }
//
// Thread-safe. Does not own the pools; they must outlive it.

#ifndef NEARDUP_SERVICE_API_ADMISSION_H_
#define NEARDUP_SERVICE_API_ADMISSION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/common/executor.h"

namespace neardup::api {

class Admission {
 public:
  struct Options {
    // Requests of at least this many bytes run on the large pool.
    size_t large_request_bytes = size_t{1} << 20;
    // Bytes of requests queued or running, at most.
    uint64_t max_inflight_bytes = uint64_t{512} << 20;
    // How long a refused client is told to wait before it tries again.
    absl::Duration retry_after = absl::Seconds(1);
  };

  Admission(Executor* small, Executor* large, const Options& options)
      : small_(small), large_(large), options_(options) {}

  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  // Queues `task` for a request of `bytes` on the pool its size chooses.
  // RESOURCE_EXHAUSTED, without queueing it, when that pool's queue is full
  // or the in-flight bytes would pass their bound; the message says which
  // and when to retry.
  absl::Status Submit(size_t bytes, std::function<void()> task);

  const Options& options() const { return options_; }
  uint64_t inflight_bytes() const {
    return inflight_.load(std::memory_order_relaxed);
  }
  // Calls refused because the in-flight bytes were at their bound (the
  // pools count their own refusals).
  uint64_t refused_for_bytes() const {
    return refused_bytes_.load(std::memory_order_relaxed);
  }
  const Executor& small_pool() const { return *small_; }
  const Executor& large_pool() const { return *large_; }

 private:
  Executor* const small_;
  Executor* const large_;
  const Options options_;
  std::atomic<uint64_t> inflight_{0};
  std::atomic<uint64_t> refused_bytes_{0};
};

// Trailing metadata key gRPC clients read as the server's retry hint
// (gRPC's retry design, A6), in milliseconds.
inline constexpr char kRetryPushbackKey[] = "grpc-retry-pushback-ms";

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_ADMISSION_H_
