// `neardup audit`: a corpus in, near-duplicate clusters out, on every
// core, with no server.
//
// Stages, each writing its outputs into the audit directory and then a
// marker (DIR/STAGE.done), so a run killed at any point and started again
// goes on where it stopped and gives byte-identical outputs:
//
//   sign     documents read and fingerprinted in parallel, band keys in
//            sorted runs of bounded size (sign.h, signed.h)
//   bucket   runs merged per band into candidate pairs; exact copies
//            grouped first (bucket.h)
//   verify   candidates scored from their sketches; edges at the
//            threshold kept (verify.h)
//   cluster  star clusters in survivor order, no chaining (cluster.h)
//   report   clusters.jsonl, duplicates.tsv, report.html (report.h); then
//            summary.json
//
// DIR/audit.json records the inputs and parameters; a run over a
// directory that holds an audit of other inputs or parameters is refused.
// Standard input ("-") is first copied to DIR/input/stdin.jsonl, so that
// it can be read again.
//
// Example:
//   AuditOptions o;
//   o.inputs = {"crawl/", "pages.jsonl.gz"};
//   o.out_dir = "audit-out";
//   NEARDUP_ASSIGN_OR_RETURN(AuditSummary s, RunAudit(o));

#ifndef NEARDUP_SERVICE_AUDIT_AUDIT_H_
#define NEARDUP_SERVICE_AUDIT_AUDIT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/audit/marker.h"
#include "service/audit/params.h"
#include "service/audit/report.h"
#include "service/audit/signed.h"
#include "service/audit/stage.h"
#include "service/corpus/reader.h"
#include "service/engine/pipeline.h"

namespace neardup::audit {

struct AuditOptions {
  std::vector<std::string> inputs;
  std::string out_dir;
  AuditParams params;
  int threads = 0;                            // 0: one per core
  uint64_t memory_limit = uint64_t{2} << 30;  // bytes
  corpus::ReaderOptions reader;               // fields, skip_bad
  ProgressFn progress;                        // may be empty
  // "cluster": stop after the cluster stage (tasks.h runs the report
  // apart); "": run every stage.
  std::string stop_after;
};

// What DIR/audit.json says of an audit of `options`: the format of the
// signed corpus, the inputs as given, the reader's options and the
// parameters, as one line of JSON.
std::string AuditIdentity(const AuditOptions& options);

// Smallest memory limit accepted.
inline constexpr uint64_t kMinMemoryLimit = uint64_t{64} << 20;

// Runs or resumes the audit of `options.inputs` into `options.out_dir`.
// INVALID_ARGUMENT for bad parameters or the first unreadable document
// (naming its file and line or offset; with reader.skip_bad such
// documents are counted instead), FAILED_PRECONDITION when the directory
// holds another audit, NOT_FOUND for a missing input.
absl::StatusOr<AuditSummary> RunAudit(const AuditOptions& options);

// The engine of an audit, for audits whose documents come from elsewhere
// (a stored collection): `sign` writes the signed corpus into
// ctx.dir/sign and its counts into the marker (documents, bad, bytes);
// `report` consumes the clusters. `identity` is what audit.json holds.
using SignFn = std::function<absl::Status(const StageContext&, Marker*)>;
using ReportFn = std::function<absl::Status(
    const StageContext&, const SignedCorpus&, const AuditSummary&)>;
// `stop_after`: as AuditOptions::stop_after.
absl::StatusOr<AuditSummary> RunStages(StageContext ctx,
                                       const std::string& identity,
                                       const SignFn& sign,
                                       const ReportFn& report,
                                       const std::string& stop_after = "");

// Makes `dir` (created if missing) the directory of the audit that
// `identity` describes (DIR/audit.json), or returns FAILED_PRECONDITION if
// it holds another audit.
absl::Status ClaimDirectory(const std::string& dir,
                            const std::string& identity);

// The side-by-side view of a cluster's representative and one member,
// their shared passages found by analysing both texts (read as
// `rep_input`, `member_input`) with `pipeline`; nullopt if either does not
// read.
std::optional<SideBySide> MakeSideBySide(
    const engine::Pipeline& pipeline, uint64_t cluster,
    const std::string& member_id, std::string rep_text,
    const text::InputOptions& rep_input, std::string member_text,
    const text::InputOptions& member_input);

// Calls `fn` with every cluster of a finished cluster stage, in order,
// ids and sizes read from `corpus`. Stops at fn's first error.
absl::Status ForEachCluster(const StageContext& ctx, const SignedCorpus& corpus,
                            const std::function<absl::Status(ClusterView)>& fn);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_AUDIT_H_
