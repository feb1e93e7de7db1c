// Element categories for the tree builder of html_reader.cc (the WHATWG
// standard's tree construction, section 13.2.6): the namespaces an element
// can be in, the tag sets that the insertion modes test ("special",
// implied end tags, block starts and ends, table parts, the tags that
// leave foreign content), and the whitespace and NUL tests on text tokens.
// Internal to the HTML reader.

#ifndef NEARDUP_SERVICE_TEXT_HTML_TAG_SETS_H_
#define NEARDUP_SERVICE_TEXT_HTML_TAG_SETS_H_

#include <cstdint>
#include <string_view>

#include "service/text/html_tags.h"
#include "service/text/html_tokenizer.h"

namespace neardup::text::html_internal {

using Tag = HtmlTag;

// The namespace of an element.
enum class Ns : uint8_t { kHtml, kSvg, kMath };

// Returns true if `s` is empty or all HTML whitespace.
bool AllSpace(std::string_view s);

// Returns true if `t` is a NUL character from the HTML.
bool IsNul(const HtmlToken& t);

// Elements with special parsing rules (the standard's "special" category),
// in the HTML namespace.
bool IsSpecialHtml(Tag t);

// Returns true for the MathML text integration points (mi, mo, mn, ms,
// mtext) in namespace `ns`.
bool IsMathTextIntegration(Ns ns, Tag t);

// Returns true for the SVG HTML integration points (foreignObject, desc,
// title) in namespace `ns`.
bool IsHtmlIntegration(Ns ns, Tag t);

// Returns true for the elements whose end tags are implied (dd, dt, li,
// optgroup, option, p, rb, rp, rt, rtc).
bool IsImpliedEnd(Tag t);

// Start tags that close an open p and otherwise just open an element.
bool IsBlockStart(Tag t);

// End tags that close the element when it is in scope.
bool IsBlockEnd(Tag t);

// Returns true for tbody, tfoot and thead.
bool IsTableSection(Tag t);

// Returns true for table, tbody, tfoot, thead and tr: the elements whose
// content other than table structure is moved before the table.
bool IsTablePart(Tag t);

// Table-structure tags that end a caption, cell or select in a table.
bool IsTableStructure(Tag t);

// Start tags that leave foreign content (svg, math).
bool BreaksOutOfForeign(const HtmlToken& t);

}  // namespace neardup::text::html_internal

#endif  // NEARDUP_SERVICE_TEXT_HTML_TAG_SETS_H_
