// The bucket stage: from the signed corpus to candidate pairs.
//
//  1. Rank: good documents in survivor order (params.keep), ties by id,
//     then number. From here on documents are named by rank, so "a < b"
//     means a is visited first and may represent b.
//  2. Exact duplicates: the digest runs are merged; of each group of
//     documents with one digest the first-ranked is the head and the
//     others follow it everywhere (they share its signature exactly).
//  3. Candidates: the band runs of each band are merged across chunks
//     (bands in parallel); the heads in one bucket pair up, each with the
//     kBucketFanout best-ranked members before it at most, and the pairs
//     are sorted and made distinct through runs on disk (sorter.h).
//
// Outputs in ctx.dir/bucket:
//   order.bin       uint32 per rank: the document number
//   exact.bin       ExactPair per exact duplicate, sorted by (head, member)
//   candidates.bin  uint64 (a << 32 | b) per candidate pair, a < b, sorted

#ifndef NEARDUP_SERVICE_AUDIT_BUCKET_H_
#define NEARDUP_SERVICE_AUDIT_BUCKET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/audit/marker.h"
#include "service/audit/signed.h"
#include "service/audit/stage.h"

namespace neardup::audit {

struct ExactPair {
  uint32_t head;    // rank of the group's first document
  uint32_t member;  // rank of another with the same digest
};

// Runs the stage. `stats` receives: ranked, exact_groups,
// exact_duplicates, candidate_pairs, largest_bucket.
absl::Status Bucket(const StageContext& ctx, const SignedCorpus& corpus,
                    Marker* stats);

// The stage in parts, for audits whose steps run as separate tasks
// (tasks.h); Bucket is made of them.

// What candidates are made with: each document's rank (UINT32_MAX for a
// bad one), and for each rank whether it follows an exact copy.
struct Ranking {
  std::vector<uint32_t> rank_of;
  std::vector<bool> follower;
};

// Steps 1 and 2: writes order.bin and exact.bin into `dir`; `stats`
// receives ranked, exact_groups, exact_duplicates.
absl::StatusOr<Ranking> RankDocuments(const StageContext& ctx,
                                      const SignedCorpus& corpus,
                                      const std::string& dir, Marker* stats);
// The ranking that RankDocuments wrote into `dir`.
absl::StatusOr<Ranking> ReadRanking(const std::string& dir, uint64_t documents);

// Step 3 for the buckets of band `band` whose keys are in [key_lo,
// key_hi]: the candidate pairs, as sorted runs named `prefix`-N.run
// (merged by MergeRuns, sorter.h), and the largest bucket's size.
struct BandRuns {
  std::vector<std::string> runs;
  uint64_t largest_bucket = 0;
};
absl::StatusOr<BandRuns> BucketBand(const StageContext& ctx,
                                    const SignedCorpus& corpus,
                                    const Ranking& ranking, uint32_t band,
                                    uint64_t key_lo, uint64_t key_hi,
                                    const std::string& prefix,
                                    size_t budget_values);
// Pairs one BucketBand buffers before it writes a run.
size_t PairBudget(const StageContext& ctx);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_BUCKET_H_
