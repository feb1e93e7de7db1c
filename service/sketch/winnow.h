// Winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003): positional
// fingerprints for finding shared passages.
//
// Input: the shingle hashes of a text in order, element p being the
// shingle that starts at token p (text::ShingleHashes). In every window of
// `window` consecutive hashes the minimum is selected, and each selected
// (hash, position) is reported once. Ties use the paper's robust rule:
// keep the hash the previous window selected if it is still in the window,
// else take the rightmost minimum, so a run of equal hashes (a repeated
// token) gives one fingerprint per `window` positions, not one per position.
//
// Guarantee: if two texts share a run of at least window + k - 1 tokens
// (k tokens per shingle), they share a window of `window` shingles, and
// both select its minimum: they share a fingerprint whose position lies in
// that run in each text. Expected density for random text: 2 / (window+1)
// fingerprints per shingle.

#ifndef NEARDUP_SERVICE_SKETCH_WINNOW_H_
#define NEARDUP_SERVICE_SKETCH_WINNOW_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::sketch {

struct WinnowFingerprint {
  uint64_t hash;
  uint32_t position;  // index of the shingle (= its first token)
  bool operator==(const WinnowFingerprint& o) const {
    return hash == o.hash && position == o.position;
  }
};

// Returns the winnowing fingerprints of `hashes`, in increasing position.
// A text with fewer than `window` shingles is one window. REQUIRES:
// window >= 1.
std::vector<WinnowFingerprint> Winnow(absl::Span<const uint64_t> hashes,
                                      uint32_t window);

}  // namespace neardup::sketch

#endif  // NEARDUP_SERVICE_SKETCH_WINNOW_H_
