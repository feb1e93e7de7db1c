#include "service/sketch/minhash.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace neardup::sketch {
namespace {

// Two sets of uniformly random hashes with true Jaccard `j`: `shared`
// common elements and `only` elements unique to each side.
void MakePair(uint64_t* rng, double j, size_t total, std::vector<uint64_t>* a,
              std::vector<uint64_t>* b) {
  // |A∪B| = total = shared + 2*only, J = shared / total.
  const size_t shared = static_cast<size_t>(std::lround(j * total));
  const size_t only = (total - shared) / 2;
  a->clear();
  b->clear();
  for (size_t i = 0; i < shared; ++i) {
    uint64_t x = SplitMix64(rng);
    a->push_back(x);
    b->push_back(x);
  }
  for (size_t i = 0; i < only; ++i) a->push_back(SplitMix64(rng));
  for (size_t i = 0; i < only; ++i) b->push_back(SplitMix64(rng));
}

class MinHashSchemeTest : public ::testing::TestWithParam<MinHashScheme> {};

TEST_P(MinHashSchemeTest, IdenticalSetsGiveIdenticalSignatures) {
  MinHasher h(128, 42, GetParam());
  std::vector<uint64_t> s = {1, 2, 3, 99, 12345678901ULL};
  std::vector<uint64_t> shuffled = {99, 3, 12345678901ULL, 1, 2, 2};
  EXPECT_EQ(h.Signature(s), h.Signature(shuffled));
  EXPECT_DOUBLE_EQ(EstimateJaccard(h.Signature(s), h.Signature(s)), 1.0);
}

TEST_P(MinHashSchemeTest, EmptySetIsAllOnes) {
  MinHasher h(16, 1, GetParam());
  EXPECT_EQ(h.Signature({}), std::vector<uint32_t>(16, 0xffffffffu));
}

TEST_P(MinHashSchemeTest, OneElementFillsEveryValue) {
  MinHasher h(128, 3, GetParam());
  const std::vector<uint32_t> sig = h.Signature({777});
  for (uint32_t v : sig) EXPECT_NE(v, 0xffffffffu);
  // A different single element agrees nowhere (up to 2^-32 per value).
  EXPECT_LT(EstimateJaccard(sig, h.Signature({778})), 0.05);
}

// K = 128 over 1,200 pairs with J spread evenly over [0, 1] and union sizes
// from 10 (far fewer shingles than values: densification at work) to 5,000.
TEST_P(MinHashSchemeTest, EstimateIsUnbiasedAndAccurate) {
  MinHasher h(128, 7, GetParam());
  uint64_t rng = 2024;
  double abs_error = 0, signed_error = 0;
  const int kPairs = 1200;
  const size_t kSizes[] = {10, 40, 150, 500, 1000, 5000};
  std::vector<uint64_t> a, b;
  for (int i = 0; i < kPairs; ++i) {
    const size_t total = kSizes[i % 6];
    const double j = (i + 0.5) / kPairs;
    MakePair(&rng, j, total, &a, &b);
    const size_t shared = static_cast<size_t>(std::lround(j * total));
    const double truth =
        static_cast<double>(shared) / (shared + 2 * ((total - shared) / 2));
    const double e = EstimateJaccard(h.Signature(a), h.Signature(b)) - truth;
    abs_error += std::fabs(e);
    signed_error += e;
  }
  // sqrt(J(1-J)/128) averages about 0.028 over J in [0,1]; mean |error| is
  // about 0.8 of that, less for one-permutation hashing of large sets.
  EXPECT_LT(abs_error / kPairs, 0.03);
  EXPECT_LT(std::fabs(signed_error / kPairs), 0.01);
}

INSTANTIATE_TEST_SUITE_P(Schemes, MinHashSchemeTest,
                         ::testing::Values(MinHashScheme::kOnePermutation,
                                           MinHashScheme::kClassic),
                         [](const auto& info) {
                           return info.param == MinHashScheme::kClassic
                                      ? std::string("Classic")
                                      : std::string("OnePermutation");
                         });

TEST(MinHashTest, DensifiedBinsBorrowTheSameWayInEveryDocument) {
  // Two 5-element sets sharing 4: most bins are borrowed, and a borrowed
  // bin agrees exactly when the bin it borrows from agrees.
  MinHasher h(128, 11);
  const std::vector<uint32_t> a = h.Signature({10, 20, 30, 40, 50});
  const std::vector<uint32_t> b = h.Signature({10, 20, 30, 40, 60});
  // J = 4/6; with 5 filled bins the estimate moves in steps of ~1/5.
  EXPECT_NEAR(EstimateJaccard(a, b), 4.0 / 6.0, 0.25);
}

}  // namespace
}  // namespace neardup::sketch
