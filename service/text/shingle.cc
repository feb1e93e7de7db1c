#include "service/text/shingle.h"

// Inline XXH3 so calls on short, fixed-size inputs (one character, a
// window of 5 token hashes) are specialised instead of dispatched.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cstring>

#include "service/common/check.h"

namespace neardup::text {
namespace {

// Longest window: sizes are validated to at most 32 tokens, and the
// whole-text fallback window is shorter than the longest size.
constexpr size_t kMaxWindow = 32;

}  // namespace

std::vector<uint64_t> ShingleHashes(absl::Span<const Token> tokens,
                                    const ShingleParams& params) {
  NEARDUP_CHECK(params.word_size >= 1 && params.char_size >= 1 &&
                params.word_size <= kMaxWindow &&
                params.char_size <= kMaxWindow);
  std::vector<uint64_t> out;
  if (tokens.empty()) return out;
  const size_t n = tokens.size();
  // Every token hash serialised once, little-endian, so that each window
  // is hashed in place: the same bytes on any host.
  std::vector<unsigned char> bytes(n * 8);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t h = tokens[i].hash;
    for (int b = 0; b < 8; ++b) {
      bytes[i * 8 + b] = static_cast<unsigned char>(h >> (8 * b));
    }
  }
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = tokens[i].cls == TokenClass::kWord ? params.word_size
                                                        : params.char_size;
    if (i + k > n) continue;
    out.push_back(XXH3_64bits_withSeed(&bytes[i * 8], k * 8, params.seed));
  }
  if (out.empty()) {
    out.push_back(XXH3_64bits_withSeed(bytes.data(), n * 8, params.seed));
  }
  return out;
}

double SetJaccard(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b) {
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common, ++i, ++j;
    }
  }
  const size_t all = a.size() + b.size() - common;
  return all == 0 ? 0.0 : static_cast<double>(common) / all;
}

std::vector<uint64_t> ShingleSet(std::vector<uint64_t> hashes) {
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

}  // namespace neardup::text
