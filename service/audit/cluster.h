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

#include "absl/status/status.h"
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

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_CLUSTER_H_
