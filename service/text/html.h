// HTML to text with our own HTML reader (html_reader.h: a WHATWG tokenizer
// and a simplified tree builder, checked against gumbo in a differential
// test, docs/HTML.md), keeping where every byte of the text came from in
// the HTML.
//
// Always dropped: script, style, noscript, template, head, comments and
// other non-content elements (iframe, svg, canvas, select, ...). Entities
// are decoded; block elements (p, div, li, h1-h6, tr, ...) become
// paragraph breaks ("\n\n"), <br> a line break.
//
// Main-content extraction (on by default) then drops boilerplate in the
// spirit of boilerpipe and jusText: navigation, header, footer, aside and
// form elements and containers whose class or id names boilerplate (menu,
// sidebar, breadcrumb, cookie, share, comments, ...); then each remaining
// block is classified by its length and link density, link lists and short
// blocks away from the article are dropped. The same article in two site
// templates comes out nearly identical.

#ifndef NEARDUP_SERVICE_TEXT_HTML_H_
#define NEARDUP_SERVICE_TEXT_HTML_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "service/text/offset_map.h"

namespace neardup::text {

struct HtmlOptions {
  bool main_content = true;
};

// Largest HTML document parsed.
inline constexpr size_t kMaxHtmlBytes = 32 << 20;
// Deepest element nesting accepted (open elements below the root; tree
// building is quadratic in depth).
inline constexpr int kMaxHtmlDepth = 1024;

struct HtmlText {
  std::string text;  // UTF-8; blocks separated by blank lines
  OffsetMap map;     // text bytes -> bytes of the HTML given
};

// Returns "true" if `content` looks like HTML: it starts (after whitespace
// and a BOM) with "<!doctype html", "<html", "<head", "<body" or another
// common tag, case-insensitive.
bool LooksLikeHtml(std::string_view content);

// Extracts the text of the UTF-8 `html`. INVALID_ARGUMENT if it is larger
// than kMaxHtmlBytes or nested deeper than kMaxHtmlDepth. An HTML page with
// no text gives an empty `text` (OK).
absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html,
                                         const HtmlOptions& options);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_HTML_H_
