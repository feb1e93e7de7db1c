// Bottom-k sketches (Cohen & Kaplan 2007) for containment.
//
// The sketch of a set of shingle hashes is its k smallest hashes, each
// kept as its high 32 bits (half the bytes; two different shingles of one
// sketch share their high 32 bits with probability about n / 2^32 for sets
// of n shingles, which only ever adds a rare false match). Below the
// sketch's largest value, the sketch holds EVERY element of the set, so a
// query's small hashes can be tested for membership exactly. For
// containment |Q∩D|/|Q| this is more accurate than deriving it from a
// Jaccard estimate and the set sizes, and exact (error 0) when Q lies
// wholly inside D (docs/BENCHMARKS.md, "Sketch accuracy").

#ifndef NEARDUP_SERVICE_SKETCH_BOTTOM_K_H_
#define NEARDUP_SERVICE_SKETCH_BOTTOM_K_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::sketch {

// Returns the high 32 bits of the `k` smallest distinct hashes of `set`,
// ascending. Linear when `set` is sorted ascending (text::ShingleSet);
// otherwise it sorts a copy, O(n log n).
std::vector<uint32_t> BottomK(absl::Span<const uint64_t> set, uint32_t k);

// Returns the estimated containment |Q∩D|/|Q| from the sketches of Q and
// D (both from BottomK with the same `k`): among Q's values at or below
// both sketches' thresholds, the fraction found in D's sketch. 0 if either
// sketch is empty.
double BottomKContainment(absl::Span<const uint32_t> q,
                          absl::Span<const uint32_t> d, uint32_t k);

}  // namespace neardup::sketch

#endif  // NEARDUP_SERVICE_SKETCH_BOTTOM_K_H_
