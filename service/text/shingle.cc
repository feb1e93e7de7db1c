#include "service/text/shingle.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

#include "service/common/check.h"

namespace neardup::text {
namespace {

// Longest window: sizes are validated to at most 32 tokens, and the
// whole-text fallback window is shorter than the longest size.
constexpr size_t kMaxWindow = 32;

// Hashes the token hashes of `tokens` in a portable byte order.
uint64_t HashWindow(const Token* tokens, size_t n, uint64_t seed) {
  unsigned char buf[kMaxWindow * 8];
  unsigned char* p = buf;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t h = tokens[i].hash;
    for (int b = 0; b < 8; ++b) *p++ = static_cast<unsigned char>(h >> (8 * b));
  }
  return XXH3_64bits_withSeed(buf, n * 8, seed);
}

}  // namespace

std::vector<uint64_t> ShingleHashes(absl::Span<const Token> tokens,
                                    const ShingleParams& params) {
  NEARDUP_CHECK(params.word_size >= 1 && params.char_size >= 1 &&
                params.word_size <= kMaxWindow &&
                params.char_size <= kMaxWindow);
  std::vector<uint64_t> out;
  if (tokens.empty()) return out;
  out.reserve(tokens.size());
  const size_t n = tokens.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t k = tokens[i].cls == TokenClass::kWord ? params.word_size
                                                        : params.char_size;
    if (i + k > n) continue;
    out.push_back(HashWindow(&tokens[i], k, params.seed));
  }
  if (out.empty()) out.push_back(HashWindow(tokens.data(), n, params.seed));
  return out;
}

std::vector<uint64_t> ShingleSet(std::vector<uint64_t> hashes) {
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

}  // namespace neardup::text
