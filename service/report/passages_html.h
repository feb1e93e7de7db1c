// A self-contained HTML page showing a text beside one or more others
// with their shared passages highlighted, passage i in the same colour on
// both sides (`neardup compare --html`, `neardup search --html`), and the
// same view as a section of a larger page (the audit report).
//
// Each highlighted range is <mark class="passage" data-passage="I"> (I the
// passage's index in the answer); a range covered by several passages
// carries all their indexes, space-separated, and the first one's colour.

#ifndef NEARDUP_SERVICE_REPORT_PASSAGES_HTML_H_
#define NEARDUP_SERVICE_REPORT_PASSAGES_HTML_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace neardup::report {

// One side of a passage: bytes [begin, end) of that side's text.
struct ByteRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct HtmlSide {
  std::string title;              // shown above the text (a file name)
  std::string_view text;          // bytes as sent to the server
  std::vector<ByteRange> ranges;  // ranges[i]: passage i on this side
};

// Returns the page: `left` in the left column, the `right` texts one
// below the other in the right column. Passage i is ranges[i] of `left`
// and of whichever right side has a non-empty ranges[i]. Bytes that are
// not UTF-8 are shown as U+FFFD; ranges past the end of a text are
// clipped.
std::string PassagesHtml(const std::string& heading, const HtmlSide& left,
                         const std::vector<HtmlSide>& right);

// The CSS that PassagesSection's markup needs, for a page's <style>.
std::string PassagesCss();

// The two columns of PassagesHtml alone: a <main class="passages"> element
// to put into another page (with PassagesCss()).
std::string PassagesSection(const HtmlSide& left,
                            const std::vector<HtmlSide>& right);

// Appends `text` to `out` escaped for HTML text and attribute values;
// bytes that are not UTF-8 become U+FFFD.
void AppendEscaped(std::string_view text, std::string* out);

}  // namespace neardup::report

#endif  // NEARDUP_SERVICE_REPORT_PASSAGES_HTML_H_
