// Value types of the engine API that the index does not know: documents
// as sent (bytes and how to read them), and passage search results.

#ifndef NEARDUP_SERVICE_ENGINE_TYPES_H_
#define NEARDUP_SERVICE_ENGINE_TYPES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/index/types.h"
#include "service/passages/passages.h"
#include "service/text/analyze.h"

namespace neardup::engine {

using index::Metadata;

// A document as sent. Views: the caller keeps the bytes alive for the call.
struct DocumentInput {
  std::string_view id;       // ignored by Check and Search
  std::string_view content;  // bytes: text or HTML in any charset
  Metadata metadata;         // ignored by Check and Search
  text::InputOptions input;  // how to read `content`
};

struct SearchOptions {
  uint32_t top_k = 0;             // sources returned; 0: index::kDefaultTopK
  bool with_source_text = false;  // fill PassageSource::text
};

// A stored document that shares passages with a Search query.
struct PassageSource {
  std::string id;
  Metadata metadata;
  // Share of the query's tokens inside this source's passages.
  double containment = 0;
  // a: the query's span, b: the source's; by position in the query.
  std::vector<passages::MatchedPassage> passages;
  // With SearchOptions::with_source_text: the stored text as UTF-8 (the
  // content as sent, decoded; for a page stored extracted, its extracted
  // text), and per passage the code points of `text` its source spans.
  std::string text;
  std::vector<std::pair<uint32_t, uint32_t>> text_spans;
};

struct SearchResult {
  std::vector<PassageSource> sources;  // most containment first
  // Share of the query's tokens inside any source's passages.
  double coverage = 0;
  index::DocumentStats stats;  // of the query
};

}  // namespace neardup::engine

#endif  // NEARDUP_SERVICE_ENGINE_TYPES_H_
