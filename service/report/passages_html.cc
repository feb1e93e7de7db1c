#include "service/report/passages_html.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "service/text/utf8.h"

namespace neardup::report {

void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text::ReplaceInvalidUtf8(text)) {
    switch (c) {
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '&':
        out->append("&amp;");
        break;
      case '"':
        out->append("&quot;");
        break;
      default:
        out->push_back(c);
    }
  }
}

namespace {

std::string Colour(size_t passage) {
  // Golden-angle hues: neighbouring passages get distinct colours.
  return absl::StrFormat("hsl(%d, 85%%, 78%%)",
                         static_cast<int>((passage * 137.508)) % 360);
}

// The text with every range wrapped in <mark>.
std::string Marked(const HtmlSide& side) {
  const uint32_t n = static_cast<uint32_t>(side.text.size());
  std::vector<uint32_t> cuts = {0, n};
  for (const ByteRange& r : side.ranges) {
    cuts.push_back(std::min(r.begin, n));
    cuts.push_back(std::min(r.end, n));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::string out;
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    const uint32_t b = cuts[c], e = cuts[c + 1];
    std::vector<std::string> ids;
    size_t first = 0;
    for (size_t i = 0; i < side.ranges.size(); ++i) {
      if (side.ranges[i].begin <= b && side.ranges[i].end >= e) {
        if (ids.empty()) first = i;
        ids.push_back(absl::StrCat(i));
      }
    }
    if (!ids.empty()) {
      absl::StrAppend(&out, "<mark class=\"passage\" data-passage=\"",
                      absl::StrJoin(ids, " "),
                      "\" style=\"background:", Colour(first), "\">");
    }
    AppendEscaped(side.text.substr(b, e - b), &out);
    if (!ids.empty()) out.append("</mark>");
  }
  return out;
}

std::string Column(const HtmlSide& side) {
  std::string out = "<section><h2>";
  AppendEscaped(side.title, &out);
  absl::StrAppend(&out, "</h2><pre>", Marked(side), "</pre></section>\n");
  return out;
}

}  // namespace

std::string PassagesCss() {
  return "main.passages{display:flex;gap:1em}\n"
         "main.passages>section,main.passages>div{flex:1;min-width:0}\n"
         "main.passages pre{white-space:pre-wrap;word-wrap:break-word;"
         "font-family:serif;line-height:1.5}\n"
         "mark{border-radius:2px}\n";
}

std::string PassagesSection(const HtmlSide& left,
                            const std::vector<HtmlSide>& right) {
  std::string out =
      absl::StrCat("<main class=\"passages\">\n", Column(left), "<div>\n");
  for (const HtmlSide& side : right) out += Column(side);
  absl::StrAppend(&out, "</div>\n</main>\n");
  return out;
}

std::string PassagesHtml(const std::string& heading, const HtmlSide& left,
                         const std::vector<HtmlSide>& right) {
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>";
  AppendEscaped(heading, &out);
  absl::StrAppend(&out,
                  "</title><style>\nbody{font-family:sans-serif;margin:1em}\n",
                  PassagesCss(), "</style></head><body><h1>");
  AppendEscaped(heading, &out);
  absl::StrAppend(&out, "</h1>\n", PassagesSection(left, right),
                  "</body></html>\n");
  return out;
}

}  // namespace neardup::report
