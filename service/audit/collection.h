// The audit of a stored collection: the stages of `neardup audit` over
// one snapshot of the collection (index::CollectionSnapshot), while writes
// go on. The sign stage reads the stored fingerprints instead of
// fingerprinting texts (band keys are recomputed from the signatures, so
// any threshold works), so the clusters are the local audit's for the
// same documents added in the same order. Results go to a sink (the
// server streams them) instead of files; the work directory is scratch,
// removed afterwards.

#ifndef NEARDUP_SERVICE_AUDIT_COLLECTION_H_
#define NEARDUP_SERVICE_AUDIT_COLLECTION_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "service/audit/params.h"
#include "service/audit/report.h"
#include "service/audit/stage.h"
#include "service/index/store.h"

namespace neardup::audit {

struct CollectionAuditOptions {
  double threshold = 0;  // 0: the collection's
  bool containment = false;
  bool exact = false;  // collections with passages only
  bool components = false;
  Keep keep = Keep::kLongest;
  // Send the side-by-side views of the largest clusters (collections with
  // passages; ignored otherwise).
  bool with_texts = false;
  int threads = 0;  // 0: one per core
  uint64_t memory_limit = uint64_t{1} << 30;
  std::string work_dir;  // scratch, created and removed
  ProgressFn progress;
  std::function<bool()> cancelled;  // true: stop; may be empty
};

struct CollectionAuditSink {
  std::function<absl::Status(ClusterView)> cluster;
  std::function<absl::Status(SideBySide)> side_by_side;
};

// Audits `collection` of `store`. NOT_FOUND for an unknown collection,
// FAILED_PRECONDITION for `exact` on a collection without stored texts,
// INVALID_ARGUMENT for bad options; a sink's error stops it (CANCELLED
// when the client went away).
absl::StatusOr<AuditSummary> AuditCollection(
    const index::Store& store, std::string_view collection,
    const CollectionAuditOptions& options, const CollectionAuditSink& sink);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_COLLECTION_H_
