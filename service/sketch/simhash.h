// 64-bit SimHash (Charikar 2002) of a shingle-hash set, and the table keys
// that find every stored SimHash within Hamming distance k (Manku, Jain &
// Das Sarma, WWW 2007).
//
// SimHash: bit j is set when more shingles have bit j set than clear.
// Similar sets give fingerprints a small Hamming distance apart; unrelated
// sets differ in about 32 bits.
//
// Search: the 64 bits are cut into k + 2 blocks of nearly equal width. Two
// fingerprints within distance k differ in at most k blocks, so at least 2
// of the k + 2 blocks are equal (pigeonhole). One table per pair of blocks,
// C(k+2, 2) tables, keyed by those two blocks' bits: every fingerprint
// within distance k shares at least one key with the query, and a table key
// has about 2 * 64 / (k + 2) bits (k = 3: 10 tables of 25-26 bits, a few
// false candidates per million documents, each checked by Hamming
// distance). k = 0 is one table on all 64 bits.
//
// Example:
//   for (const SimHashKey& key : SimHashKeys(fp, 3)) index.Put(key, doc);
//   ... query: candidates = union of index.Get(key) over SimHashKeys(q, 3),
//   kept when HammingDistance(q, candidate) <= 3.

#ifndef NEARDUP_SERVICE_SKETCH_SIMHASH_H_
#define NEARDUP_SERVICE_SKETCH_SIMHASH_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::sketch {

// Returns the SimHash of `set`, whose elements are already uniformly
// distributed 64-bit hashes (each shingle weighs 1). Ties give 0 bits; the
// empty set gives 0.
uint64_t SimHash(absl::Span<const uint64_t> set);

// Returns the number of differing bits between `a` and `b`, in [0, 64].
int HammingDistance(uint64_t a, uint64_t b);

// Largest Hamming distance the tables support.
inline constexpr int kMaxSimHashDistance = 3;

// Returns the masks of the C(k+2, 2) tables for distance `k` (each mask
// selects the bits of two blocks), in a fixed order. REQUIRES: 0 <= k <=
// kMaxSimHashDistance.
std::vector<uint64_t> SimHashTableMasks(int k);

struct SimHashKey {
  uint32_t table;  // index into SimHashTableMasks(k)
  uint64_t bits;   // fingerprint & mask of that table
  bool operator==(const SimHashKey& o) const {
    return table == o.table && bits == o.bits;
  }
};

// Returns the keys of `fingerprint` in the tables for distance `k`.
std::vector<SimHashKey> SimHashKeys(uint64_t fingerprint, int k);

}  // namespace neardup::sketch

#endif  // NEARDUP_SERVICE_SKETCH_SIMHASH_H_
