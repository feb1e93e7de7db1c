#include "service/sketch/bottom_k.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "service/sketch/minhash.h"

namespace neardup::sketch {
namespace {

TEST(BottomKTest, KeepsTheSmallestHighHalvesInOrder) {
  uint64_t rng = 1;
  std::vector<uint64_t> s = RandomHashes(&rng, 1000);
  const std::vector<uint32_t> unsorted = BottomK(s, 16);
  std::sort(s.begin(), s.end());
  EXPECT_EQ(BottomK(s, 16), unsorted);
  ASSERT_EQ(unsorted.size(), 16u);
  for (size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(unsorted[i], static_cast<uint32_t>(s[i] >> 32));
  }
  EXPECT_EQ(BottomK({}, 16).size(), 0u);
  EXPECT_EQ(BottomK(std::vector<uint64_t>{5, 3}, 16).size(), 1u);  // both 0
}

TEST(BottomKTest, ContainedQueryScoresExactlyOne) {
  uint64_t rng = 2;
  for (size_t ratio : {1u, 3u, 10u, 50u}) {
    const std::vector<uint64_t> q = RandomHashes(&rng, 300);
    std::vector<uint64_t> d = q;
    const std::vector<uint64_t> more = RandomHashes(&rng, 300 * (ratio - 1));
    d.insert(d.end(), more.begin(), more.end());
    EXPECT_DOUBLE_EQ(BottomKContainment(BottomK(q, 128), BottomK(d, 128), 128),
                     1.0)
        << ratio;
  }
}

TEST(BottomKTest, ContainmentIsAccurateOnAverage) {
  uint64_t rng = 3;
  double signed_error = 0, abs_error = 0;
  const int kPairs = 400;
  for (int i = 0; i < kPairs; ++i) {
    const double c = (i + 0.5) / kPairs;
    const size_t common = static_cast<size_t>(std::lround(c * 500));
    std::vector<uint64_t> q = RandomHashes(&rng, common);
    std::vector<uint64_t> d = q;
    const std::vector<uint64_t> q_only = RandomHashes(&rng, 500 - common);
    const std::vector<uint64_t> d_only = RandomHashes(&rng, 1000 - common);
    q.insert(q.end(), q_only.begin(), q_only.end());
    d.insert(d.end(), d_only.begin(), d_only.end());
    const double e = BottomKContainment(BottomK(q, 128), BottomK(d, 128), 128) -
                     static_cast<double>(common) / 500;
    signed_error += e;
    abs_error += std::fabs(e);
  }
  EXPECT_LT(std::fabs(signed_error / kPairs), 0.01);
  EXPECT_LT(abs_error / kPairs, 0.06);
}

TEST(BottomKTest, DisjointAndEmpty) {
  uint64_t rng = 4;
  const std::vector<uint64_t> a = RandomHashes(&rng, 400);
  const std::vector<uint64_t> b = RandomHashes(&rng, 400);
  EXPECT_DOUBLE_EQ(BottomKContainment(BottomK(a, 64), BottomK(b, 64), 64), 0.0);
  EXPECT_DOUBLE_EQ(BottomKContainment({}, BottomK(b, 64), 64), 0.0);
}

}  // namespace
}  // namespace neardup::sketch
