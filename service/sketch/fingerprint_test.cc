#include "service/sketch/fingerprint.h"

#include <string>

#include "gtest/gtest.h"

namespace neardup::sketch {
namespace {

Fingerprint Of(const std::string& s) {
  auto a = text::Analyze(s, {});
  EXPECT_TRUE(a.ok()) << a.status();
  return ComputeFingerprint(*a, MinHasher(128, kMinHashSeed));
}

const char kText[] =
    "Near-duplicate detection finds documents that are almost the same: the "
    "same article on two sites, a page with a new date, a copy with one "
    "paragraph changed. It compares sets of shingles, short runs of words, "
    "and estimates how much two sets overlap from small fixed-size "
    "signatures instead of from the sets themselves.";

TEST(FingerprintTest, ExactCopyScoresOne) {
  Scores s = Score(Of(kText), Of(kText));
  EXPECT_TRUE(s.exact);
  EXPECT_DOUBLE_EQ(s.jaccard, 1.0);
  EXPECT_DOUBLE_EQ(s.containment, 1.0);
  EXPECT_EQ(s.hamming_distance, 0);
}

TEST(FingerprintTest, CaseAndPunctuationDoNotMatter) {
  std::string shouting = kText;
  for (char& c : shouting) c = static_cast<char>(std::toupper(c));
  Scores s = Score(Of(shouting), Of(kText));
  EXPECT_TRUE(s.exact);
}

TEST(FingerprintTest, ContainedTextHasHighContainment) {
  const std::string padded =
      std::string(kText) +
      " Unrelated padding follows here, with words about weather, trains, "
      "gardens and the price of bread in another town entirely.";
  Scores s = Score(Of(kText), Of(padded));
  EXPECT_FALSE(s.exact);
  EXPECT_LT(s.jaccard, 0.9);
  EXPECT_GT(s.containment, 0.85);
  EXPECT_LT(s.reverse_containment, s.containment);
}

TEST(FingerprintTest, UnrelatedTextsScoreLow) {
  Scores s = Score(Of(kText), Of("A completely different text about cooking "
                                 "rice: wash it, soak it for half an hour, "
                                 "then simmer it covered until the water is "
                                 "gone and let it rest."));
  EXPECT_LT(s.jaccard, 0.1);
  EXPECT_GT(s.hamming_distance, 16);
}

}  // namespace
}  // namespace neardup::sketch
