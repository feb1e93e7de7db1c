// A document's fingerprint (MinHash signature, SimHash, exact digest, set
// size) and the scores of one fingerprint against another.
//
// Example:
//   MinHasher hasher(128, kMinHashSeed);
//   NEARDUP_ASSIGN_OR_RETURN(auto analysis, text::Analyze(content, {}));
//   Fingerprint fp = ComputeFingerprint(analysis, hasher);
//   Scores s = Score(fp, stored);  // s.jaccard, s.containment, ...

#ifndef NEARDUP_SERVICE_SKETCH_FINGERPRINT_H_
#define NEARDUP_SERVICE_SKETCH_FINGERPRINT_H_

#include <cstdint>
#include <vector>

#include "service/sketch/minhash.h"
#include "service/text/analyze.h"

namespace neardup::sketch {

// Version of everything that determines fingerprint bytes: tokenization,
// normalization, shingle hashing, MinHash, SimHash, band keys. Bump it when
// any of them changes; stored fingerprints of another version must not be
// compared with new ones. v2: digest over token hashes, Traditional ->
// Simplified folding. v3: one-permutation MinHash with optimal
// densification (was K independent hashes), bottom-k sketches. v4: a
// document that repeats itself is fingerprinted without its repeats by
// removing their tokens (was: their bytes, then analysed again), passage
// fingerprints hash k-grams with the common mixer (Mix64). v5: Traditional
// Chinese folded phrase by phrase (OpenCC's tw2sp or hk2s, chosen per text;
// text/chinese_fold.h), was character by character.
inline constexpr uint32_t kFingerprintVersion = 5;

// Seed of the MinHash functions for kFingerprintVersion.
inline constexpr uint64_t kMinHashSeed = 0x6d696e6861736831ULL;  // "minhash1"

struct Fingerprint {
  std::vector<uint32_t> minhash;
  std::vector<uint32_t> bottom_k;  // BottomK(shingle set, minhash.size())
  uint64_t simhash = 0;
  text::Digest128 digest;
  uint64_t shingle_count = 0;  // size of the shingle set
  uint64_t token_count = 0;
};

// Returns the fingerprint of `analysis` with signatures from `hasher`.
Fingerprint ComputeFingerprint(const text::Analysis& analysis,
                               const MinHasher& hasher);

// Scores of a query against one stored document.
struct Scores {
  double jaccard = 0;              // estimated |Q∩D| / |Q∪D|
  double containment = 0;          // estimated |Q∩D| / |Q|
  double reverse_containment = 0;  // estimated |Q∩D| / |D|
  int hamming_distance = 64;       // between the SimHashes
  bool exact = false;              // same normalized text
};

// Returns the scores of `query` against `stored`. Jaccard comes from the
// MinHash signatures (exactly 1 for equal digests), containment both ways
// from the bottom-k sketches (BottomKContainment), or, where a sketch is
// missing, from Jaccard and the set sizes: |Q∩D| = J (|Q| + |D|) / (1 + J),
// clamped to [0, 1].
// REQUIRES: signatures of equal length.
Scores Score(const Fingerprint& query, const Fingerprint& stored);

}  // namespace neardup::sketch

#endif  // NEARDUP_SERVICE_SKETCH_FINGERPRINT_H_
