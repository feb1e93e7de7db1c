#include "service/engine/pipeline.h"

#include <utility>

#include "service/common/status_macros.h"
#include "service/passages/fingerprints.h"
#include "service/passages/passages.h"
#include "service/text/token_offsets.h"

namespace neardup::engine {
namespace {

// A repeated passage of at least min_tokens tokens repeats shingles: a
// text whose shingles are nearly all distinct has none (and most texts
// skip the search for repeats at the cost of a subtraction).
bool MayRepeat(const text::Analysis& a) {
  return a.shingles.size() - a.shingle_set.size() >= 4;
}

}  // namespace

PipelineParams ParamsOf(const index::CollectionInfo& c) {
  PipelineParams p;
  p.text.shingle.word_size = c.params.word_shingle_size;
  p.text.shingle.char_size = c.params.char_shingle_size;
  p.text.shingle.seed = c.shingle_seed;
  p.text.fold_traditional = c.params.fold_traditional.value_or(true);
  p.num_perm = c.params.num_perm;
  p.minhash_seed = c.minhash_seed;
  p.collapse_repeats = c.params.collapse_repeats.value_or(true);
  p.passage_fingerprints = c.params.passages.value_or(false);
  return p;
}

text::InputOptions ReadingOf(const index::StoredText& t) {
  text::InputOptions in;
  if (t.extracted) {  // the extracted text of a page: plain UTF-8
    in.content_type = text::ContentType::kText;
    in.charset = "UTF-8";
    return in;
  }
  in.content_type =
      t.html ? text::ContentType::kHtml : text::ContentType::kText;
  in.charset = t.charset;
  in.lenient = t.lenient;
  in.main_content = t.main_content;
  return in;
}

index::PassageInput PassageInputOf(PreparedText* p, std::string_view content,
                                   const text::InputOptions& input) {
  index::PassageInput in;
  in.fingerprints = std::move(p->passage_fingerprints);
  in.content = content;
  in.charset = p->stats.charset;
  in.html = p->stats.html;
  in.main_content = input.main_content;
  in.lenient = input.lenient;
  if (p->extracted.has_value()) {  // a page: its text, not its markup
    in.extracted = true;
    in.extracted_text = std::move(p->extracted->text);
    in.token_offsets = std::move(p->extracted->token_offsets);
  }
  return in;
}

Pipeline::Pipeline(const PipelineParams& params)
    : params_(params), hasher_(params.num_perm, params.minhash_seed) {}

absl::StatusOr<text::Analysis> Pipeline::Analyze(
    std::string_view content, const text::InputOptions& input,
    std::string* decoded) const {
  return text::Analyze(content, params_.text, input, decoded);
}

absl::StatusOr<PreparedText> Pipeline::Prepare(
    std::string_view content, const text::InputOptions& input) const {
  text::ExtractedText x;
  NEARDUP_ASSIGN_OR_RETURN(
      text::Analysis a,
      text::Analyze(content, params_.text, input, nullptr,
                    params_.passage_fingerprints ? &x : nullptr));
  const bool html = a.html;
  PreparedText out = Fingerprint(std::move(a), content);
  if (params_.passage_fingerprints && html) out.extracted = std::move(x);
  return out;
}

absl::StatusOr<text::Analysis> Pipeline::AnalyzeStored(
    const index::StoredText& stored, std::string* text,
    std::vector<text::Token>* text_tokens) const {
  if (!stored.extracted) {
    NEARDUP_ASSIGN_OR_RETURN(text::Analysis a,
                             Analyze(stored.content, ReadingOf(stored), text));
    if (text_tokens != nullptr) *text_tokens = a.text.tokens;
    return a;
  }
  NEARDUP_ASSIGN_OR_RETURN(text::Analysis a,
                           text::AnalyzeText(stored.content, params_.text));
  if (text != nullptr) *text = stored.content;
  if (text_tokens != nullptr) *text_tokens = a.text.tokens;
  NEARDUP_RETURN_IF_ERROR(text::ApplyTokenOffsets(
      stored.token_offsets, absl::MakeSpan(a.text.tokens)));
  a.charset = stored.charset;
  a.html = stored.html;
  return a;
}

absl::StatusOr<PreparedText> Pipeline::PrepareStored(
    const index::StoredText& stored) const {
  if (!stored.extracted) return Prepare(stored.content, ReadingOf(stored));
  // The tokens are all an audit needs: their offsets may stay in the
  // extracted text.
  NEARDUP_ASSIGN_OR_RETURN(text::Analysis a,
                           text::AnalyzeText(stored.content, params_.text));
  return Fingerprint(std::move(a), stored.content);
}

PreparedText Pipeline::Fingerprint(text::Analysis a,
                                   std::string_view content) const {
  PreparedText out;
  if (params_.passage_fingerprints) {
    out.passage_fingerprints = passages::DistinctHashes(
        passages::PassageFingerprints(passages::TokenHashes32(a.text.tokens)));
  }
  if (params_.collapse_repeats && MayRepeat(a)) {
    const passages::Repeats r = passages::FindRepeats(content, a);
    out.stats.repeated_fraction = r.repeated_fraction;
    text::RemoveTokens(r.later, params_.text, &a);
  }
  out.fp = sketch::ComputeFingerprint(a, hasher_);
  out.stats.content_bytes = content.size();
  out.stats.tokens = a.text.tokens.size();
  out.stats.shingles = a.shingle_set.size();
  out.stats.simhash = out.fp.simhash;
  out.stats.charset = std::move(a.charset);
  out.stats.html = a.html;
  if (params_.keep_shingle_set) out.shingle_set = std::move(a.shingle_set);
  return out;
}

}  // namespace neardup::engine
