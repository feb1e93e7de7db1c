#include "service/text/analyze.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"

namespace neardup::text {

absl::StatusOr<Analysis> Analyze(std::string_view content,
                                 const ShingleParams& params) {
  Analysis a;
  NEARDUP_ASSIGN_OR_RETURN(a.text, Tokenize(content));
  if (a.text.tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no text: content (", content.size(),
        " bytes) has no letters, digits or characters to fingerprint"));
  }
  a.shingles = ShingleHashes(a.text.tokens, params);
  a.shingle_set = ShingleSet(a.shingles);
  return a;
}

}  // namespace neardup::text
