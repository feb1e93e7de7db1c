// Token offsets of a derived text, kept beside it so that the source can
// be dropped: a collection with passages stores an HTML page as the text
// its tokens were read from (the extracted text) plus this table, and
// still reports offsets into the page as it was sent.
//
// The table is the difference between two offset lists of the same tokens:
// `derived` (offsets into the extracted text, as Tokenize gives them) and
// `source` (offsets into the content as sent, as Analyze gives them). Each
// source offset is predicted from the previous token's source offsets and
// the derived distances (inside one run of copied text they are equal), so
// only tokens where the prediction misses (after a tag, an entity, a
// charset with other byte lengths) are written: a page's table is a few
// bytes per paragraph.
//
// Example:
//   std::string table = EncodeTokenOffsets(derived_tokens, source_tokens);
//   // later, from the stored text alone:
//   std::vector<Token> tokens = Tokenize(text)->tokens;  // == derived
//   NEARDUP_RETURN_IF_ERROR(ApplyTokenOffsets(table, absl::MakeSpan(tokens)));
//   // tokens now hold the source offsets.

#ifndef NEARDUP_SERVICE_TEXT_TOKEN_OFFSETS_H_
#define NEARDUP_SERVICE_TEXT_TOKEN_OFFSETS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "service/text/tokenizer.h"

namespace neardup::text {

// Returns the table that turns `derived`'s offsets into `source`'s.
// REQUIRES: derived.size() == source.size() (the same tokens).
std::string EncodeTokenOffsets(absl::Span<const Token> derived,
                               absl::Span<const Token> source);

// Replaces the byte and code point offsets of `tokens` (the derived
// tokens) by the source offsets `table` records. INVALID_ARGUMENT, with
// `tokens` unspecified, if the table is malformed or was written for
// another number of tokens.
absl::Status ApplyTokenOffsets(std::string_view table,
                               absl::Span<Token> tokens);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_TOKEN_OFFSETS_H_
