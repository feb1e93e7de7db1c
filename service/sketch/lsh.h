// LSH banding for MinHash signatures (Indyk & Motwani; Broder).
//
// A signature of K values is cut into `bands` bands of `rows` values; two
// documents become candidates when any band is equal. With Jaccard s that
// happens with probability P(s) = 1 - (1 - s^rows)^bands, an S-curve whose
// steep part sits near the threshold the parameters were chosen for.

#ifndef NEARDUP_SERVICE_SKETCH_LSH_H_
#define NEARDUP_SERVICE_SKETCH_LSH_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::sketch {

struct LshParams {
  uint32_t bands = 0;
  uint32_t rows = 0;
};

// Returns the probability 1 - (1 - s^rows)^bands that two sets with Jaccard
// `s` share at least one band.
double CandidateProbability(double s, LshParams params);

// Default weights of OptimalLshParams. Every candidate is verified against
// its stored signature, so a false positive costs one read while a false
// negative is a missed duplicate: weigh misses 9 times more. At threshold
// 0.8 and 128 permutations this picks 14 x 9 (candidate probability 0.975
// at J = 0.85, 0.999 at J = 0.9) where equal weights pick 9 x 13 (0.69 and
// 0.93).
inline constexpr double kDefaultFpWeight = 0.1;
inline constexpr double kDefaultFnWeight = 0.9;

// Returns the (bands, rows) with bands * rows <= `num_perm` that minimise
// `fp_weight` * P(false positive) + `fn_weight` * P(false negative) for
// `threshold`, where the probabilities are the integrals of P(s) over
// [0, threshold) and of 1 - P(s) over [threshold, 1] (the criterion of
// datasketch's optimal-parameter routine). REQUIRES: 0 < threshold <= 1,
// num_perm >= 1.
LshParams OptimalLshParams(double threshold, uint32_t num_perm,
                           double fp_weight = kDefaultFpWeight,
                           double fn_weight = kDefaultFnWeight);

// Returns one 64-bit key per band of `signature`: XXH3-64 of the band's
// values (little-endian), seeded with the band index. Keys of different
// bands never need to be told apart by value; the index stores the band
// number beside the key. REQUIRES: bands * rows <= signature.size().
std::vector<uint64_t> BandKeys(absl::Span<const uint32_t> signature,
                               LshParams params);

}  // namespace neardup::sketch

#endif  // NEARDUP_SERVICE_SKETCH_LSH_H_
