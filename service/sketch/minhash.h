// MinHash signatures (Broder 1997) of shingle-hash sets.
//
// Value i of a signature is the minimum over the set of h_i(x), where
// h_i(x) = high 32 bits of (a_i * x + b_i) mod 2^64 with a_i odd: a
// multiply-add-shift hash (Dietzfelbinger) of the already uniformly
// distributed XXH3 shingle hash x. The fraction of equal values in two
// signatures estimates the Jaccard similarity of the two sets.
//
// This is the classic K-hash scheme (K multiply-adds per shingle).
// Deterministic and portable: the same set and seed give the same
// signature on any host.

#ifndef NEARDUP_SERVICE_SKETCH_MINHASH_H_
#define NEARDUP_SERVICE_SKETCH_MINHASH_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::sketch {

// Computes signatures of one size and seed. Immutable after construction;
// thread-safe.
class MinHasher {
 public:
  // REQUIRES: num_perm >= 1.
  MinHasher(uint32_t num_perm, uint64_t seed);

  MinHasher(const MinHasher&) = default;
  MinHasher& operator=(const MinHasher&) = default;

  uint32_t num_perm() const { return static_cast<uint32_t>(a_.size()); }

  // Returns the signature of `set` (num_perm values). The empty set gives
  // all 0xffffffff. Duplicates in `set` do not change the result.
  std::vector<uint32_t> Signature(absl::Span<const uint64_t> set) const;

 private:
  std::vector<uint64_t> a_;  // odd multipliers
  std::vector<uint64_t> b_;  // offsets
};

// Returns the fraction of positions where `a` and `b` agree: an unbiased
// estimate of the Jaccard similarity, with standard error
// sqrt(J(1-J)/K). REQUIRES: a.size() == b.size() > 0.
double EstimateJaccard(absl::Span<const uint32_t> a,
                       absl::Span<const uint32_t> b);

// Returns the next value of the SplitMix64 generator whose state is `*state`.
// Used to derive hash parameters from a seed.
uint64_t SplitMix64(uint64_t* state);

}  // namespace neardup::sketch

#endif  // NEARDUP_SERVICE_SKETCH_MINHASH_H_
