#include "service/sketch/simhash.h"

#include <vector>

#include "gtest/gtest.h"
#include "service/sketch/minhash.h"

namespace neardup::sketch {
namespace {

std::vector<uint64_t> RandomSet(uint64_t seed, size_t n) {
  std::vector<uint64_t> out(n);
  for (auto& x : out) x = SplitMix64(&seed);
  return out;
}

TEST(SimHashTest, IdenticalSetsGiveIdenticalFingerprints) {
  auto s = RandomSet(1, 1000);
  EXPECT_EQ(SimHash(s), SimHash(s));
  EXPECT_EQ(HammingDistance(SimHash(s), SimHash(s)), 0);
}

TEST(SimHashTest, SmallChangeGivesSmallDistance) {
  auto a = RandomSet(2, 2000);
  auto b = a;
  for (int i = 0; i < 5; ++i) b[i * 100] ^= 0x5555;  // ~5 shingles of 2000
  EXPECT_LE(HammingDistance(SimHash(a), SimHash(b)), 6);
}

TEST(SimHashTest, UnrelatedSetsDifferInAboutHalfTheBits) {
  int total = 0;
  for (uint64_t i = 0; i < 50; ++i) {
    total += HammingDistance(SimHash(RandomSet(100 + i, 500)),
                             SimHash(RandomSet(900 + i, 500)));
  }
  EXPECT_NEAR(total / 50.0, 32.0, 3.0);
}

TEST(SimHashTest, HammingDistance) {
  EXPECT_EQ(HammingDistance(0, ~uint64_t{0}), 64);
  EXPECT_EQ(HammingDistance(0b1011, 0b0001), 2);
}

}  // namespace
}  // namespace neardup::sketch
