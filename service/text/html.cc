#include "service/text/html.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "service/text/html_extract.h"
#include "service/text/html_reader.h"

namespace neardup::text {

bool LooksLikeHtml(std::string_view content) {
  size_t i = 0;
  if (content.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < content.size() && absl::ascii_isspace(content[i])) ++i;
  const std::string head = absl::AsciiStrToLower(absl::string_view(
      content.data() + i, std::min<size_t>(content.size() - i, 16)));
  for (const char* prefix :
       {"<!doctype html", "<html", "<head", "<body", "<!--", "<meta", "<div",
        "<p>", "<title", "<article", "<table"}) {
    if (absl::StartsWith(head, prefix)) return true;
  }
  return false;
}

absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html,
                                         const HtmlOptions& options) {
  HtmlTextBuilder builder(options);
  const absl::Status status = ReadHtml(html, &builder);
  if (!status.ok()) return status;
  return builder.Finish();
}

}  // namespace neardup::text
