#include "service/sketch/simhash.h"

#include <array>
#include <cstddef>

#include "service/common/check.h"

namespace neardup::sketch {
namespace {

// kSpread[b] has byte i equal to bit i of b: adding kSpread[byte] to a word
// of 8 byte-wide counters counts 8 bits at once.
constexpr std::array<uint64_t, 256> MakeSpread() {
  std::array<uint64_t, 256> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{(b >> i) & 1u} << (8 * i);
    t[b] = v;
  }
  return t;
}
constexpr std::array<uint64_t, 256> kSpread = MakeSpread();

}  // namespace

uint64_t SimHash(absl::Span<const uint64_t> set) {
  // ones[j] = number of elements with bit j set. Counted in 64 byte-wide
  // counters (eight 64-bit words, one per byte of the hash), flushed
  // before they can overflow: 8 table loads and adds per element instead
  // of 64 bit tests.
  uint64_t ones[64] = {};
  uint64_t lanes[8] = {};
  size_t pending = 0;
  auto flush = [&]() {
    for (int w = 0; w < 8; ++w) {
      for (int i = 0; i < 8; ++i)
        ones[w * 8 + i] += (lanes[w] >> (8 * i)) & 0xFF;
      lanes[w] = 0;
    }
    pending = 0;
  };
  for (const uint64_t x : set) {
    for (int w = 0; w < 8; ++w) lanes[w] += kSpread[(x >> (8 * w)) & 0xFF];
    if (++pending == 255) flush();
  }
  flush();
  const uint64_t n = set.size();
  uint64_t out = 0;
  for (int j = 0; j < 64; ++j) {
    if (2 * ones[j] > n) out |= uint64_t{1} << j;
  }
  return out;
}

int HammingDistance(uint64_t a, uint64_t b) {
  return __builtin_popcountll(a ^ b);
}

std::vector<uint64_t> SimHashTableMasks(int k) {
  NEARDUP_CHECK(k >= 0 && k <= kMaxSimHashDistance);
  if (k == 0) return {~uint64_t{0}};
  // k + 2 blocks, the first 64 % (k+2) of them one bit wider.
  const int blocks = k + 2;
  std::vector<uint64_t> block_masks;
  int bit = 0;
  for (int b = 0; b < blocks; ++b) {
    const int width = 64 / blocks + (b < 64 % blocks ? 1 : 0);
    block_masks.push_back(((uint64_t{1} << width) - 1) << bit);
    bit += width;
  }
  std::vector<uint64_t> masks;
  for (int i = 0; i < blocks; ++i) {
    for (int j = i + 1; j < blocks; ++j) {
      masks.push_back(block_masks[i] | block_masks[j]);
    }
  }
  return masks;
}

std::vector<SimHashKey> SimHashKeys(uint64_t fingerprint, int k) {
  // Computed once per distance: this runs for every stored document and
  // every query.
  static const auto* const tables = [] {
    auto* t = new std::array<std::vector<uint64_t>, kMaxSimHashDistance + 1>;
    for (int d = 0; d <= kMaxSimHashDistance; ++d) {
      (*t)[d] = SimHashTableMasks(d);
    }
    return t;
  }();
  NEARDUP_CHECK(k >= 0 && k <= kMaxSimHashDistance);
  const std::vector<uint64_t>& masks = (*tables)[k];
  std::vector<SimHashKey> keys;
  keys.reserve(masks.size());
  for (uint32_t t = 0; t < masks.size(); ++t) {
    keys.push_back(SimHashKey{t, fingerprint & masks[t]});
  }
  return keys;
}

}  // namespace neardup::sketch
