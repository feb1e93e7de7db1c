#include "service/api/admission.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace neardup::api {

absl::Status Admission::Submit(size_t bytes, std::function<void()> task) {
  const uint64_t retry_ms = absl::ToInt64Milliseconds(options_.retry_after);
  uint64_t now = inflight_.load(std::memory_order_relaxed);
  do {
    if (now + bytes > options_.max_inflight_bytes) {
      refused_bytes_.fetch_add(1, std::memory_order_relaxed);
      return absl::ResourceExhaustedError(absl::StrCat(
          "server busy: ", now >> 20, " MiB of requests are being handled, ",
          "and this one's ", bytes >> 20, " MiB would pass the bound of ",
          options_.max_inflight_bytes >> 20, " MiB; retry in ", retry_ms,
          " ms"));
    }
  } while (!inflight_.compare_exchange_weak(now, now + bytes,
                                            std::memory_order_relaxed));
  const bool large = bytes >= options_.large_request_bytes;
  Executor* pool = large ? large_ : small_;
  const bool queued =
      pool->TrySubmit([this, bytes, task = std::move(task)]() mutable {
        task();
        inflight_.fetch_sub(bytes, std::memory_order_relaxed);
      });
  if (queued) return absl::OkStatus();
  inflight_.fetch_sub(bytes, std::memory_order_relaxed);
  return absl::ResourceExhaustedError(absl::StrCat(
      "server busy: ", pool->max_queued(), " calls",
      large
          ? absl::StrCat(" of ", options_.large_request_bytes, " bytes or more")
          : "",
      " are waiting for ", pool->threads(), " worker threads; retry in ",
      retry_ms, " ms"));
}

}  // namespace neardup::api
