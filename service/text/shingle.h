// Shingles: windows of k consecutive tokens, hashed to 64 bits.
//
// The window that starts at token i is `word_size` tokens long if token i is
// a word and `char_size` long if it is a character of an unsegmented script,
// so mixed-script text gets, per run, the length that suits its script. A
// text too short for any window gets one shingle over all its tokens, so
// every non-empty text has a non-empty shingle set.

#ifndef NEARDUP_SERVICE_TEXT_SHINGLE_H_
#define NEARDUP_SERVICE_TEXT_SHINGLE_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "service/text/tokenizer.h"

namespace neardup::text {

struct ShingleParams {
  // Tokens per shingle starting with a word / a character. 4 separates near
  // copies from unrelated texts best on real English and Chinese text
  // (docs/BENCHMARKS.md, "Shingle size").
  uint32_t word_size = 4;
  uint32_t char_size = 4;
  // Seed of the shingle hash. Part of the persisted fingerprint format.
  uint64_t seed = 0x6e65617264757031ULL;  // "neardup1"
};

// Returns one hash per shingle in text order: element j is the shingle that
// starts at token j (positions are needed for passages). The list stops at
// the first token whose window would run past the end (with different word
// and character sizes a later, shorter window could still fit; it is left
// out so that positions stay exact). Each hash is
// XXH3-64, seeded with `params.seed`, of the window's token hashes as
// little-endian 64-bit words. REQUIRES: sizes in [1, 32].
std::vector<uint64_t> ShingleHashes(absl::Span<const Token> tokens,
                                    const ShingleParams& params);

// Returns `hashes` sorted and without repeats: the shingle set.
std::vector<uint64_t> ShingleSet(std::vector<uint64_t> hashes);

// Returns |A∩B| of two shingle sets (sorted, distinct, as from ShingleSet).
size_t SharedCount(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b);

// Returns the exact Jaccard similarity |A∩B| / |A∪B| of two shingle sets
// (sorted, distinct, as from ShingleSet); 0 if both are empty.
double SetJaccard(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_SHINGLE_H_
