// Passage alignment: which runs of tokens two texts share, allowing edits.
//
// Texts are given as token hashes (text::Token::hash, truncated to 32 bits
// so that stored documents can keep theirs compactly). The aligner
//   1. hashes every k consecutive tokens (a seed k-gram) of both texts;
//   2. pairs equal k-grams: a seed (i, j) says a[i, i+k) == b[j, j+k);
//   3. joins seeds on one diagonal (j - i) into runs while the gap between
//      them is at most `max_gap` tokens: a replaced word breaks k seeds but
//      not the diagonal;
//   4. chains runs on nearby diagonals that follow each other in both
//      texts: an inserted or deleted word shifts the diagonal by one;
//   5. keeps chains at least `min_matched` covered by seeds;
//   6. extends each chain past its first and last seeds word by word,
//      through edits (a match +1, an edit -1, stop 4 below best);
//   7. keeps chains at least `min_tokens` long on both sides, and drops a
//      chain that lies inside a longer one on both sides.
// A k-gram that occurs more than `max_occurrences` times in b (a token
// repeated over and over) makes no seeds (in SelfAlign, one seed to its
// next occurrence), which bounds the work at O(n * max_occurrences) seeds
// for n k-grams of a.

#ifndef NEARDUP_SERVICE_PASSAGES_ALIGN_H_
#define NEARDUP_SERVICE_PASSAGES_ALIGN_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::passages {

struct AlignParams {
  uint32_t k = 4;            // tokens per seed k-gram, >= 1
  uint32_t max_gap = 24;     // unmatched tokens bridged inside a passage
  uint32_t min_tokens = 16;  // shortest passage reported, on each side
  uint32_t max_occurrences = 16;
  // Largest diagonal shift bridged between runs (inserted minus deleted
  // words at one gap).
  uint32_t max_shift = 8;
  // A passage must have at least this fraction of its words (on the
  // shorter side) in exact k-gram matches: common phrases of one topic
  // ("technology innovation") scattered a few words apart do not chain
  // into a passage.
  double min_matched = 0.3;
};

// A passage shared by texts a and b: tokens [a_begin, a_end) of a match
// tokens [b_begin, b_end) of b. `matched` counts the tokens of a covered by
// seeds or matched one by one in the extension (<= a_end - a_begin; lower
// means more edits).
struct Alignment {
  uint32_t a_begin = 0;
  uint32_t a_end = 0;
  uint32_t b_begin = 0;
  uint32_t b_end = 0;
  uint32_t matched = 0;
};

// Orders alignments by a_begin, then b_begin: the order Align and
// SelfAlign return.
bool ByPosition(const Alignment& x, const Alignment& y);

// Returns the passages shared by `a` and `b`, by increasing a_begin.
std::vector<Alignment> Align(absl::Span<const uint32_t> a,
                             absl::Span<const uint32_t> b,
                             const AlignParams& params = {});

// Returns the passages that occur twice inside `a`: each alignment is a
// pair of occurrences with a_end <= b_begin (an earlier copy and a later
// one). A passage repeated back to back (a run that matches itself
// shifted by a period of at least min_tokens) gives one pair per copy and
// the next, up to kMaxListedCopies copies; the last pair's later copy then
// spans all the rest. A k-gram occurring more than max_occurrences times
// seeds only to its next occurrence, so a passage copied hundreds of
// times is found in O(n). Sorted by increasing a_begin.
inline constexpr uint32_t kMaxListedCopies = 256;
std::vector<Alignment> SelfAlign(absl::Span<const uint32_t> a,
                                 const AlignParams& params = {});

}  // namespace neardup::passages

#endif  // NEARDUP_SERVICE_PASSAGES_ALIGN_H_
