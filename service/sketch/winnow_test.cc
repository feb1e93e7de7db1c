#include "service/sketch/winnow.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "service/sketch/minhash.h"
#include "service/text/shingle.h"

namespace neardup::sketch {
namespace {

// Shingle hashes (k tokens each) of a token sequence given by its hashes.
std::vector<uint64_t> Shingles(const std::vector<uint64_t>& token_hashes,
                               uint32_t k) {
  std::vector<text::Token> tokens;
  for (uint64_t h : token_hashes) {
    tokens.push_back(text::Token{h, 0, 0, 0, 0, text::TokenClass::kWord});
  }
  text::ShingleParams params;
  params.word_size = params.char_size = k;
  return text::ShingleHashes(tokens, params);
}

TEST(WinnowTest, SharedRunOfWindowPlusKMinusOneTokensSharesAFingerprint) {
  uint64_t rng = 4242;
  const uint32_t k = 4;
  for (int trial = 0; trial < 500; ++trial) {
    const uint32_t w = 2 + static_cast<uint32_t>(SplitMix64(&rng) % 15);
    const size_t run = w + k - 1 + SplitMix64(&rng) % 8;
    const std::vector<uint64_t> shared = RandomHashes(&rng, run);
    std::vector<uint64_t> a = RandomHashes(&rng, SplitMix64(&rng) % 300);
    std::vector<uint64_t> b = RandomHashes(&rng, SplitMix64(&rng) % 300);
    const size_t at_a = a.size(), at_b = b.size();
    a.insert(a.end(), shared.begin(), shared.end());
    b.insert(b.end(), shared.begin(), shared.end());
    const std::vector<uint64_t> tail_a =
        RandomHashes(&rng, SplitMix64(&rng) % 300);
    a.insert(a.end(), tail_a.begin(), tail_a.end());
    const std::vector<uint64_t> tail_b =
        RandomHashes(&rng, SplitMix64(&rng) % 300);
    b.insert(b.end(), tail_b.begin(), tail_b.end());

    const auto fa = Winnow(Shingles(a, k), w);
    const auto fb = Winnow(Shingles(b, k), w);
    // Shingles wholly inside the run start at [at, at + run - k].
    bool found = false;
    for (const WinnowFingerprint& x : fa) {
      if (x.position < at_a || x.position > at_a + run - k) continue;
      for (const WinnowFingerprint& y : fb) {
        if (y.hash == x.hash && y.position >= at_b &&
            y.position <= at_b + run - k) {
          found = true;
        }
      }
    }
    EXPECT_TRUE(found) << "trial " << trial << " w " << w << " run " << run;
  }
}

TEST(WinnowTest, DensityIsAboutTwoOverWindowPlusOne) {
  uint64_t rng = 99;
  const std::vector<uint64_t> h = RandomHashes(&rng, 200000);
  for (uint32_t w : {4u, 8u, 16u, 32u}) {
    const double density = static_cast<double>(Winnow(h, w).size()) /
                           static_cast<double>(h.size());
    EXPECT_NEAR(density, 2.0 / (w + 1), 0.05 * 2.0 / (w + 1)) << "w " << w;
  }
}

TEST(WinnowTest, PositionsIncreaseAndPointAtTheirHash) {
  uint64_t rng = 5;
  const std::vector<uint64_t> h = RandomHashes(&rng, 1000);
  const auto f = Winnow(h, 6);
  for (size_t i = 0; i < f.size(); ++i) {
    EXPECT_EQ(h[f[i].position], f[i].hash);
    if (i > 0) {
      EXPECT_GT(f[i].position, f[i - 1].position);
    }
  }
  // Every window of 6 contains a selected position.
  for (size_t start = 0; start + 6 <= h.size(); ++start) {
    EXPECT_TRUE(std::any_of(f.begin(), f.end(), [&](const auto& x) {
      return x.position >= start && x.position < start + 6;
    })) << start;
  }
}

TEST(WinnowTest, RepeatedHashGivesOneFingerprintPerWindow) {
  // Robust winnowing: a run of one hash keeps its selection while it can.
  const std::vector<uint64_t> same(100, 42);
  EXPECT_EQ(Winnow(same, 10).size(), 10u);
}

TEST(WinnowTest, ShortAndEmptyInputs) {
  EXPECT_TRUE(Winnow({}, 4).empty());
  const std::vector<uint64_t> two = {9, 3};
  EXPECT_EQ(Winnow(two, 8), (std::vector<WinnowFingerprint>{{3, 1}}));
  const std::vector<uint64_t> one = {5};
  EXPECT_EQ(Winnow(one, 1), (std::vector<WinnowFingerprint>{{5, 0}}));
}

}  // namespace
}  // namespace neardup::sketch
