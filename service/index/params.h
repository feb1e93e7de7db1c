// Collection parameters: their bounds and defaults, in one table. New
// collections are validated against it (ResolveCollectionParams), stored
// collection records are checked against it when the database opens, the
// API reports the defaults it fills in from it, and `neardup audit` takes
// its defaults from it, so a local audit and a collection agree.

#ifndef NEARDUP_SERVICE_INDEX_PARAMS_H_
#define NEARDUP_SERVICE_INDEX_PARAMS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "service/sketch/simhash.h"

namespace neardup::index {

// An integer parameter: its name in the API and in error messages, the
// closed range it must lie in, and the value that 0 or "unset" means.
struct UintParam {
  const char* name;
  uint32_t min;
  uint32_t max;
  uint32_t fallback;
};

inline constexpr UintParam kNumPermParam{"num_perm", 16, 1024, 128};
inline constexpr UintParam kWordShingleParam{"word_shingle_size", 1, 16, 4};
inline constexpr UintParam kCharShingleParam{"char_shingle_size", 1, 32, 4};
// SimHash tables find stored documents within this Hamming distance; 0 by
// default (docs/BENCHMARKS.md, "Load", says why).
inline constexpr UintParam kSimHashDistanceParam{
    "simhash_distance", 0, static_cast<uint32_t>(sketch::kMaxSimHashDistance),
    0};
// Boilerplate rule of the passage index (MOSS's -m).
inline constexpr UintParam kPassageMaxDocsParam{"passage_max_docs", 1, 100000,
                                                50};

// The Jaccard threshold lies in (0, 1].
inline constexpr double kDefaultThreshold = 0.8;

// Defaults of the switches.
inline constexpr bool kDefaultFoldTraditional = true;
inline constexpr bool kDefaultSync = false;
inline constexpr bool kDefaultPassages = false;
inline constexpr bool kDefaultCollapseRepeats = true;

// Names kept for callers that want one value.
inline constexpr uint32_t kDefaultNumPerm = kNumPermParam.fallback;
inline constexpr uint32_t kDefaultWordShingleSize = kWordShingleParam.fallback;
inline constexpr uint32_t kDefaultCharShingleSize = kCharShingleParam.fallback;
inline constexpr uint32_t kDefaultPassageMaxDocs =
    kPassageMaxDocsParam.fallback;
inline constexpr uint32_t kMaxPassageMaxDocs = kPassageMaxDocsParam.max;

// OK if `value` lies in `param`'s range; INVALID_ARGUMENT naming the
// parameter, its range and the value otherwise ("num_perm must be in
// [16, 1024]: 8").
absl::Status CheckParam(const UintParam& param, uint32_t value);

// OK for a threshold in (0, 1]; INVALID_ARGUMENT otherwise (also NaN).
absl::Status CheckThreshold(double threshold);

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_PARAMS_H_
