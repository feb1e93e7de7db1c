#include "service/sketch/simhash.h"

#include <cstddef>

namespace neardup::sketch {

uint64_t SimHash(absl::Span<const uint64_t> set) {
  // counts[j] = (#shingles with bit j set) - (#with bit j clear).
  int64_t counts[64] = {};
  for (uint64_t x : set) {
    for (int j = 0; j < 64; ++j) {
      counts[j] += static_cast<int64_t>((x >> j) & 1) * 2 - 1;
    }
  }
  uint64_t out = 0;
  for (int j = 0; j < 64; ++j) {
    if (counts[j] > 0) out |= uint64_t{1} << j;
  }
  return out;
}

int HammingDistance(uint64_t a, uint64_t b) {
  return __builtin_popcountll(a ^ b);
}

}  // namespace neardup::sketch
