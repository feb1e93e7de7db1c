// The verify stage: every candidate pair is scored from the documents'
// sketches (sketch::Score, as Check scores a match: Jaccard from the
// MinHash signatures, containment both ways from the bottom-k sketches),
// or from their exact shingle sets with params.exact, and kept as an edge
// if it reaches the threshold: the Jaccard similarity, or with
// params.containment the containment of the shorter text in the longer.
//
// The candidates are cut into parts verified in parallel; part p's edges
// go to ctx.dir/verify/edges-P.bin, sorted by (a, b) like the candidates,
// so the parts read in order are all edges in order.

#ifndef NEARDUP_SERVICE_AUDIT_VERIFY_H_
#define NEARDUP_SERVICE_AUDIT_VERIFY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/audit/files.h"
#include "service/audit/marker.h"
#include "service/audit/signed.h"
#include "service/audit/stage.h"

namespace neardup::audit {

#pragma pack(push, 1)
// A verified pair: a (the better-ranked, which may represent b) and b,
// with b's scores against a as Check would give them for query b and
// stored document a.
struct Edge {
  uint32_t a;
  uint32_t b;
  float jaccard;
  float containment;          // of b in a
  float reverse_containment;  // of a in b
};
#pragma pack(pop)

// The path of edge part `part`.
std::string EdgePartPath(const std::string& dir, uint32_t part);

// Runs the stage over ctx.dir/bucket. `stats` receives: parts, edges.
absl::Status Verify(const StageContext& ctx, const SignedCorpus& corpus,
                    Marker* stats);

// How many parts `candidates` pairs are verified in.
uint32_t VerifyParts(uint64_t candidates);

// Verifies part `part` of `candidates` (ctx.dir/bucket/candidates.bin)
// into EdgePartPath(ctx.dir, part), ranks mapped to documents by `order`
// (order.bin); returns the edges kept. `done` (may be empty) is told of
// every 65,536 pairs verified. Verify is made of these; tasks.h runs
// them one by one.
absl::StatusOr<uint64_t> VerifyPart(const StageContext& ctx,
                                    const SignedCorpus& corpus,
                                    const std::vector<uint32_t>& order,
                                    const RandomAccessFile& candidates,
                                    uint32_t part,
                                    const std::function<void(uint64_t)>& done);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_VERIFY_H_
