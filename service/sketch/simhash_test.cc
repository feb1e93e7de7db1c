#include "service/sketch/simhash.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "service/sketch/minhash.h"

namespace neardup::sketch {
namespace {

std::vector<uint64_t> RandomSet(uint64_t seed, size_t n) {
  return RandomHashes(&seed, n);
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

TEST(SimHashTest, OneTokenEditOfALongTextGivesSmallDistance) {
  // A text of 3,000 shingles; a one-token edit replaces k = 4 of them. The
  // bits whose balance was within the change flip: a few of 64.
  int total = 0, worst = 0;
  for (uint64_t trial = 0; trial < 50; ++trial) {
    auto a = RandomSet(1000 + trial, 3000);
    auto b = a;
    for (int i = 0; i < 4; ++i) b[1000 + i] = ~b[1000 + i];
    const int d = HammingDistance(SimHash(a), SimHash(b));
    total += d;
    worst = std::max(worst, d);
  }
  EXPECT_LE(total / 50.0, 6.0);
  EXPECT_LE(worst, 12);
}

TEST(SimHashTest, MatchesTheBitByBitDefinition) {
  for (size_t n : {0u, 1u, 2u, 254u, 255u, 256u, 1000u}) {
    auto s = RandomSet(7 + n, n);
    uint64_t expected = 0;
    for (int j = 0; j < 64; ++j) {
      int64_t balance = 0;
      for (uint64_t x : s) balance += ((x >> j) & 1) ? 1 : -1;
      if (balance > 0) expected |= uint64_t{1} << j;
    }
    EXPECT_EQ(SimHash(s), expected) << n;
  }
}

TEST(SimHashTest, TableMasksCoverBlocksAsManku) {
  for (int k = 0; k <= kMaxSimHashDistance; ++k) {
    const std::vector<uint64_t> masks = SimHashTableMasks(k);
    const size_t blocks = static_cast<size_t>(k) + 2;
    EXPECT_EQ(masks.size(), k == 0 ? 1u : blocks * (blocks - 1) / 2) << k;
    for (uint64_t m : masks) {
      // Two blocks of about 64 / (k+2) bits each.
      EXPECT_GE(__builtin_popcountll(m), k == 0 ? 64 : 2 * (64 / (k + 2)));
    }
  }
  EXPECT_EQ(SimHashTableMasks(3).size(), 10u);
}

// Every fingerprint within distance k shares a table key with the query;
// random far ones almost never do.
TEST(SimHashTest, KeysFindEveryFingerprintWithinDistanceK) {
  uint64_t rng = 31337;
  for (int k = 0; k <= kMaxSimHashDistance; ++k) {
    int far_hits = 0;
    for (int trial = 0; trial < 2000; ++trial) {
      const uint64_t q = SplitMix64(&rng);
      uint64_t near = q;
      const int flips = static_cast<int>(SplitMix64(&rng) % (k + 1));
      for (int f = 0; f < flips; ++f)
        near ^= uint64_t{1} << (SplitMix64(&rng) % 64);
      ASSERT_LE(HammingDistance(q, near), k);
      const auto kq = SimHashKeys(q, k);
      const auto kn = SimHashKeys(near, k);
      bool shared = false;
      for (size_t t = 0; t < kq.size(); ++t) shared = shared || kq[t] == kn[t];
      EXPECT_TRUE(shared) << "k " << k << " trial " << trial;
      const auto kf = SimHashKeys(SplitMix64(&rng), k);
      for (size_t t = 0; t < kq.size(); ++t) far_hits += kq[t] == kf[t];
    }
    EXPECT_LE(far_hits, 2) << k;
  }
}

}  // namespace
}  // namespace neardup::sketch
