#include "service/sketch/winnow.h"

#include <algorithm>

#include "service/common/check.h"

namespace neardup::sketch {

std::vector<WinnowFingerprint> Winnow(absl::Span<const uint64_t> hashes,
                                      uint32_t window) {
  NEARDUP_CHECK(window >= 1);
  std::vector<WinnowFingerprint> out;
  const size_t n = hashes.size();
  if (n == 0) return out;
  const size_t w = std::min<size_t>(window, n);
  out.reserve(2 * n / (w + 1) + 2);
  // Rightmost minimum of [from, to).
  auto rightmost_min = [&](size_t from, size_t to) {
    size_t m = from;
    for (size_t i = from + 1; i < to; ++i) {
      if (hashes[i] <= hashes[m]) m = i;
    }
    return m;
  };
  size_t m = rightmost_min(0, w);
  out.push_back({hashes[m], static_cast<uint32_t>(m)});
  for (size_t start = 1; start + w <= n; ++start) {
    const size_t last = start + w - 1;
    if (m < start) {
      // The selected hash left the window: the rightmost minimum of the
      // new window.
      m = rightmost_min(start, last + 1);
    } else if (hashes[last] < hashes[m]) {
      m = last;  // strictly smaller: equal keeps the previous selection
    } else {
      continue;
    }
    out.push_back({hashes[m], static_cast<uint32_t>(m)});
  }
  return out;
}

}  // namespace neardup::sketch
