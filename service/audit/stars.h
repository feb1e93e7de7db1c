// Connected components without holding the graph on one machine: the
// alternating large-star and small-star rounds of Kiveris, Lattanzi,
// Mirrokni, Rastogi and Vassilvitskii, "Connected Components in MapReduce
// and Beyond" (SoCC 2014), over files, each round a set of independent
// tasks (tasks.h schedules them; the Dask driver runs them on workers).
//
// The graph is the audit's edges and exact pairs, nodes named by rank.
// Every undirected edge {u, v} is held twice, as the pairs (u, v) and
// (v, u), each in the partition of its first node (PartitionOf), so the
// task of a partition sees every node's whole neighbourhood Γ(u):
//
//   large-star (even rounds)  each u links its larger neighbours to
//                             m = min(Γ(u) ∪ {u})
//   small-star (odd rounds)   each u links itself and its smaller
//                             neighbours to m = min of them
//
// Repeated, they end with every component a star around its smallest
// rank (O(log² n) rounds; a few on real graphs). A round's input is
// unchanged by a large-star and small-star pair exactly when it is done;
// StarConverged compares the count and an order-free checksum of the
// deduplicated pairs of round r with those of round r - 2.
//
// Files under DIR/cluster-parts/round-R/: from-S-to-T.bin (pairs as
// uint64 u << 32 | v) and T.done (the task's marker: pairs, checksum of
// its input); round 0's sources are the verify parts and then the exact
// pairs (StarInput), later rounds' the partitions.

#ifndef NEARDUP_SERVICE_AUDIT_STARS_H_
#define NEARDUP_SERVICE_AUDIT_STARS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/audit/marker.h"

namespace neardup::audit {

// The partition of node `node` among `partitions`.
uint32_t PartitionOf(uint32_t node, uint32_t partitions);

// The directory of round `round` of the audit in `dir`.
std::string StarRoundDir(const std::string& dir, uint32_t round);
// The marker of round `round`'s task for `partition`, and of round 0's
// input from `source`.
std::string StarRoundMarker(const std::string& dir, uint32_t round,
                            uint32_t partition);
std::string StarInputMarker(const std::string& dir, uint32_t source);

// Round 0's input from source `source`: the edges of verify part
// `source` (< edge_parts), or the exact pairs (== edge_parts).
absl::Status StarInput(const std::string& dir, uint32_t source,
                       uint32_t edge_parts, uint32_t partitions);

// Runs round `round` for partition `partition`: reads its pairs from the
// `sources` files of the round, writes the next round's. `stats`
// receives pairs and checksum of the deduplicated input.
absl::Status StarRound(const std::string& dir, uint32_t round,
                       uint32_t partition, uint32_t sources,
                       uint32_t partitions, Marker* stats);

// True when round `round`'s input (its tasks all done) is the final one:
// no pairs at all, or an even round whose input equals round - 2's.
absl::StatusOr<bool> StarConverged(const std::string& dir, uint32_t round,
                                   uint32_t partitions);

// Writes DIR/cluster-parts/labels.bin, each of `n` ranks' component label
// (its smallest rank), from the final round `round`.
absl::Status StarLabels(const std::string& dir, uint32_t round,
                        uint32_t sources, uint32_t partitions, uint32_t n);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_STARS_H_
