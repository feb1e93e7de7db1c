// The local audit (audit.h) cut into tasks that a scheduler can run on
// many machines sharing one audit directory: the Python module and its
// Dask driver (client/python) run these. Every task reads and writes
// files of the directory only, so only the directory's path travels
// between them; each writes its outputs, then its marker (marker.h), and
// once its marker (or its stage's) exists it does nothing and returns the
// marker again, with `skipped` set. A task killed anywhere is simply run
// again.
//
//   Plan              DIR/audit.json, DIR/plan/{options,sources,shards},
//                     plan.done: the inputs listed and cut into shards
//   SignShard(s)      DIR/sign-shards/NNNNN/ chunks (signed.h), NNNNN.done
//   FinishSign        DIR/sign/ chunks linked in input order, sign.done
//   Rank              DIR/bucket/order.bin, exact.bin (bucket.h), and
//                     DIR/bucket-parts/rank.done
//   BucketPartition(p) the candidates of one band's key range:
//                     DIR/bucket-parts/NNNNN.bin, NNNNN.done
//   FinishBucket      DIR/bucket/candidates.bin, bucket.done
//   VerifyPart(p)     DIR/verify/edges-NNNN.bin, DIR/verify/NNNN.done
//   FinishVerify      verify.done
//   UnionFind, or StarInput(s), StarRound(r, p), StarLabels: component
//                     labels, DIR/cluster-parts/labels.bin
//   ClusterGroup(g)   star clusters of a group of components
//   FinishCluster     the groups merged: DIR/cluster/, cluster.done
//                     (or Cluster: the same in one task)
//   Report            clusters.jsonl, duplicates.tsv, report.html,
//                     report.done, summary.json
//
// The outputs are byte for byte those of RunAudit over the same inputs and
// parameters, whatever the shards, partitions and order of the tasks
// (summary.json's "run", which times the run, aside): documents are
// numbered in input order, chunks number their band entries within
// themselves (signed.h), and every later step depends on ranks alone.
//
// Example (one process; a scheduler runs the loops' bodies anywhere):
//   NEARDUP_ASSIGN_OR_RETURN(TaskResult plan, tasks::Plan(options, {}));
//   for (uint32_t s = 0; s < plan.stats.Int("shards"); ++s)
//     NEARDUP_RETURN_IF_ERROR(tasks::SignShard(dir, s).status());
//   NEARDUP_RETURN_IF_ERROR(tasks::FinishSign(dir).status());
//   ...

#ifndef NEARDUP_SERVICE_AUDIT_TASKS_H_
#define NEARDUP_SERVICE_AUDIT_TASKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/audit/audit.h"
#include "service/audit/marker.h"
#include "service/corpus/reader.h"

namespace neardup::audit::tasks {

// What a task did: its marker's counts, whether an earlier run had done
// it already, and its seconds (this run's, or the earlier one's).
struct TaskResult {
  Marker stats;
  bool skipped = false;
  double seconds = 0;
};

struct PlanOptions {
  // Input bytes a sign shard aims at. Files are grouped up to it; a plain
  // (uncompressed) JSON Lines file larger than it is cut at line starts.
  uint64_t shard_bytes = uint64_t{64} << 20;
  // Key-range partitions per LSH band for the bucket step; 0: one per 16
  // million documents (chosen once the documents are counted).
  uint32_t partitions = 0;
  // Groups of components clustered apart, and partitions of the
  // component rounds; 0: one per 8 million edges, at least 2.
  uint32_t cluster_partitions = 0;
  // How the components that split the cluster step are found: by
  // union-find in one task (4 bytes per document in its memory), or by
  // large-star/small-star rounds of tasks (stars.h); kAuto: union-find up
  // to kUnionFindDocuments.
  enum class Components { kAuto = 0, kUnionFind = 1, kStars = 2 };
  Components components = Components::kAuto;
};

// Largest audit whose components one task finds by union-find when
// PlanOptions::components is kAuto: a 1 GiB array.
inline constexpr uint64_t kUnionFindDocuments = uint64_t{1} << 28;

// Plans the audit of `options` (inputs, parameters, reader options,
// threads per task, memory limit per task) into options.out_dir. Standard
// input cannot be shared between machines and is refused. `stats`:
// shards, sources, bytes, bands, partitions (0: chosen later).
absl::StatusOr<TaskResult> Plan(const AuditOptions& options,
                                const PlanOptions& plan);

// The plan that Plan wrote into `dir`.
struct PlanView {
  AuditOptions options;
  std::vector<corpus::Source> sources;
  std::vector<corpus::Reader::Range> shards;
  uint32_t bands = 0;
  uint32_t partitions = 0;          // as asked; 0: chosen from the documents
  uint32_t cluster_partitions = 0;  // as asked; 0: chosen from the edges
  PlanOptions::Components components = PlanOptions::Components::kAuto;
};
absl::StatusOr<PlanView> ReadPlan(const std::string& dir);

absl::StatusOr<TaskResult> SignShard(const std::string& dir, uint32_t shard);
// FAILED_PRECONDITION naming the shards not done yet.
absl::StatusOr<TaskResult> FinishSign(const std::string& dir);

absl::StatusOr<TaskResult> Rank(const std::string& dir);
// How many BucketPartition tasks there are: bands x partitions per band.
absl::StatusOr<uint32_t> BucketPartitions(const std::string& dir);
absl::StatusOr<TaskResult> BucketPartition(const std::string& dir,
                                           uint32_t partition);
absl::StatusOr<TaskResult> FinishBucket(const std::string& dir);

// How many VerifyPart tasks there are (known once the bucket step is).
absl::StatusOr<uint32_t> VerifyPartCount(const std::string& dir);
absl::StatusOr<TaskResult> VerifyPart(const std::string& dir, uint32_t part);
absl::StatusOr<TaskResult> FinishVerify(const std::string& dir);

// The cluster step in one task (as the local audit runs it).
absl::StatusOr<TaskResult> Cluster(const std::string& dir);

// The cluster step as tasks: component labels (by UnionFind, or by
// StarInput, StarRound until StarConverged, then StarLabels), then
// ClusterGroup for each group of components, then FinishCluster, which
// merges the groups' clusters in representative order. Files under
// DIR/cluster-parts/.
absl::StatusOr<uint32_t> ClusterPartitions(const std::string& dir);
// True when the components are found by star rounds.
absl::StatusOr<bool> ComponentsByStars(const std::string& dir);
absl::StatusOr<TaskResult> UnionFind(const std::string& dir);
// Sources of round 0: the verify parts, then the exact pairs.
absl::StatusOr<uint32_t> StarSources(const std::string& dir);
absl::StatusOr<TaskResult> StarInput(const std::string& dir, uint32_t source);
absl::StatusOr<TaskResult> StarRound(const std::string& dir, uint32_t round,
                                     uint32_t partition);
absl::StatusOr<bool> StarConverged(const std::string& dir, uint32_t round);
absl::StatusOr<TaskResult> StarLabels(const std::string& dir, uint32_t round);
absl::StatusOr<TaskResult> ClusterGroup(const std::string& dir, uint32_t group);
absl::StatusOr<TaskResult> FinishCluster(const std::string& dir);
// `stats`: the summary's counts (documents, clusters, ...).
absl::StatusOr<TaskResult> Report(const std::string& dir);

}  // namespace neardup::audit::tasks

#endif  // NEARDUP_SERVICE_AUDIT_TASKS_H_
