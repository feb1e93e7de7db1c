// Engine::Search: passages of a query found in a collection's stored
// documents.
//
// The query's passage fingerprints are probed in the store, which returns
// the stored documents sharing the most of them (on one snapshot) and the
// fingerprints that are boilerplate. The query's tokens under boilerplate
// fingerprints are masked, so that no passage runs through a site template,
// and the query is aligned against each candidate (passages::Align), so
// that every reported passage is an alignment of the two texts, not a
// guess from fingerprints.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"
#include "service/engine/engine.h"
#include "service/index/validate.h"
#include "service/passages/align.h"
#include "service/passages/fingerprints.h"

namespace neardup::engine {
namespace {

// Stored documents aligned per query beyond top_k: a source may rank low
// on shared fingerprints and high on aligned passages (one long edited
// passage shares fewer fingerprints than several verbatim sentences).
constexpr size_t kExtraCandidates = 16;

// Fingerprints a stored document must share with the query to be aligned.
// A passage of min_tokens (16) words shares about four; one alone is
// mostly a common phrase, and aligning costs a read of the document.
constexpr uint32_t kMinShared = 2;

using Range = std::pair<uint32_t, uint32_t>;

// Tokens covered by the union of `ranges`.
uint32_t Covered(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end());
  uint32_t covered = 0, end = 0;
  for (const Range& r : ranges) {
    const uint32_t from = std::max(r.first, end);
    if (r.second > from) covered += r.second - from;
    end = std::max(end, r.second);
  }
  return covered;
}

}  // namespace

absl::StatusOr<SearchResult> Engine::Search(
    std::string_view collection, const DocumentInput& doc,
    const SearchOptions& options) const {
  NEARDUP_ASSIGN_OR_RETURN(index::CollectionInfo c,
                           store_->FindCollection(collection));
  NEARDUP_RETURN_IF_ERROR(index::RequirePassages(c.name, *c.params.passages));
  NEARDUP_RETURN_IF_ERROR(index::ValidateTopK(options.top_k));
  const uint32_t top_k = options.top_k ? options.top_k : index::kDefaultTopK;
  const Pipeline pipeline(ParamsOf(c));
  NEARDUP_ASSIGN_OR_RETURN(text::Analysis a,
                           pipeline.Analyze(doc.content, doc.input));
  SearchResult result;
  result.stats.content_bytes = doc.content.size();
  result.stats.tokens = a.text.tokens.size();
  result.stats.shingles = a.shingle_set.size();
  result.stats.charset = a.charset;
  result.stats.html = a.html;

  std::vector<uint32_t> tokens = passages::TokenHashes32(a.text.tokens);
  const std::vector<passages::PassageFingerprint> fps =
      passages::PassageFingerprints(tokens);
  NEARDUP_ASSIGN_OR_RETURN(
      index::PassageCandidates found,
      store_->FindPassageCandidates(collection, passages::DistinctHashes(fps),
                                    kMinShared, top_k + kExtraCandidates));
  if (!found.boilerplate.empty()) {
    const absl::flat_hash_set<uint32_t> boilerplate(found.boilerplate.begin(),
                                                    found.boilerplate.end());
    std::vector<passages::PassageFingerprint> ignored;
    for (const auto& f : fps) {
      if (boilerplate.contains(f.hash)) ignored.push_back(f);
    }
    passages::MaskTokens(ignored, &tokens);
  }

  std::vector<Range> all_covered;
  for (index::PassageCandidate& cand : found.candidates) {
    std::string stored_text;
    std::vector<text::Token> text_tokens;  // offsets into stored_text
    absl::StatusOr<text::Analysis> source = pipeline.AnalyzeStored(
        cand.text, options.with_source_text ? &stored_text : nullptr,
        options.with_source_text ? &text_tokens : nullptr);
    if (!source.ok()) {
      return absl::DataLossError(
          absl::StrCat("stored document ", cand.id, " of collection ", c.name,
                       " no longer reads: ", source.status().message()));
    }
    const std::vector<passages::Alignment> aligned = passages::Reportable(
        passages::Align(tokens, passages::TokenHashes32(source->text.tokens)),
        a.text.tokens);
    if (aligned.empty()) continue;
    PassageSource out;
    out.id = std::move(cand.id);
    out.metadata = std::move(cand.metadata);
    std::vector<Range> covered;
    for (const passages::Alignment& al : aligned) {
      passages::MatchedPassage p;
      p.a = passages::SpanOf(a.text.tokens, al.a_begin, al.a_end);
      p.b = passages::SpanOf(source->text.tokens, al.b_begin, al.b_end);
      p.matched_tokens = al.matched;
      out.passages.push_back(p);
      if (options.with_source_text) {
        out.text_spans.emplace_back(text_tokens[al.b_begin].cp_start,
                                    text_tokens[al.b_end - 1].cp_end);
      }
      covered.emplace_back(al.a_begin, al.a_end);
      all_covered.emplace_back(al.a_begin, al.a_end);
    }
    out.containment = double(Covered(std::move(covered))) / tokens.size();
    out.text = std::move(stored_text);
    result.sources.push_back(std::move(out));
  }
  result.coverage =
      tokens.empty() ? 0
                     : double(Covered(std::move(all_covered))) / tokens.size();
  std::sort(result.sources.begin(), result.sources.end(),
            [](const PassageSource& x, const PassageSource& y) {
              return x.containment != y.containment
                         ? x.containment > y.containment
                         : x.id < y.id;
            });
  if (result.sources.size() > top_k) result.sources.resize(top_k);
  return result;
}

}  // namespace neardup::engine
