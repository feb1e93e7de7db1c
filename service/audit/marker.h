// Markers: small text files that say a stage (or a chunk of one) is done,
// with its counts. A stage writes its outputs first and its marker last
// (atomically), so a run killed at any point and started again finds
// either a marker and complete outputs, or no marker and redoes the step.
//
// Format: one "key value" per line; a key may repeat (a list); values are
// single lines (line breaks become spaces).

#ifndef NEARDUP_SERVICE_AUDIT_MARKER_H_
#define NEARDUP_SERVICE_AUDIT_MARKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace neardup::audit {

class Marker {
 public:
  // Appends `key` with `value`.
  void Add(std::string_view key, std::string_view value);
  void Add(std::string_view key, uint64_t value);
  void AddDouble(std::string_view key, double value);

  // Returns the first value of `key`, or `fallback`.
  std::string Get(std::string_view key, std::string_view fallback = "") const;
  uint64_t Int(std::string_view key) const;
  double Double(std::string_view key) const;
  // Returns every value of `key`, in order.
  std::vector<std::string> All(std::string_view key) const;

  // Every (key, value), in the order added.
  const std::vector<std::pair<std::string, std::string>>& entries() const {
    return entries_;
  }

  // Writes the marker to `path` atomically.
  absl::Status Write(const std::string& path) const;
  // Returns the marker at `path`, or nullopt if there is none.
  static absl::StatusOr<std::optional<Marker>> Read(const std::string& path);

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_MARKER_H_
