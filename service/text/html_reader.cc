#include "service/text/html_reader.h"

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/text/html.h"
#include "service/text/html_extract.h"
#include "service/text/html_tree_builder.h"

namespace neardup::text {

absl::Status ReadHtml(std::string_view html, HtmlEventSink* sink) {
  if (html.size() > kMaxHtmlBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTML document of ", html.size(),
                     " bytes is over the limit of ", kMaxHtmlBytes, " bytes"));
  }
  return html_internal::TreeBuilder(html, sink).Run();
}

}  // namespace neardup::text
