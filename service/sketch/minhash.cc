#include "service/sketch/minhash.h"

#include <algorithm>

#include "service/common/check.h"

namespace neardup::sketch {

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

MinHasher::MinHasher(uint32_t num_perm, uint64_t seed) {
  NEARDUP_CHECK(num_perm >= 1);
  a_.resize(num_perm);
  b_.resize(num_perm);
  uint64_t state = seed;
  for (uint32_t i = 0; i < num_perm; ++i) {
    a_[i] = SplitMix64(&state) | 1;
    b_[i] = SplitMix64(&state);
  }
}

std::vector<uint32_t> MinHasher::Signature(
    absl::Span<const uint64_t> set) const {
  const size_t k = a_.size();
  std::vector<uint32_t> sig(k, 0xffffffffu);
  const uint64_t* a = a_.data();
  const uint64_t* b = b_.data();
  uint32_t* s = sig.data();
  for (uint64_t x : set) {
    // Independent lanes: the compiler vectorises this loop.
    for (size_t i = 0; i < k; ++i) {
      const uint32_t h = static_cast<uint32_t>((a[i] * x + b[i]) >> 32);
      s[i] = std::min(s[i], h);
    }
  }
  return sig;
}

double EstimateJaccard(absl::Span<const uint32_t> a,
                       absl::Span<const uint32_t> b) {
  NEARDUP_CHECK(a.size() == b.size() && !a.empty());
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

}  // namespace neardup::sketch
