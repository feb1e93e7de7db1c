// What an audit is asked: the parameters that decide its results (they
// are written to the audit directory, and a resumed run must have the
// same), and how they turn into pipeline and LSH parameters.

#ifndef NEARDUP_SERVICE_AUDIT_PARAMS_H_
#define NEARDUP_SERVICE_AUDIT_PARAMS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "service/engine/pipeline.h"
#include "service/index/params.h"
#include "service/sketch/lsh.h"

namespace neardup::audit {

// Which document of a cluster is kept (its representative): documents are
// visited in this order, and each unassigned one takes its unassigned
// neighbours.
enum class Keep {
  kLongest,  // most words (after repeats are collapsed), then most bytes
  kFirst,    // first in the input (or oldest in a collection)
  kId,       // smallest id
};

// "longest", "first", "id".
const char* KeepName(Keep keep);
absl::StatusOr<Keep> ParseKeep(std::string_view name);

// Most pairs one LSH bucket contributes per member: a bucket of n
// documents (a template shared by thousands of pages) pairs each with the
// kBucketFanout best-ranked ones, not with all n - 1.
inline constexpr uint32_t kBucketFanout = 64;

struct AuditParams {
  double threshold = index::kDefaultThreshold;
  // Keep an edge when the containment of the shorter text in the longer
  // reaches the threshold, instead of the Jaccard similarity.
  bool containment = false;
  // Verify candidates against exact shingle sets instead of signatures.
  bool exact = false;
  // Also report plain connected components.
  bool components = false;
  Keep keep = Keep::kLongest;
  // The pipeline: the collection defaults unless a collection says
  // otherwise.
  engine::PipelineParams pipeline;
};

// INVALID_ARGUMENT for a threshold outside (0, 1] or parameters out of
// the collection ranges (index/params.h).
absl::Status ValidateParams(const AuditParams& params);

// The bands and rows of an audit: tuned (OptimalLshParams) to the
// threshold; with containment, to the Jaccard T / (3 - T) that a text
// contained at T in one at most twice as long has.
sketch::LshParams AuditLsh(const AuditParams& params);

// The parameters as one line of JSON (sorted keys): what audit.json and
// summary.json record and a resumed run compares.
std::string ParamsJson(const AuditParams& params);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_PARAMS_H_
