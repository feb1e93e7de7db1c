// The text pipeline's entry point: document bytes -> decoded text -> (HTML
// to text) -> normalized tokens with offsets into the ORIGINAL bytes ->
// shingle hashes.
//
// Example:
//   InputOptions input;
//   input.content_type = ContentType::kHtml;
//   input.charset = "gbk";
//   NEARDUP_ASSIGN_OR_RETURN(Analysis a, Analyze(bytes, TextParams(), input));
//   // a.text.tokens[i].byte_start/_end index into `bytes`.

#ifndef NEARDUP_SERVICE_TEXT_ANALYZE_H_
#define NEARDUP_SERVICE_TEXT_ANALYZE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "service/text/shingle.h"
#include "service/text/tokenizer.h"

namespace neardup::text {

// How documents are turned into shingles: fixed per collection (persisted),
// the same for insert and query.
struct TextParams {
  ShingleParams shingle;
  bool fold_traditional = true;  // Traditional -> Simplified Chinese
};

enum class ContentType {
  kAuto = 0,  // HTML if it looks like HTML (LooksLikeHtml), else plain text
  kText = 1,
  kHtml = 2,
};

// How to read one document: per request.
struct InputOptions {
  ContentType content_type = ContentType::kAuto;
  std::string_view charset;  // declared charset; empty: detect
  bool lenient = false;      // undecodable bytes -> U+FFFD instead of error
  bool main_content = true;  // HTML: drop navigation, footers, link lists
};

// Largest document accepted, in bytes.
inline constexpr size_t kMaxContentBytes = 32 << 20;

struct Analysis {
  // Tokens with byte and code point offsets into the ORIGINAL input (code
  // points of the input as decoded from its charset), digest.
  TokenizedText text;
  std::vector<uint64_t> shingles;     // per position, see ShingleHashes
  std::vector<uint64_t> shingle_set;  // sorted, distinct
  std::string charset;                // charset the input was read as
  bool html = false;                  // read as HTML
};

// What an HTML document's tokens were read from: enough to analyse it
// again (AnalyzeText, then ApplyTokenOffsets) without the page.
struct ExtractedText {
  std::string text;           // the extracted text, UTF-8
  std::string token_offsets;  // token_offsets.h: text -> content as sent
};

// Analyzes `content`. INVALID_ARGUMENT for undecodable bytes (naming the
// byte offset and charset), an unknown charset, content over
// kMaxContentBytes, unparseable HTML (too deep, too large), and "no text"
// when no word or character is left after decoding and extraction. If
// `decoded` is given, it receives the content decoded to UTF-8 (without a
// byte order mark): the text the tokens' code point offsets index. If
// `extracted` is given and the content is read as HTML, it receives the
// extracted text and its token offset table (untouched otherwise).
absl::StatusOr<Analysis> Analyze(std::string_view content,
                                 const TextParams& params = {},
                                 const InputOptions& input = {},
                                 std::string* decoded = nullptr,
                                 ExtractedText* extracted = nullptr);

// Analyzes a text exactly as Analyze tokenized it after decoding and
// extraction (ExtractedText::text): offsets index `utf8`. INVALID_ARGUMENT
// for invalid UTF-8 and "no text".
absl::StatusOr<Analysis> AnalyzeText(std::string_view utf8,
                                     const TextParams& params = {});

// Tokens [begin, end) of an analysis.
struct TokenRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// Removes the tokens in `ranges` (ascending, disjoint, inside the text)
// from `a` and recomputes its shingles, shingle set and digest from the
// tokens left, as if the text held only those: how a document that repeats
// itself is fingerprinted with its repeats collapsed, without reading it
// again. The tokens left keep their offsets into the original input.
void RemoveTokens(absl::Span<const TokenRange> ranges, const TextParams& params,
                  Analysis* a);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_ANALYZE_H_
