#include "bench/pan_metrics.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace neardup::bench {
namespace {

// One case throughout: suspicious characters [100, 200) of "susp" reuse
// characters [0, 100) of "src", 200 characters in all.
Annotation Case() { return {"susp", {100, 200}, "src", {0, 100}}; }

TEST(PanMetricsTest, PerfectDetectionScoresOne) {
  const std::vector<Annotation> cases = {Case()};
  const PanScores s = EvaluatePan(cases, cases);
  EXPECT_DOUBLE_EQ(s.precision, 1);
  EXPECT_DOUBLE_EQ(s.recall, 1);
  EXPECT_DOUBLE_EQ(s.granularity, 1);
  EXPECT_DOUBLE_EQ(s.plagdet, 1);
  EXPECT_EQ(s.cases, 1u);
  EXPECT_EQ(s.detections, 1u);
  EXPECT_EQ(s.detected_cases, 1u);
}

TEST(PanMetricsTest, HalfCoveredCaseHalvesRecall) {
  // 50 + 50 of the case's 200 characters, all of them inside it.
  const std::vector<Annotation> found = {{"susp", {100, 150}, "src", {0, 50}}};
  const PanScores s = EvaluatePan({Case()}, found);
  EXPECT_DOUBLE_EQ(s.precision, 1);
  EXPECT_DOUBLE_EQ(s.recall, 0.5);
  EXPECT_DOUBLE_EQ(s.granularity, 1);
  EXPECT_DOUBLE_EQ(s.plagdet, 2 * 0.5 / 1.5);
}

TEST(PanMetricsTest, DetectionHalfOutsideTheCaseHalvesPrecision) {
  // Shifted by 50 on both sides: 100 of its 200 characters are the case's.
  const std::vector<Annotation> found = {
      {"susp", {150, 250}, "src", {50, 150}}};
  const PanScores s = EvaluatePan({Case()}, found);
  EXPECT_DOUBLE_EQ(s.precision, 0.5);
  EXPECT_DOUBLE_EQ(s.recall, 0.5);
  EXPECT_DOUBLE_EQ(s.plagdet, 0.5);
}

TEST(PanMetricsTest, SplitDetectionHasGranularityTwo) {
  const std::vector<Annotation> found = {
      {"susp", {100, 150}, "src", {0, 50}},
      {"susp", {150, 200}, "src", {50, 100}}};
  const PanScores s = EvaluatePan({Case()}, found);
  EXPECT_DOUBLE_EQ(s.precision, 1);
  EXPECT_DOUBLE_EQ(s.recall, 1);
  EXPECT_DOUBLE_EQ(s.granularity, 2);
  EXPECT_DOUBLE_EQ(s.plagdet, 1 / std::log2(3.0));
}

TEST(PanMetricsTest, OverlappingDetectionsAreNotCountedTwice) {
  const std::vector<Annotation> found = {Case(), Case()};
  const PanScores s = EvaluatePan({Case()}, found);
  EXPECT_DOUBLE_EQ(s.recall, 1);
  EXPECT_DOUBLE_EQ(s.precision, 1);
  EXPECT_DOUBLE_EQ(s.granularity, 2);
}

TEST(PanMetricsTest, WrongSourceDocumentGetsNoCredit) {
  Annotation wrong = Case();
  wrong.source_doc = "other";
  const PanScores s = EvaluatePan({Case()}, {wrong});
  EXPECT_DOUBLE_EQ(s.precision, 0);
  EXPECT_DOUBLE_EQ(s.recall, 0);
  EXPECT_DOUBLE_EQ(s.granularity, 1);
  EXPECT_DOUBLE_EQ(s.plagdet, 0);
  EXPECT_EQ(s.detected_cases, 0u);
}

TEST(PanMetricsTest, OverlapOnOneSideOnlyGetsNoCredit) {
  // Right suspicious characters, but the source side misses the case.
  const std::vector<Annotation> found = {
      {"susp", {100, 200}, "src", {100, 200}}};
  EXPECT_FALSE(Detects(found[0], Case()));
  const PanScores s = EvaluatePan({Case()}, found);
  EXPECT_DOUBLE_EQ(s.precision, 0);
  EXPECT_DOUBLE_EQ(s.recall, 0);
}

TEST(PanMetricsTest, DetectionWithoutCaseLowersPrecision) {
  const std::vector<Annotation> found = {Case(),
                                         {"clean", {0, 300}, "src", {0, 300}}};
  const PanScores s = EvaluatePan({Case()}, found);
  EXPECT_DOUBLE_EQ(s.precision, 0.5);
  EXPECT_DOUBLE_EQ(s.recall, 1);
  EXPECT_DOUBLE_EQ(s.granularity, 1);
  EXPECT_DOUBLE_EQ(s.plagdet, 2 * 0.5 / 1.5);
}

TEST(PanMetricsTest, RecallIsMacroAveragedOverCases) {
  // A short case found entirely and a long one missed: 0.5, not 20/220.
  const std::vector<Annotation> cases = {{"a", {0, 10}, "src", {0, 10}},
                                         {"b", {0, 100}, "src", {0, 100}}};
  const std::vector<Annotation> found = {cases[0]};
  const PanScores s = EvaluatePan(cases, found);
  EXPECT_DOUBLE_EQ(s.recall, 0.5);
  EXPECT_DOUBLE_EQ(s.precision, 1);
  EXPECT_EQ(s.detected_cases, 1u);
}

TEST(PanMetricsTest, EmptyInputsFollowTheReferenceScorer) {
  const PanScores none = EvaluatePan({}, {});
  EXPECT_DOUBLE_EQ(none.precision, 1);
  EXPECT_DOUBLE_EQ(none.recall, 1);
  EXPECT_DOUBLE_EQ(none.plagdet, 1);

  const PanScores missed = EvaluatePan({Case()}, {});
  EXPECT_DOUBLE_EQ(missed.precision, 0);
  EXPECT_DOUBLE_EQ(missed.recall, 0);
  EXPECT_DOUBLE_EQ(missed.plagdet, 0);

  const PanScores spurious = EvaluatePan({}, {Case()});
  EXPECT_DOUBLE_EQ(spurious.precision, 0);
  EXPECT_DOUBLE_EQ(spurious.plagdet, 0);
}

}  // namespace
}  // namespace neardup::bench
