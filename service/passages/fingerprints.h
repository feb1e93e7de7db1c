// Passage fingerprints: what the passage index stores for each document
// and probes for each query.
//
// A document's 32-bit token hashes (TokenHashes32) are cut into k-grams of
// kPassageGram tokens, and winnowing (sketch::Winnow, window
// kPassageWindow) selects about 2 / (window + 1) of them. Two texts that
// share a run of at least kPassageGuarantee tokens share a fingerprint
// inside it, so a copied passage with an edit every ten words or so still
// leaves several shared fingerprints behind.
//
// Example:
//   std::vector<PassageFingerprint> fps = PassageFingerprints(hashes);
//   std::vector<uint32_t> keys = DistinctHashes(fps);  // index these

#ifndef NEARDUP_SERVICE_PASSAGES_FINGERPRINTS_H_
#define NEARDUP_SERVICE_PASSAGES_FINGERPRINTS_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::passages {

inline constexpr uint32_t kPassageGram = 4;
inline constexpr uint32_t kPassageWindow = 10;
inline constexpr uint32_t kPassageGuarantee = kPassageGram + kPassageWindow - 1;

struct PassageFingerprint {
  uint32_t hash;
  uint32_t position;  // first token of the k-gram
};

// The winnowing fingerprints of `tokens`, by increasing position. None for
// fewer than kPassageGram tokens.
std::vector<PassageFingerprint> PassageFingerprints(
    absl::Span<const uint32_t> tokens);

// The distinct hashes of `fps`, ascending.
std::vector<uint32_t> DistinctHashes(absl::Span<const PassageFingerprint> fps);

// Makes the tokens that `ignored` fingerprints cover match nothing: each
// fingerprint's k-gram, and the tokens between two of them that lie at
// most kPassageWindow apart (a run of boilerplate), are replaced by values
// unique to their position. `ignored` by increasing position.
void MaskTokens(absl::Span<const PassageFingerprint> ignored,
                std::vector<uint32_t>* tokens);

}  // namespace neardup::passages

#endif  // NEARDUP_SERVICE_PASSAGES_FINGERPRINTS_H_
