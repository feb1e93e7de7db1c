#include "service/passages/align.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "service/passages/token_streams.h"

namespace neardup::passages {
namespace {

TEST(AlignTest, IdenticalTextsAreOnePassage) {
  Words rng(1);
  const auto a = rng.Take(300);
  const auto r = Align(a, a);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].a_begin, 0u);
  EXPECT_EQ(r[0].a_end, 300u);
  EXPECT_EQ(r[0].b_begin, 0u);
  EXPECT_EQ(r[0].b_end, 300u);
  EXPECT_EQ(r[0].matched, 300u);
}

TEST(AlignTest, UnrelatedTextsShareNothing) {
  Words rng(2);
  EXPECT_TRUE(Align(rng.Take(2000), rng.Take(2000)).empty());
}

TEST(AlignTest, FindsAVerbatimPassageAtItsExactPlace) {
  Words rng(3);
  const auto passage = rng.Take(60);
  const auto a = Cat({rng.Take(137), passage, rng.Take(90)});
  const auto b = Cat({rng.Take(411), passage, rng.Take(20)});
  const auto r = Align(a, b);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].a_begin, 137u);
  EXPECT_EQ(r[0].a_end, 197u);
  EXPECT_EQ(r[0].b_begin, 411u);
  EXPECT_EQ(r[0].b_end, 471u);
}

TEST(AlignTest, EditedPassagesStayOnePassageNearTheirPlace) {
  // Mean distance of the four ends from the truth, over 40 passages. An
  // edit at the very edge cannot be aligned, and with 30% edits several
  // in a row at an edge are common.
  for (auto [rate, mean_slack] : {std::pair{0.1, 2.0}, std::pair{0.3, 8.0}}) {
    double error = 0;
    const int trials = 40;
    for (uint64_t seed = 10; seed < 10 + trials; ++seed) {
      Words rng(seed);
      const auto passage = rng.Take(80);
      const auto edited = Edit(passage, rate, &rng);
      const auto a = Cat({rng.Take(100), passage, rng.Take(100)});
      const auto b = Cat({rng.Take(50), edited, rng.Take(50)});
      const auto r = Align(a, b);
      ASSERT_EQ(r.size(), 1u) << "rate " << rate << " seed " << seed;
      error += std::abs(r[0].a_begin - 100.0) + std::abs(r[0].a_end - 180.0) +
               std::abs(r[0].b_begin - 50.0) +
               std::abs(r[0].b_end - (50.0 + edited.size()));
    }
    EXPECT_LE(error / (4 * trials), mean_slack) << "rate " << rate;
  }
}

TEST(AlignTest, ShortSharedRunsAreNotPassages) {
  Words rng(4);
  const auto phrase = rng.Take(10);  // shorter than min_tokens
  const auto r = Align(Cat({rng.Take(50), phrase, rng.Take(50)}),
                       Cat({rng.Take(70), phrase, rng.Take(5)}));
  EXPECT_TRUE(r.empty());
}

TEST(AlignTest, TwoSeparatePassagesStaySeparate) {
  Words rng(5);
  const auto p1 = rng.Take(40), p2 = rng.Take(40);
  const auto a = Cat({p1, rng.Take(200), p2});
  const auto b = Cat({p2, rng.Take(200), p1});
  const auto r = Align(a, b);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].a_begin, 0u);
  EXPECT_EQ(r[0].b_begin, 240u);
  EXPECT_EQ(r[1].a_begin, 240u);
  EXPECT_EQ(r[1].b_begin, 0u);
}

TEST(AlignTest, SelfAlignFindsABodyPrintedTwice) {
  Words rng(6);
  const auto body = rng.Take(500);
  const auto page = Cat({rng.Take(30), body, rng.Take(12), body, rng.Take(25)});
  const auto r = SelfAlign(page);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].a_begin, 30u);
  EXPECT_EQ(r[0].a_end, 530u);
  EXPECT_EQ(r[0].b_begin, 542u);
  EXPECT_EQ(r[0].b_end, 1042u);
}

TEST(AlignTest, SelfAlignCutsAPeriodicRunToOnePeriod) {
  Words rng(7);
  const auto unit = rng.Take(20);
  const auto page = Cat({rng.Take(10), unit, unit, unit, rng.Take(10)});
  const auto r = SelfAlign(page);
  ASSERT_FALSE(r.empty());
  for (const Alignment& x : r) {
    EXPECT_LE(x.a_end, x.b_begin);
    EXPECT_EQ((x.b_begin - x.a_begin) % 20, 0u);
  }
}

TEST(AlignTest, ATokenRepeatedThousandsOfTimesIsBounded) {
  std::vector<uint32_t> a(20000, 7u);
  // No k-gram occurs few enough times to seed: no passages, and quickly.
  EXPECT_TRUE(SelfAlign(a).empty());
  EXPECT_TRUE(Align(a, a).empty());
}

TEST(AlignTest, EmptyAndShortInputs) {
  EXPECT_TRUE(Align({}, {}).empty());
  const std::vector<uint32_t> two = {1, 2};
  EXPECT_TRUE(Align(two, two).empty());
  EXPECT_TRUE(SelfAlign(two).empty());
}

}  // namespace
}  // namespace neardup::passages
