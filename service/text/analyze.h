// One call from document text to its shingle set: tokenize, shingle, hash.
// This is the text pipeline's entry point for the rest of the engine.

#ifndef NEARDUP_SERVICE_TEXT_ANALYZE_H_
#define NEARDUP_SERVICE_TEXT_ANALYZE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "service/text/shingle.h"
#include "service/text/tokenizer.h"

namespace neardup::text {

struct Analysis {
  TokenizedText text;                 // tokens with offsets, digest
  std::vector<uint64_t> shingles;     // per position, see ShingleHashes
  std::vector<uint64_t> shingle_set;  // sorted, distinct
};

// Analyzes the UTF-8 `content`. Returns INVALID_ARGUMENT for invalid UTF-8
// (naming the byte offset) and "no text" for content without a single word
// or character (empty, only spaces, punctuation or symbols).
absl::StatusOr<Analysis> Analyze(std::string_view content,
                                 const ShingleParams& params);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_ANALYZE_H_
