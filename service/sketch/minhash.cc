#include "service/sketch/minhash.h"

#include <algorithm>

#include "service/common/check.h"

namespace neardup::sketch {
namespace {

constexpr uint32_t kEmpty = 0xffffffffu;

// Maps a uniform 32-bit value to [0, n) without division (Lemire).
inline uint32_t Range(uint32_t x, uint32_t n) {
  return static_cast<uint32_t>((uint64_t{x} * n) >> 32);
}

// Tweak that separates the densification probes from the bin hash.
constexpr uint64_t kProbeTweak = 0x64656e7369667931ULL;  // "densify1"

}  // namespace

std::vector<uint64_t> RandomHashes(uint64_t* state, size_t n) {
  std::vector<uint64_t> out(n);
  for (uint64_t& x : out) x = SplitMix64(state);
  return out;
}

MinHasher::MinHasher(uint32_t num_perm, uint64_t seed, MinHashScheme scheme)
    : num_perm_(num_perm), seed_(seed), scheme_(scheme) {
  NEARDUP_CHECK(num_perm >= 1);
  if (scheme_ == MinHashScheme::kClassic) {
    a_.resize(num_perm);
    b_.resize(num_perm);
    uint64_t state = seed;
    for (uint32_t i = 0; i < num_perm; ++i) {
      a_[i] = SplitMix64(&state) | 1;
      b_[i] = SplitMix64(&state);
    }
  }
}

std::vector<uint32_t> MinHasher::Signature(
    absl::Span<const uint64_t> set) const {
  return scheme_ == MinHashScheme::kClassic ? Classic(set)
                                            : OnePermutation(set);
}

std::vector<uint32_t> MinHasher::OnePermutation(
    absl::Span<const uint64_t> set) const {
  const uint32_t k = num_perm_;
  std::vector<uint32_t> sig(k, kEmpty);
  // Filled bins, tracked apart from the values: a value may be 0xffffffff.
  std::vector<uint8_t> filled(k, 0);
  uint32_t* s = sig.data();
  for (const uint64_t x : set) {
    const uint64_t y = Mix64(x ^ seed_);
    const uint32_t bin = Range(static_cast<uint32_t>(y >> 32), k);
    const uint32_t v = static_cast<uint32_t>(y);
    s[bin] = std::min(s[bin], v);
    filled[bin] = 1;
  }
  uint32_t nonempty = 0;
  for (uint8_t f : filled) nonempty += f;
  if (nonempty == 0 || nonempty == k) return sig;
  // Optimal densification: empty bin i takes the value of the first filled
  // bin on its probe sequence Range(Mix64(seed', i, attempt)). Filled bins
  // are only read, empty ones only written, so the order does not matter.
  const uint64_t probe_seed = Mix64(seed_ ^ kProbeTweak);
  // Expected probes per empty bin: k / nonempty. The cap only bounds a
  // pathological sequence; then the next filled bin to the right is used.
  const uint32_t max_probes = 64 * k;
  for (uint32_t i = 0; i < k; ++i) {
    if (filled[i]) continue;
    uint32_t from = k;
    for (uint32_t attempt = 1; attempt <= max_probes; ++attempt) {
      const uint64_t h =
          Mix64(probe_seed ^ ((uint64_t{i} << 32) | uint64_t{attempt}));
      const uint32_t j = Range(static_cast<uint32_t>(h >> 32), k);
      if (filled[j]) {
        from = j;
        break;
      }
    }
    if (from == k) {
      from = (i + 1) % k;
      while (!filled[from]) from = (from + 1) % k;
    }
    s[i] = s[from];
  }
  return sig;
}

std::vector<uint32_t> MinHasher::Classic(absl::Span<const uint64_t> set) const {
  const size_t k = a_.size();
  std::vector<uint32_t> sig(k, kEmpty);
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
