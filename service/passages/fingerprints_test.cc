#include "service/passages/fingerprints.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "service/passages/align.h"
#include "service/passages/token_streams.h"

namespace neardup::passages {
namespace {

std::set<uint32_t> HashesOf(const std::vector<uint32_t>& tokens) {
  const auto v = DistinctHashes(PassageFingerprints(tokens));
  return {v.begin(), v.end()};
}

size_t SharedCount(const std::set<uint32_t>& x, const std::set<uint32_t>& y) {
  size_t n = 0;
  for (uint32_t h : x) n += y.count(h);
  return n;
}

// Golden values: passage fingerprints are stored (the passage index), so
// a change of the k-gram hash or the winnowing fails here; a deliberate
// one updates the values and bumps sketch::kFingerprintVersion.
TEST(PassageFingerprintsTest, GoldenValues) {
  std::vector<uint32_t> tokens(100);
  for (uint32_t i = 0; i < tokens.size(); ++i) tokens[i] = i * 2654435761u;
  const std::vector<PassageFingerprint> fps = PassageFingerprints(tokens);
  ASSERT_FALSE(fps.empty());
  uint64_t fold = 0xcbf29ce484222325ULL;  // FNV-1a over hash and position
  for (const PassageFingerprint& f : fps) {
    fold = (fold ^ f.hash) * 0x100000001b3ULL;
    fold = (fold ^ f.position) * 0x100000001b3ULL;
  }
  EXPECT_EQ(fps.size(), 15u);
  EXPECT_EQ(fps[0].hash, 1134598475u);
  EXPECT_EQ(fold, 5378229993017738702ULL);
}

TEST(PassageFingerprintsTest, ShortTextsHaveNone) {
  EXPECT_TRUE(PassageFingerprints(std::vector<uint32_t>{1, 2, 3}).empty());
  EXPECT_EQ(PassageFingerprints(std::vector<uint32_t>{1, 2, 3, 4}).size(), 1u);
}

TEST(PassageFingerprintsTest, ARunOfTheGuaranteedLengthIsAlwaysShared) {
  // Winnowing's guarantee, in whatever context the run is embedded.
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Words rng(seed);
    const auto run = rng.Take(kPassageGuarantee);
    const auto a = Cat({rng.Take(seed % 37), run, rng.Take(50)});
    const auto b = Cat({rng.Take(80), run, rng.Take(seed % 11)});
    EXPECT_GE(SharedCount(HashesOf(a), HashesOf(b)), 1u) << "seed " << seed;
  }
}

TEST(PassageFingerprintsTest, DensityIsAboutTwoPerWindow) {
  Words rng(7);
  const auto text = rng.Take(100000);
  const double density =
      double(PassageFingerprints(text).size()) / double(text.size());
  const double expected = 2.0 / (kPassageWindow + 1);
  EXPECT_NEAR(density, expected, 0.1 * expected);
}

TEST(PassageFingerprintsTest, UnrelatedTextsShareAlmostNothing) {
  Words rng(8);
  // 32-bit hashes of ~3,000 fingerprints each: a chance collision or two.
  EXPECT_LE(SharedCount(HashesOf(rng.Take(10000)), HashesOf(rng.Take(10000))),
            2u);
}

TEST(PassageFingerprintsTest, TenPercentEditsLeaveSeveralShared) {
  // What Search relies on to find an edited 50-word passage.
  size_t found = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    Words rng(seed);
    const auto passage = rng.Take(50);
    const auto edited = Edit(passage, 0.1, &rng);
    found += SharedCount(HashesOf(Cat({rng.Take(100), passage})),
                         HashesOf(Cat({edited, rng.Take(100)}))) >= 2;
  }
  EXPECT_GE(found, 95u);
}

TEST(PassageFingerprintsTest, DistinctHashesAreSortedAndUnique) {
  Words rng(9);
  const auto run = rng.Take(40);
  const auto fps = PassageFingerprints(Cat({run, run, run}));
  const auto hashes = DistinctHashes(fps);
  EXPECT_TRUE(std::is_sorted(hashes.begin(), hashes.end()));
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end());
  EXPECT_LT(hashes.size(), fps.size());
}

TEST(MaskTokensTest, MaskedBoilerplateNoLongerAligns) {
  Words rng(10);
  const auto boiler = rng.Take(60);
  const auto own = rng.Take(60);
  const auto query = Cat({own, boiler});
  const auto source = Cat({rng.Take(30), own, rng.Take(30), boiler});
  ASSERT_EQ(Align(query, source).size(), 2u);

  // Ignore every fingerprint of the query that lies in the boilerplate.
  std::vector<PassageFingerprint> ignored;
  for (const PassageFingerprint& f : PassageFingerprints(query)) {
    if (f.position >= own.size()) ignored.push_back(f);
  }
  std::vector<uint32_t> masked = query;
  MaskTokens(ignored, &masked);
  EXPECT_TRUE(std::equal(own.begin(), own.end(), masked.begin()));
  const auto r = Align(masked, source);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].a_begin, 0u);
  EXPECT_EQ(r[0].a_end, own.size());
  // Only a few tokens at the edges of the run (before its first
  // fingerprint, after its last one's k-gram) are left as they were.
  size_t kept = 0;
  for (size_t i = 0; i < boiler.size(); ++i) {
    kept += masked[own.size() + i] == boiler[i];
  }
  EXPECT_LE(kept, 2 * kPassageWindow);
  // Masked tokens are unique to their position.
  std::set<uint32_t> distinct(masked.begin() + own.size(), masked.end());
  EXPECT_EQ(distinct.size(), boiler.size());
}

}  // namespace
}  // namespace neardup::passages
