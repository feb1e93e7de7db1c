// neardupd's metrics in the Prometheus text format (version 0.0.4): a
// latency histogram per rpc and status code, observed as calls end, and
// gauges and counters read from their owners (executors, RocksDB, the
// disk) when scraped.
//
// Example:
//   Registry metrics;
//   metrics.AddValue("neardup_queued_calls", "Calls waiting.", "gauge",
//                    [&] { return pool.queued(); });
//   metrics.ObserveCall("Check", "OK", 0.0021);
//   std::string page = metrics.Render();  // for GET /metrics
//
// Thread-safe. Callbacks run under the registry's lock, at scrape time, and
// must not call back into it.

#ifndef NEARDUP_SERVICE_METRICS_REGISTRY_H_
#define NEARDUP_SERVICE_METRICS_REGISTRY_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace neardup::metrics {

// Upper bounds of the latency buckets, in seconds: 0.25 ms to 10 s.
inline constexpr std::array<double, 15> kLatencyBuckets = {
    0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05,
    0.1,     0.25,   0.5,   1,     2.5,   5,    10};

class Registry {
 public:
  // Label values and their value, for a metric with one label.
  using Labeled = std::vector<std::pair<std::string, double>>;

  // Counts one call of `method` that ended with `code` after `seconds`.
  void ObserveCall(std::string_view method, std::string_view code,
                   double seconds);

  // A metric (type "gauge" or "counter") whose value `read` returns.
  void AddValue(std::string name, std::string help, std::string type,
                std::function<double()> read);
  // The same with one label: one sample per pair `read` returns.
  void AddLabeled(std::string name, std::string help, std::string type,
                  std::string label, std::function<Labeled()> read);

  // The exposition page.
  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  struct Value {
    std::string name, help, type, label;
    std::function<double()> read;
    std::function<Labeled()> read_labeled;
  };

  mutable absl::Mutex mu_;
  // By (method, code).
  std::map<std::pair<std::string, std::string>, Histogram> calls_
      ABSL_GUARDED_BY(mu_);
  std::vector<Value> values_ ABSL_GUARDED_BY(mu_);
};

// Returns `value` escaped for a label value (backslash, quote, newline).
std::string EscapeLabel(std::string_view value);

}  // namespace neardup::metrics

#endif  // NEARDUP_SERVICE_METRICS_REGISTRY_H_
