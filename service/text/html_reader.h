// Our HTML reader for text extraction: the tokenizer of html_tokenizer.h
// and a simplified tree builder after the WHATWG standard's tree
// construction (section 13.2.6), reporting the element tree in document
// order to an HtmlEventSink (html_extract.h).
//
// The tree builder keeps the stack of open elements and the insertion
// modes that decide where text lands: the implied head and body, void
// elements, implied end tags (p, li, dt/dd, options, ruby, table parts),
// end tags that close the matching element in scope and are ignored
// otherwise, the list of active formatting elements (a link reopened in
// the next paragraph), table text and elements moved before their table
// (foster parenting), select, frameset and foreign content (svg, math).
// It leaves out what does not change the extracted text: attributes other
// than class, id, role, href and type, comments, quirks mode, and the
// rarer rearrangements of the adoption agency (docs/HTML.md lists the
// differences from gumbo).

#ifndef NEARDUP_SERVICE_TEXT_HTML_READER_H_
#define NEARDUP_SERVICE_TEXT_HTML_READER_H_

#include <string_view>

#include "absl/status/status.h"
#include "service/text/html_extract.h"

namespace neardup::text {

// Parses `html` (UTF-8) and reports its element tree to `sink`. Returns
// INVALID_ARGUMENT, having reported part of the tree, if `html` is larger
// than kMaxHtmlBytes (nothing reported) or more than kMaxHtmlDepth
// elements are open at once (below the root element). Does not take
// ownership of `sink`.
absl::Status ReadHtml(std::string_view html, HtmlEventSink* sink);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_HTML_READER_H_
