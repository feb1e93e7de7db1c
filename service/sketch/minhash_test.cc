#include "service/sketch/minhash.h"

#include <cmath>
#include <cstdint>
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

TEST(MinHashTest, IdenticalSetsGiveIdenticalSignatures) {
  MinHasher h(128, 42);
  std::vector<uint64_t> s = {1, 2, 3, 99, 12345678901ULL};
  std::vector<uint64_t> shuffled = {99, 3, 12345678901ULL, 1, 2, 2};
  EXPECT_EQ(h.Signature(s), h.Signature(shuffled));
  EXPECT_DOUBLE_EQ(EstimateJaccard(h.Signature(s), h.Signature(s)), 1.0);
}

TEST(MinHashTest, EmptySetIsAllOnes) {
  MinHasher h(16, 1);
  EXPECT_EQ(h.Signature({}), std::vector<uint32_t>(16, 0xffffffffu));
}

TEST(MinHashTest, EstimateIsUnbiasedAndAccurate) {
  MinHasher h(128, 7);
  uint64_t rng = 2024;
  double abs_error = 0, signed_error = 0;
  const int kPairs = 400;
  std::vector<uint64_t> a, b;
  for (int i = 0; i < kPairs; ++i) {
    const double j = (i + 0.5) / kPairs;
    MakePair(&rng, j, 400, &a, &b);
    const size_t shared = static_cast<size_t>(std::lround(j * 400));
    const double truth =
        static_cast<double>(shared) / (shared + 2 * ((400 - shared) / 2));
    const double e = EstimateJaccard(h.Signature(a), h.Signature(b)) - truth;
    abs_error += std::fabs(e);
    signed_error += e;
  }
  // sqrt(J(1-J)/128) averages about 0.03 over J in [0,1]; mean |error| is
  // about 0.8 of that.
  EXPECT_LT(abs_error / kPairs, 0.03);
  EXPECT_LT(std::fabs(signed_error / kPairs), 0.01);
}

TEST(MinHashTest, GoldenSignatureIsStable) {
  // Persisted signatures depend on these values: a change here needs a new
  // kFingerprintVersion.
  MinHasher h(4, 0x6d696e6861736831ULL);
  EXPECT_EQ(
      h.Signature({1, 2, 3}),
      (std::vector<uint32_t>{1527962554, 367307325, 388301049, 176373676}));
}

}  // namespace
}  // namespace neardup::sketch
