#include "service/sketch/lsh.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "service/sketch/minhash.h"

namespace neardup::sketch {
namespace {

TEST(LshTest, OptimalParamsFitInNumPermAndCenterOnThreshold) {
  for (double t : {0.5, 0.7, 0.8, 0.9}) {
    LshParams p = OptimalLshParams(t, 128);
    EXPECT_LE(p.bands * p.rows, 128u) << t;
    // The S-curve is steep around the threshold.
    EXPECT_LT(CandidateProbability(t - 0.2, p), 0.5) << t;
    EXPECT_GT(CandidateProbability(std::min(1.0, t + 0.1), p), 0.5) << t;
  }
}

TEST(LshTest, MatchesDatasketchChoiceForCommonSettings) {
  // datasketch's _optimal_param(0.8, 128, 0.5, 0.5) is (9, 13).
  LshParams p = OptimalLshParams(0.8, 128, 0.5, 0.5);
  EXPECT_EQ(p.bands, 9u);
  EXPECT_EQ(p.rows, 13u);
}

TEST(LshTest, DefaultWeightsFavourRecall) {
  LshParams p = OptimalLshParams(0.8, 128);
  EXPECT_EQ(p.bands, 14u);
  EXPECT_EQ(p.rows, 9u);
  EXPECT_GT(CandidateProbability(0.85, p), 0.97);
  EXPECT_GT(CandidateProbability(0.9, p), 0.998);
  EXPECT_LT(CandidateProbability(0.5, p), 0.05);
}

TEST(LshTest, BandKeysAreDeterministicAndPerBand) {
  std::vector<uint32_t> sig(128);
  for (uint32_t i = 0; i < 128; ++i) sig[i] = i * 2654435761u;
  LshParams p{9, 13};
  std::vector<uint64_t> k1 = BandKeys(sig, p);
  EXPECT_EQ(k1, BandKeys(sig, p));
  ASSERT_EQ(k1.size(), 9u);
  sig[13] ^= 1;  // first value of band 1
  std::vector<uint64_t> k2 = BandKeys(sig, p);
  EXPECT_EQ(k1[0], k2[0]);
  EXPECT_NE(k1[1], k2[1]);
  EXPECT_EQ(k1[2], k2[2]);
}

}  // namespace
}  // namespace neardup::sketch
