// External sorting of 64-bit values (candidate pairs packed as
// (a << 32) | b): values are buffered up to a memory budget, sorted and
// written as runs, and the runs are merged, without repeats, into one
// sorted file. Memory: the budget while adding, one buffer per run while
// merging.

#ifndef NEARDUP_SERVICE_AUDIT_SORTER_H_
#define NEARDUP_SERVICE_AUDIT_SORTER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace neardup::audit {

// Not thread-safe: one sorter per thread.
class RunWriter {
 public:
  // Runs are named `prefix`-N.run; at most `max_values` are buffered.
  RunWriter(std::string prefix, size_t max_values);

  absl::Status Add(uint64_t value) {
    buffer_.push_back(value);
    if (buffer_.size() >= max_values_) return Spill();
    return absl::OkStatus();
  }

  // Writes what is buffered; returns every run written.
  absl::StatusOr<std::vector<std::string>> Finish();

 private:
  absl::Status Spill();

  const std::string prefix_;
  const size_t max_values_;
  std::vector<uint64_t> buffer_;
  std::vector<std::string> runs_;
};

// Runs merged in one pass, at most: more are merged in several passes.
inline constexpr size_t kFanIn = 256;

// Merges the sorted `runs` into `out` (sorted, each value once), and
// returns how many values it holds. The runs are left in place.
absl::StatusOr<uint64_t> MergeRuns(const std::vector<std::string>& runs,
                                   const std::string& out);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_SORTER_H_
