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
  // Every token hash in a fixed byte order, so that each window is hashed
  // in place: the same bytes on any host.
  const std::vector<uint64_t> words = TokenHashesLe(tokens);
  const auto* bytes = reinterpret_cast<const unsigned char*>(words.data());
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = tokens[i].cls == TokenClass::kWord ? params.word_size
                                                        : params.char_size;
    if (i + k > n) break;  // keeps element j at token j (see header)
    out.push_back(XXH3_64bits_withSeed(&bytes[i * 8], k * 8, params.seed));
  }
  if (out.empty()) {
    out.push_back(XXH3_64bits_withSeed(bytes, n * 8, params.seed));
  }
  return out;
}

size_t SharedCount(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b) {
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
  return common;
}

double SetJaccard(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b) {
  const size_t common = SharedCount(a, b);
  const size_t all = a.size() + b.size() - common;
  return all == 0 ? 0.0 : static_cast<double>(common) / all;
}

std::vector<uint64_t> ShingleSet(std::vector<uint64_t> hashes) {
  const size_t n = hashes.size();
  if (n < 256) {
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    return hashes;
  }
  // Shingle hashes are uniform: one bucket pass on the top bits (about 4
  // hashes per bucket), then each bucket sorted on its own. A bucket that
  // is large anyway (crafted input) gets std::sort: O(n log n) at worst.
  int bits = 4;
  while (bits < 20 && (size_t{4} << bits) < n) ++bits;
  const int shift = 64 - bits;
  std::vector<uint32_t> start((size_t{1} << bits) + 1, 0);
  for (const uint64_t h : hashes) ++start[(h >> shift) + 1];
  for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
  std::vector<uint64_t> out(n);
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (const uint64_t h : hashes) out[fill[h >> shift]++] = h;
  }
  for (size_t b = 0; b + 1 < start.size(); ++b) {
    uint64_t* first = out.data() + start[b];
    uint64_t* last = out.data() + start[b + 1];
    if (last - first > 16) {
      std::sort(first, last);
      continue;
    }
    for (uint64_t* i = first + 1; i < last; ++i) {  // insertion sort
      const uint64_t v = *i;
      uint64_t* j = i;
      for (; j > first && *(j - 1) > v; --j) *j = *(j - 1);
      *j = v;
    }
  }
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace neardup::text
