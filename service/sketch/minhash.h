// MinHash signatures (Broder 1997) of shingle-hash sets.
//
// Two schemes, one interface:
//
// - kOnePermutation (the default): one-permutation hashing (Li, Owen &
//   Zhang 2012) with optimal densification (Shrivastava 2017). Each
//   shingle hash x is remixed once with the seed; its high bits pick one
//   of K bins, its low 32 bits are its value, and each bin keeps its
//   smallest value. An empty bin (a set smaller than or near K) borrows the
//   value of the first non-empty bin on a fixed pseudo-random probe
//   sequence that depends only on the bin and the seed, so two documents'
//   empty bins borrow from the same places. P(bin i agrees) = J exactly,
//   and the estimate is at least as accurate as K independent hashes
//   (sampling without replacement). One hash per shingle.
//
// - kClassic: K independent multiply-add-shift hashes (Dietzfelbinger),
//   value i = min over the set of h_i(x). K hashes per shingle; kept as
//   the baseline for the benchmark and the accuracy evaluation.
//
// The fraction of equal values in two signatures of one scheme, size and
// seed estimates the Jaccard similarity of the two sets. Deterministic and
// portable: the same set and seed give the same signature on any host.

#ifndef NEARDUP_SERVICE_SKETCH_MINHASH_H_
#define NEARDUP_SERVICE_SKETCH_MINHASH_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "service/common/hash.h"

namespace neardup::sketch {

enum class MinHashScheme : uint8_t {
  kOnePermutation = 0,
  kClassic = 1,
};

// Computes signatures of one scheme, size and seed. Immutable after
// construction; thread-safe.
class MinHasher {
 public:
  // REQUIRES: num_perm >= 1.
  MinHasher(uint32_t num_perm, uint64_t seed,
            MinHashScheme scheme = MinHashScheme::kOnePermutation);

  MinHasher(const MinHasher&) = default;
  MinHasher& operator=(const MinHasher&) = default;

  uint32_t num_perm() const { return num_perm_; }
  MinHashScheme scheme() const { return scheme_; }

  // Returns the signature of `set` (num_perm values). The empty set gives
  // all 0xffffffff. Duplicates in `set` and its order do not change the
  // result.
  std::vector<uint32_t> Signature(absl::Span<const uint64_t> set) const;

 private:
  std::vector<uint32_t> OnePermutation(absl::Span<const uint64_t> set) const;
  std::vector<uint32_t> Classic(absl::Span<const uint64_t> set) const;

  uint32_t num_perm_;
  uint64_t seed_;
  MinHashScheme scheme_;
  std::vector<uint64_t> a_;  // kClassic: odd multipliers
  std::vector<uint64_t> b_;  // kClassic: offsets
};

// Returns the fraction of positions where `a` and `b` agree: an unbiased
// estimate of the Jaccard similarity, with standard error at most
// sqrt(J(1-J)/K). REQUIRES: a.size() == b.size() > 0.
double EstimateJaccard(absl::Span<const uint32_t> a,
                       absl::Span<const uint32_t> b);

// Returns the next `n` values of SplitMix64 from `*state`: a reproducible
// stand-in for a set of shingle hashes (tests, benchmarks).
std::vector<uint64_t> RandomHashes(uint64_t* state, size_t n);

}  // namespace neardup::sketch

#endif  // NEARDUP_SERVICE_SKETCH_MINHASH_H_
