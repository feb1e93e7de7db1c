// The document pipeline, in one place: bytes -> text analysis (decode,
// HTML, tokens) -> repeats collapsed on the token list -> fingerprint
// (MinHash, bottom-k, SimHash, digest) and passage fingerprints. Every
// path that fingerprints a document (the server's writes and queries,
// `neardup audit`) goes through Pipeline::Prepare, so a document gives the
// same bytes everywhere.
//
// Example:
//   Pipeline pipeline(PipelineParams{});  // the collection defaults
//   NEARDUP_ASSIGN_OR_RETURN(PreparedText p,
//                            pipeline.Prepare(bytes, text::InputOptions()));
//   // p.fp.minhash, p.stats.repeated_fraction, ...
//
// Thread-safe: const methods may be called concurrently.

#ifndef NEARDUP_SERVICE_ENGINE_PIPELINE_H_
#define NEARDUP_SERVICE_ENGINE_PIPELINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "service/index/params.h"
#include "service/index/types.h"
#include "service/sketch/fingerprint.h"
#include "service/sketch/minhash.h"
#include "service/text/analyze.h"

namespace neardup::engine {

struct PipelineParams {
  text::TextParams text;
  uint32_t num_perm = index::kDefaultNumPerm;
  uint64_t minhash_seed = sketch::kMinHashSeed;
  // Fingerprint a document that repeats passages of itself without the
  // later copies (stats.repeated_fraction says how much was removed).
  bool collapse_repeats = index::kDefaultCollapseRepeats;
  // Compute the passage fingerprints (PreparedText::passage_fingerprints).
  bool passage_fingerprints = false;
  // Keep the shingle set the fingerprint was computed from
  // (PreparedText::shingle_set), for exact Jaccard.
  bool keep_shingle_set = false;
};

// The pipeline parameters of collection `c`.
PipelineParams ParamsOf(const index::CollectionInfo& c);

// How a stored text is read again: exactly as when it was stored (the
// extracted text of a page stored extracted: as plain UTF-8, its offsets
// then index that text; AnalyzeStored gives offsets into the page). Views
// `t.charset`.
text::InputOptions ReadingOf(const index::StoredText& t);

// A document analysed and fingerprinted.
struct PreparedText {
  sketch::Fingerprint fp;
  // content_bytes, tokens and shingles (after collapsing), simhash,
  // charset, html, repeated_fraction.
  index::DocumentStats stats;
  // With passage_fingerprints: the distinct passage fingerprints of the
  // whole text (repeats included), ascending.
  std::vector<uint32_t> passage_fingerprints;
  // With keep_shingle_set: the shingle set, sorted.
  std::vector<uint64_t> shingle_set;
  // With passage_fingerprints, for a document read as HTML: its extracted
  // text and token offsets, what a collection with passages stores
  // instead of the page (AnalyzeStored reads it back).
  std::optional<text::ExtractedText> extracted;
};

// What a collection with passages stores of a document `p` prepared with
// passage_fingerprints from `content` read as `input`: its passage
// fingerprints, how it was read, and its content as sent, or for a page
// the extracted text and token offsets (Search's offsets still index the
// page). Moves the fingerprints and text out of `p`; `content` must
// outlive the result.
index::PassageInput PassageInputOf(PreparedText* p, std::string_view content,
                                   const text::InputOptions& input);

class Pipeline {
 public:
  explicit Pipeline(const PipelineParams& params);

  const PipelineParams& params() const { return params_; }

  // Analyses `content`, read as `input` (text::Analyze, whose errors it
  // returns). `decoded`, if given, receives the decoded text.
  absl::StatusOr<text::Analysis> Analyze(std::string_view content,
                                         const text::InputOptions& input,
                                         std::string* decoded = nullptr) const;

  // Analyses `content` once and fingerprints it: a text that repeats
  // passages of itself has the tokens of the later copies removed before
  // its shingles are taken (when collapse_repeats). Errors: Analyze's.
  absl::StatusOr<PreparedText> Prepare(std::string_view content,
                                       const text::InputOptions& input) const;

  // Analyses a stored text again, giving the tokens it gave when stored,
  // with offsets into the content as sent. `text` (if given) receives the
  // stored text as UTF-8 (the decoded content, or the extracted text of a
  // page stored extracted), and `text_tokens` the same tokens with
  // offsets into `text`. Errors: Analyze's, and INVALID_ARGUMENT for a
  // malformed token offset table.
  absl::StatusOr<text::Analysis> AnalyzeStored(
      const index::StoredText& stored, std::string* text = nullptr,
      std::vector<text::Token>* text_tokens = nullptr) const;

  // Prepare for a stored text (without passage fingerprints or extracted
  // text): what an exact audit of a collection compares.
  absl::StatusOr<PreparedText> PrepareStored(
      const index::StoredText& stored) const;

 private:
  // Prepare's work after the analysis of `content`.
  PreparedText Fingerprint(text::Analysis a, std::string_view content) const;

  PipelineParams params_;
  sketch::MinHasher hasher_;
};

}  // namespace neardup::engine

#endif  // NEARDUP_SERVICE_ENGINE_PIPELINE_H_
