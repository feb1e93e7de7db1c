// 64-bit SimHash (Charikar 2002) of a shingle-hash set: bit j is set when
// more shingles have bit j set than clear. Similar sets give fingerprints a
// small Hamming distance apart; unrelated sets differ in about 32 bits.

#ifndef NEARDUP_SERVICE_SKETCH_SIMHASH_H_
#define NEARDUP_SERVICE_SKETCH_SIMHASH_H_

#include <cstdint>

#include "absl/types/span.h"

namespace neardup::sketch {

// Returns the SimHash of `set`, whose elements are already uniformly
// distributed 64-bit hashes (each shingle weighs 1). Ties give 0 bits; the
// empty set gives 0.
uint64_t SimHash(absl::Span<const uint64_t> set);

// Returns the number of differing bits between `a` and `b`, in [0, 64].
int HammingDistance(uint64_t a, uint64_t b);

}  // namespace neardup::sketch

#endif  // NEARDUP_SERVICE_SKETCH_SIMHASH_H_
