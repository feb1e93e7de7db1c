// Character-level measures of text reuse detection from the PAN competitions
// (Potthast, Stein, Barrón-Cedeño, Rosso, "An Evaluation Framework for
// Plagiarism Detection", COLING 2010): macro precision, macro recall,
// granularity and their combination, plagdet.
//
// A case (the truth) and a detection (a system's answer) are both a pair of
// character ranges: one in a suspicious document, one in a source document.
// Each is read as the set of characters it covers on both sides, so a case
// of 100 suspicious and 120 source characters has 220 characters. A
// detection r "detects" a case s when it names the same suspicious and
// source documents and overlaps s on BOTH sides; only then does it share
// characters with s (s ⊓ r = s ∩ r, else the empty set). With S the cases
// and R the detections:
//
//   recall      = 1/|S| Σ_s |∪_r (s ⊓ r)| / |s|
//   precision   = 1/|R| Σ_r |∪_s (s ⊓ r)| / |r|
//   granularity = 1/|S_R| Σ_{s in S_R} |{r : r detects s}|, where S_R are
//                 the cases detected at least once (1 when S_R is empty)
//   plagdet     = F1(precision, recall) / log2(1 + granularity)
//
// Edge cases follow the PAN reference scorer: no cases and no detections
// score precision = recall = 1; cases without detections, or detections
// without cases, score precision = recall = 0.
//
// Example:
//   std::vector<Annotation> truth = {{"susp1", {100, 600}, "src7", {0, 500}}};
//   std::vector<Annotation> found = {{"susp1", {110, 600}, "src7", {5, 500}}};
//   PanScores s = EvaluatePan(truth, found);  // s.plagdet ~ 0.992

#ifndef NEARDUP_BENCH_PAN_METRICS_H_
#define NEARDUP_BENCH_PAN_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/types/span.h"

namespace neardup::bench {

// Characters [start, end) of one document, in Unicode code points. Empty
// when end <= start.
struct CharRange {
  uint32_t start = 0;
  uint32_t end = 0;

  uint32_t length() const { return end > start ? end - start : 0; }
};

// A case or a detection: `suspicious` characters of document
// `suspicious_doc` reuse `source` characters of document `source_doc`.
// Suspicious and source document ids live in separate namespaces.
struct Annotation {
  std::string suspicious_doc;
  CharRange suspicious;
  std::string source_doc;
  CharRange source;
};

struct PanScores {
  double precision = 0;
  double recall = 0;
  double granularity = 1;
  double plagdet = 0;
  size_t cases = 0;
  size_t detections = 0;
  size_t detected_cases = 0;  // |S_R|: cases detected at least once
};

// Returns true if `detection` names the documents of `c` and overlaps it
// on both the suspicious and the source side.
bool Detects(const Annotation& detection, const Annotation& c);

// Returns the PAN measures of `detections` against the truth `cases`.
// Detections and cases may come in any order; overlapping detections are
// not merged (each counts once in |R| and in granularity).
PanScores EvaluatePan(absl::Span<const Annotation> cases,
                      absl::Span<const Annotation> detections);

// Returns plagdet: the harmonic mean of `precision` and `recall` divided by
// log2(1 + `granularity`); 0 when both are 0. REQUIRES: granularity >= 1.
double Plagdet(double precision, double recall, double granularity);

}  // namespace neardup::bench

#endif  // NEARDUP_BENCH_PAN_METRICS_H_
