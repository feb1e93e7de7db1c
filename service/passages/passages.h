// Passages on analysed text (text::Analyze): repeats inside one document
// and matched passages between two, with offsets into the ORIGINAL inputs.
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(text::Analysis page, text::Analyze(bytes));
//   Repeats r = FindRepeats(bytes, page);
//   for (const RepeatedPassage& p : r.passages)
//     for (const Span& s : p.occurrences) use(s.cp_start, s.cp_end);
//
// Offsets: code points of the input as decoded from its charset, and bytes
// of the input as sent; both end-exclusive. A passage runs from the first
// byte of its first token to the last byte of its last token.

#ifndef NEARDUP_SERVICE_PASSAGES_PASSAGES_H_
#define NEARDUP_SERVICE_PASSAGES_PASSAGES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "service/passages/align.h"
#include "service/text/analyze.h"

namespace neardup::passages {

struct Span {
  uint32_t token_begin = 0;  // tokens [token_begin, token_end)
  uint32_t token_end = 0;
  uint32_t cp_start = 0;
  uint32_t cp_end = 0;
  uint32_t byte_start = 0;
  uint32_t byte_end = 0;
};

// Offsets of tokens [begin, end) of `tokens`. REQUIRES: begin < end <= size.
Span SpanOf(absl::Span<const text::Token> tokens, uint32_t begin, uint32_t end);

// The aligner's input: each token's hash, truncated to 32 bits.
std::vector<uint32_t> TokenHashes32(absl::Span<const text::Token> tokens);

// Which aligned passages are worth reporting (Repeats, Compare, Search).
// Below these, topical phrases chain into "passages": in the PAN-style
// evaluation with 16, most detections were such (docs/BENCHMARKS.md,
// "Passage search"). A 50-word copy with 10% of its words edited keeps
// about 40 matched; 100 copied Chinese characters about 70.
inline constexpr uint32_t kMinMatchedWords = 32;
inline constexpr uint32_t kMinMatchedChars = 48;  // unsegmented scripts
// Passages this close on both sides (in tokens), in order, are one passage
// that dense edits broke apart.
inline constexpr uint32_t kMergeGap = 32;

// True if `al` matched enough of `a_tokens` (the tokens its a-side
// indexes): kMinMatchedWords, or kMinMatchedChars for a passage mostly of
// unsegmented-script characters.
bool Substantial(const Alignment& al, absl::Span<const text::Token> a_tokens);

// The passages of Align(a, b) to report, by position in a:
//  1. each passage of a once: one that overlaps a better one (more
//     matched) by half its length on a's side is the same passage matched
//     again elsewhere in b (a similar sentence);
//  2. neighbours that follow each other on both sides within kMergeGap
//     tokens are merged;
//  3. only Substantial ones.
std::vector<Alignment> Reportable(std::vector<Alignment> aligned,
                                  absl::Span<const text::Token> a_tokens);

// A passage that occurs more than once, each pair of occurrences
// Substantial.
// Back-to-back copies are listed up to kMaxListedCopies, the last span
// covering the remaining copies.
struct RepeatedPassage {
  std::vector<Span> occurrences;  // >= 2, by position, not overlapping
};

struct Repeats {
  std::vector<RepeatedPassage> passages;  // by first occurrence
  // Fraction of the document's tokens that lie in later occurrences (0 for
  // a document without repeats, about 0.5 for a body printed twice).
  double repeated_fraction = 0;
  // The tokens of every occurrence but the first, merged, ascending: what
  // collapsing removes (text::RemoveTokens).
  std::vector<text::TokenRange> later;
  // `content` without the bytes of later occurrences (in the input's own
  // encoding).
  std::string collapsed;
};

// Finds the passages of `analysis` (the analysis of `content`) that occur
// more than once.
Repeats FindRepeats(std::string_view content, const text::Analysis& analysis,
                    const AlignParams& params = {});

struct MatchedPassage {
  Span a;
  Span b;
  uint32_t matched_tokens = 0;  // tokens of a covered by exact k-grams
};

struct Comparison {
  double jaccard = 0;                    // exact, of the shingle sets
  double containment_a = 0;              // |A∩B| / |A|: how much of a is in b
  double containment_b = 0;              // |A∩B| / |B|
  std::vector<MatchedPassage> passages;  // Reportable, by position in a
};

// Compares two analysed documents: exact set scores and the passages they
// share.
Comparison Compare(const text::Analysis& a, const text::Analysis& b,
                   const AlignParams& params = {});

}  // namespace neardup::passages

#endif  // NEARDUP_SERVICE_PASSAGES_PASSAGES_H_
