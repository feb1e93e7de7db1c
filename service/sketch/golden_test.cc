// Golden values: fixed inputs and the fingerprints they must give. Stored
// fingerprints depend on every one of these; an accidental change of an
// algorithm, seed or byte order fails here. A deliberate change updates
// the values AND bumps kFingerprintVersion.

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "service/sketch/fingerprint.h"
#include "service/sketch/lsh.h"
#include "service/sketch/minhash.h"
#include "service/sketch/simhash.h"
#include "service/sketch/winnow.h"
#include "service/text/analyze.h"

namespace neardup::sketch {
namespace {

std::vector<uint64_t> GoldenSet() {
  uint64_t state = 1;
  return RandomHashes(&state, 1000);
}

// Order-dependent 64-bit fold of a signature (FNV-1a over the values).
uint64_t Fold(const std::vector<uint32_t>& v) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint32_t x : v) h = (h ^ x) * 0x100000001b3ULL;
  return h;
}

TEST(GoldenTest, FingerprintVersion) { EXPECT_EQ(kFingerprintVersion, 5u); }

TEST(GoldenTest, OnePermutationMinHash) {
  const MinHasher h(128, kMinHashSeed);
  const std::vector<uint32_t> sig = h.Signature(GoldenSet());
  EXPECT_EQ(sig[0], 1214671224u);
  EXPECT_EQ(sig[127], 1077258292u);
  EXPECT_EQ(Fold(sig), 4563673551787068601ULL);
  // Densified: three elements fill at most three bins.
  EXPECT_EQ(Fold(h.Signature({1, 2, 3})), 4581883943993371033ULL);
}

TEST(GoldenTest, ClassicMinHash) {
  const MinHasher h(4, kMinHashSeed, MinHashScheme::kClassic);
  EXPECT_EQ(
      h.Signature({1, 2, 3}),
      (std::vector<uint32_t>{1527962554, 367307325, 388301049, 176373676}));
}

TEST(GoldenTest, SimHashBandKeysAndWinnowing) {
  const std::vector<uint64_t> set = GoldenSet();
  EXPECT_EQ(SimHash(set), 2891339883926277925ULL);
  const std::vector<uint64_t> keys =
      BandKeys(MinHasher(128, kMinHashSeed).Signature(set), LshParams{14, 9});
  EXPECT_EQ(keys[0], 7424776163446680507ULL);
  EXPECT_EQ(keys[13], 15162994886417755434ULL);
  const std::vector<WinnowFingerprint> w =
      Winnow(std::vector<uint64_t>(set.begin(), set.begin() + 100), 8);
  ASSERT_GE(w.size(), 2u);
  EXPECT_EQ(w.size(), 22u);
  EXPECT_EQ(w[0].position, 4u);
  EXPECT_EQ(w[1].position, 8u);
  const SimHashKey key = SimHashKeys(0x0123456789abcdefULL, 3)[9];
  EXPECT_EQ(key.table, 9u);
  EXPECT_EQ(key.bits, 81985084525117440ULL);
}

// The whole path from bytes: text pipeline and sketches together.
TEST(GoldenTest, FingerprintOfAText) {
  const std::string text =
      "Golden text for neardup: 近似重複文件偵測 finds the same article on "
      "two sites, even when one of them is written in Traditional Chinese.";
  auto a = text::Analyze(text);
  ASSERT_TRUE(a.ok()) << a.status();
  const Fingerprint fp = ComputeFingerprint(*a, MinHasher(128, kMinHashSeed));
  EXPECT_EQ(fp.token_count, 29u);
  EXPECT_EQ(fp.shingle_count, 26u);
  EXPECT_EQ(fp.digest.low, 18206250911971575240ULL);
  EXPECT_EQ(fp.digest.high, 9493828113146704616ULL);
  EXPECT_EQ(fp.simhash, 3503239052648049152ULL);
  EXPECT_EQ(Fold(fp.minhash), 11453154731683823079ULL);
  EXPECT_EQ(fp.bottom_k.size(), 26u);
  EXPECT_EQ(Fold(fp.bottom_k), 12408643726471943016ULL);
}

}  // namespace
}  // namespace neardup::sketch
