// HTML to text with gumbo (an HTML5-conformant parser): the reference that
// our own reader (html_reader.h) is tested against, kept for the
// differential test, the fuzzer and the benchmark. ExtractHtmlText
// (html.h) does not use it.

#ifndef NEARDUP_SERVICE_TEXT_HTML_GUMBO_H_
#define NEARDUP_SERVICE_TEXT_HTML_GUMBO_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "service/text/html.h"
#include "service/text/html_extract.h"

namespace neardup::text {

// Parses `html` with gumbo and reports its element tree to `sink`
// (html_extract.h). INVALID_ARGUMENT, with no events, if `html` is larger
// than kMaxHtmlBytes or an estimate of its nesting (from its tags, counting
// only elements the parser does not close implicitly) is deeper than
// kMaxHtmlDepth. Does not take ownership of `sink`.
absl::Status ReadHtmlWithGumbo(std::string_view html, HtmlEventSink* sink);

// As ExtractHtmlText (html.h), with gumbo as the parser.
absl::StatusOr<HtmlText> ExtractHtmlTextWithGumbo(std::string_view html,
                                                  const HtmlOptions& options);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_HTML_GUMBO_H_
