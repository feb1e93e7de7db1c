#include "service/sketch/bottom_k.h"

#include <algorithm>
#include <limits>

namespace neardup::sketch {

std::vector<uint32_t> BottomK(absl::Span<const uint64_t> set, uint32_t k) {
  std::vector<uint32_t> out;
  if (std::is_sorted(set.begin(), set.end())) {
    out.reserve(std::min<size_t>(k, set.size()));
    for (size_t i = 0; i < set.size() && out.size() < k; ++i) {
      const uint32_t v = static_cast<uint32_t>(set[i] >> 32);
      if (out.empty() || out.back() != v) out.push_back(v);
    }
    return out;
  }
  std::vector<uint64_t> sorted(set.begin(), set.end());
  std::sort(sorted.begin(), sorted.end());
  return BottomK(sorted, k);
}

double BottomKContainment(absl::Span<const uint32_t> q,
                          absl::Span<const uint32_t> d, uint32_t k) {
  if (q.empty() || d.empty()) return 0;
  // A sketch with fewer than k values holds its whole set.
  constexpr uint32_t kAll = std::numeric_limits<uint32_t>::max();
  const uint32_t tau =
      std::min(q.size() < k ? kAll : q.back(), d.size() < k ? kAll : d.back());
  size_t below = 0, found = 0;
  size_t j = 0;
  for (const uint32_t x : q) {
    if (x > tau) break;
    ++below;
    while (j < d.size() && d[j] < x) ++j;
    found += j < d.size() && d[j] == x;
  }
  return below == 0 ? 0.0 : static_cast<double>(found) / below;
}

}  // namespace neardup::sketch
