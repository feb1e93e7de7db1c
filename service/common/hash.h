// The one 64-bit integer mixer of the code base, and the generator built
// on it. Everything that scrambles integers (MinHash, passage k-grams,
// seeds, test data) uses these, so there is one definition to trust.

#ifndef NEARDUP_SERVICE_COMMON_HASH_H_
#define NEARDUP_SERVICE_COMMON_HASH_H_

#include <cstdint>

namespace neardup {

// A bijective 64-bit mixer: the finalizer of SplitMix64 (Steele, Lea and
// Flood 2014), MurmurHash3's fmix64 with better constants. Each output
// bit depends on every input bit.
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Returns the next value of the SplitMix64 generator whose state is
// `*state`: a reproducible stream from a seed.
inline uint64_t SplitMix64(uint64_t* state) {
  return Mix64(*state += 0x9e3779b97f4a7c15ULL);
}

}  // namespace neardup

#endif  // NEARDUP_SERVICE_COMMON_HASH_H_
