#include "bench/pan_metrics.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace neardup::bench {
namespace {

CharRange Intersect(CharRange a, CharRange b) {
  return {std::max(a.start, b.start), std::min(a.end, b.end)};
}

// Returns how many characters the union of `ranges` covers. Reorders
// `ranges`.
uint64_t UnionLength(std::vector<CharRange>& ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](CharRange a, CharRange b) { return a.start < b.start; });
  uint64_t total = 0;
  uint32_t covered_to = 0;  // end of the union so far
  bool any = false;
  for (const CharRange& r : ranges) {
    if (r.length() == 0) continue;
    const uint32_t from = any ? std::max(r.start, covered_to) : r.start;
    if (r.end > from) total += r.end - from;
    covered_to = any ? std::max(covered_to, r.end) : r.end;
    any = true;
  }
  return total;
}

uint64_t Size(const Annotation& a) {
  return uint64_t{a.suspicious.length()} + a.source.length();
}

// Returns |∪_j (fixed ⊓ others[j])| over the indices `others` of `pool`:
// the characters of `fixed` that the annotations it pairs with cover, on
// both sides. The caller has already kept only pairs for which Detects
// holds.
uint64_t CoveredChars(const Annotation& fixed,
                      absl::Span<const Annotation> pool,
                      const std::vector<size_t>& others) {
  std::vector<CharRange> suspicious;
  std::vector<CharRange> source;
  for (size_t j : others) {
    suspicious.push_back(Intersect(fixed.suspicious, pool[j].suspicious));
    source.push_back(Intersect(fixed.source, pool[j].source));
  }
  return UnionLength(suspicious) + UnionLength(source);
}

}  // namespace

bool Detects(const Annotation& detection, const Annotation& c) {
  return detection.suspicious_doc == c.suspicious_doc &&
         detection.source_doc == c.source_doc &&
         Intersect(detection.suspicious, c.suspicious).length() > 0 &&
         Intersect(detection.source, c.source).length() > 0;
}

double Plagdet(double precision, double recall, double granularity) {
  if (precision + recall <= 0) return 0;
  const double f1 = 2 * precision * recall / (precision + recall);
  return f1 / std::log2(1 + granularity);
}

PanScores EvaluatePan(absl::Span<const Annotation> cases,
                      absl::Span<const Annotation> detections) {
  PanScores scores;
  scores.cases = cases.size();
  scores.detections = detections.size();

  // Only annotations of the same suspicious document can detect each
  // other: pair them per document instead of all against all.
  absl::flat_hash_map<std::string_view, std::vector<size_t>> by_doc;
  for (size_t j = 0; j < detections.size(); ++j) {
    by_doc[detections[j].suspicious_doc].push_back(j);
  }
  std::vector<std::vector<size_t>> detections_of(cases.size());
  std::vector<std::vector<size_t>> cases_of(detections.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    auto it = by_doc.find(cases[i].suspicious_doc);
    if (it == by_doc.end()) continue;
    for (size_t j : it->second) {
      if (Detects(detections[j], cases[i])) {
        detections_of[i].push_back(j);
        cases_of[j].push_back(i);
      }
    }
  }

  if (cases.empty() && detections.empty()) {
    scores.precision = 1;
    scores.recall = 1;
  } else if (!cases.empty() && !detections.empty()) {
    double recall_sum = 0;
    uint64_t granularity_sum = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      if (detections_of[i].empty() || Size(cases[i]) == 0) continue;
      ++scores.detected_cases;
      granularity_sum += detections_of[i].size();
      recall_sum += static_cast<double>(
                        CoveredChars(cases[i], detections, detections_of[i])) /
                    Size(cases[i]);
    }
    double precision_sum = 0;
    for (size_t j = 0; j < detections.size(); ++j) {
      if (cases_of[j].empty() || Size(detections[j]) == 0) continue;
      precision_sum +=
          static_cast<double>(CoveredChars(detections[j], cases, cases_of[j])) /
          Size(detections[j]);
    }
    scores.recall = recall_sum / cases.size();
    scores.precision = precision_sum / detections.size();
    if (scores.detected_cases > 0) {
      scores.granularity =
          static_cast<double>(granularity_sum) / scores.detected_cases;
    }
  }
  scores.plagdet = Plagdet(scores.precision, scores.recall, scores.granularity);
  return scores;
}

}  // namespace neardup::bench
