#include "service/engine/pipeline.h"

#include <string>

#include "gtest/gtest.h"
#include "service/passages/fingerprints.h"
#include "service/passages/passages.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::engine {
namespace {

using ::neardup::testing::GeneratedText;
using ::neardup::testing::IsOk;

PreparedText MustPrepare(const Pipeline& p, const std::string& text) {
  absl::StatusOr<PreparedText> out = p.Prepare(text, text::InputOptions());
  EXPECT_THAT(out, IsOk());
  return out.ok() ? *std::move(out) : PreparedText();
}

TEST(PipelineTest, FingerprintIsTheSketchOfTheAnalysis) {
  const std::string text = GeneratedText(1, 400);
  const Pipeline pipeline{PipelineParams()};
  const PreparedText p = MustPrepare(pipeline, text);
  auto a = text::Analyze(text);
  ASSERT_THAT(a, IsOk());
  const sketch::Fingerprint fp = sketch::ComputeFingerprint(
      *a, sketch::MinHasher(index::kDefaultNumPerm, sketch::kMinHashSeed));
  EXPECT_EQ(p.fp.minhash, fp.minhash);
  EXPECT_EQ(p.fp.digest, fp.digest);
  EXPECT_EQ(p.stats.tokens, a->text.tokens.size());
  EXPECT_EQ(p.stats.content_bytes, text.size());
  EXPECT_EQ(p.stats.repeated_fraction, 0);
  EXPECT_TRUE(p.passage_fingerprints.empty());
  EXPECT_TRUE(p.shingle_set.empty());
}

// A body printed twice loses its second copy on the token list: what is
// left is token for token the body once, so the two are exact copies.
TEST(PipelineTest, ABodyPrintedTwiceIsFingerprintedAsTheBodyOnce) {
  const std::string body = GeneratedText(2, 300);
  const std::string page = "Header line of a site.\n" + body +
                           "\nShare this page.\n" + body + "\nFooter.";
  const std::string clean =
      "Header line of a site.\n" + body + "\nShare this page.\n\nFooter.";
  const Pipeline pipeline{PipelineParams()};
  const PreparedText doubled = MustPrepare(pipeline, page);
  const PreparedText once = MustPrepare(pipeline, clean);
  EXPECT_EQ(doubled.fp.digest, once.fp.digest);
  EXPECT_EQ(doubled.fp.minhash, once.fp.minhash);
  EXPECT_EQ(doubled.stats.tokens, once.stats.tokens);
  EXPECT_NEAR(doubled.stats.repeated_fraction, 0.5, 0.02);
  EXPECT_EQ(doubled.stats.content_bytes, page.size());

  PipelineParams whole;
  whole.collapse_repeats = false;
  const PreparedText kept = MustPrepare(Pipeline(whole), page);
  EXPECT_FALSE(kept.fp.digest == once.fp.digest);
  EXPECT_EQ(kept.stats.repeated_fraction, 0);
  EXPECT_GT(kept.stats.tokens, once.stats.tokens + 250);
}

TEST(PipelineTest, PassageFingerprintsCoverTheWholeTextAndSetsAreKept) {
  const std::string body = GeneratedText(3, 200);
  const std::string page = body + "\n" + body;
  PipelineParams params;
  params.passage_fingerprints = true;
  params.keep_shingle_set = true;
  const PreparedText p = MustPrepare(Pipeline(params), page);
  auto a = text::Analyze(page);
  ASSERT_THAT(a, IsOk());
  // Of the text as sent, repeats and all: Search aligns against it.
  EXPECT_EQ(p.passage_fingerprints,
            passages::DistinctHashes(passages::PassageFingerprints(
                passages::TokenHashes32(a->text.tokens))));
  EXPECT_EQ(p.shingle_set.size(), p.fp.shingle_count);
  EXPECT_TRUE(std::is_sorted(p.shingle_set.begin(), p.shingle_set.end()));
}

TEST(PipelineTest, ErrorsAreTheAnalysisErrors) {
  const Pipeline pipeline{PipelineParams()};
  EXPECT_EQ(pipeline.Prepare("", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pipeline.Prepare(" \t\n.,;", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace neardup::engine
