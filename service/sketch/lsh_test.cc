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

// Over many pairs of sets with exact Jaccard s, the fraction that share a
// band matches 1 - (1 - s^r)^b: the banding of real (one-permutation)
// signatures behaves as the formula the parameters were chosen by.
TEST(LshTest, MeasuredCandidateProbabilityMatchesTheFormula) {
  const MinHasher hasher(128, 0x5eed);
  const LshParams p = OptimalLshParams(0.8, 128);  // 14 x 9
  uint64_t rng = 77;
  const int kPairs = 3000;
  const size_t kUnion = 1000;
  for (double s : {0.5, 0.7, 0.8, 0.9}) {
    const size_t shared = static_cast<size_t>(std::lround(s * kUnion));
    const size_t only = (kUnion - shared) / 2;
    int candidates = 0;
    std::vector<uint64_t> a, b;
    for (int i = 0; i < kPairs; ++i) {
      a.clear();
      b.clear();
      for (size_t e = 0; e < shared; ++e) {
        const uint64_t x = SplitMix64(&rng);
        a.push_back(x);
        b.push_back(x);
      }
      for (size_t e = 0; e < only; ++e) a.push_back(SplitMix64(&rng));
      for (size_t e = 0; e < only; ++e) b.push_back(SplitMix64(&rng));
      const std::vector<uint64_t> ka = BandKeys(hasher.Signature(a), p);
      const std::vector<uint64_t> kb = BandKeys(hasher.Signature(b), p);
      bool any = false;
      for (uint32_t band = 0; band < p.bands; ++band) {
        any = any || ka[band] == kb[band];
      }
      candidates += any;
    }
    const double measured = static_cast<double>(candidates) / kPairs;
    const double truth = static_cast<double>(shared) / (shared + 2 * only);
    EXPECT_NEAR(measured, CandidateProbability(truth, p), 0.03) << "s = " << s;
  }
}

}  // namespace
}  // namespace neardup::sketch
