// The cluster stage: star clusters without chaining.
//
// Heads (documents that are not exact copies of a better-ranked one) are
// visited in rank order, reading the edges (sorted by a) alongside: an
// unassigned head becomes a representative and takes every unassigned
// head it has an edge to. Every member is therefore within the threshold
// of its representative, and a chain A~B~C with A and C unlike puts C
// elsewhere. Exact copies follow their head: into its cluster as members
// (exact, if the head represents it), and a head that nothing took forms
// a cluster with its copies.
//
// Outputs in ctx.dir/cluster:
//   clusters.bin     per cluster of two or more, in order of their
//                    representatives' rank: ClusterHeader, then its
//                    members (ClusterMember) by rank
//   components.bin   with params.components: the connected components of
//                    all edges and exact pairs, in the same layout (the
//                    header's `representative` is the first-ranked member;
//                    members carry no scores)

#ifndef NEARDUP_SERVICE_AUDIT_CLUSTER_H_
#define NEARDUP_SERVICE_AUDIT_CLUSTER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/audit/bucket.h"
#include "service/audit/files.h"
#include "service/audit/marker.h"
#include "service/audit/stage.h"

namespace neardup::audit {

#pragma pack(push, 1)
struct ClusterHeader {
  uint32_t representative;  // rank
  uint32_t members;         // not counting the representative
};
struct ClusterMember {
  uint32_t rank;
  float jaccard;              // to the representative
  float containment;          // of the member in the representative
  float reverse_containment;  // of the representative in the member
  uint8_t exact;              // the same text as the representative
};
#pragma pack(pop)

// Runs the stage over ctx.dir/bucket and ctx.dir/verify. `stats`
// receives: clusters, largest_cluster, exact_duplicates, near_duplicates,
// and with components: components, largest_component.
absl::Status Cluster(const StageContext& ctx, uint32_t edge_parts,
                     Marker* stats);

// The stage in parts, for audits run as tasks (tasks.h). Edges join only
// documents of one connected component, so star clustering restricted to
// a set of whole components gives exactly the clusters the whole pass
// gives them.

struct StarStats {
  uint64_t clusters = 0;
  uint64_t largest_cluster = 0;
  uint64_t exact_duplicates = 0;
  uint64_t near_duplicates = 0;
};
// Appends the stats as Cluster's marker has them.
void AddStarStats(const StarStats& st, Marker* stats);

// Star clusters of the edges (of the `edge_parts` verify parts) and
// `exact` pairs whose first rank satisfies `in_group` (empty: all), of
// `n` ranks, appended to `out` as clusters.bin holds them.
absl::StatusOr<StarStats> StarClusters(
    const StageContext& ctx, uint32_t edge_parts, uint32_t n,
    const std::vector<ExactPair>& exact,
    const std::function<bool(uint32_t)>& in_group, FileWriter* out);

// The connected components of the edges and exact pairs by union-find:
// each rank's label, the smallest rank of its component.
absl::StatusOr<std::vector<uint32_t>> ComponentLabels(
    const std::string& dir, uint32_t edge_parts, uint32_t n,
    const std::vector<ExactPair>& exact);

// Writes the components of (label, rank) pairs (repeats allowed; every
// rank of a component of two or more with its label, the label's own
// rank among them) to `out` as components.bin holds them, labels in
// order; counts them and the largest.
absl::Status WriteComponentRecords(
    std::vector<std::pair<uint32_t, uint32_t>> label_rank, FileWriter* out,
    uint64_t* components, uint64_t* largest);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_CLUSTER_H_
