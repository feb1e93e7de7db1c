// The whole text pipeline on real text: charsets, HTML, Chinese folding,
// and offsets back into the bytes sent.

#include <unicode/ucnv.h>

#include <algorithm>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/text/analyze.h"
#include "service/text/decode.h"
#include "service/text/html.h"
#include "tests/testing/charsets.h"
#include "tests/testing/corpus.h"
#include "tests/testing/html_pages.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup::text {
namespace {

using ::neardup::testing::EncodeAs;
using ::neardup::testing::IsOk;
using ::neardup::testing::ReadTestData;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSeedPage[] = "zh-news-page-body-twice.txt";

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  return SetJaccard(a, b);
}

std::vector<uint64_t> Shingles(const std::string& content, TextParams params,
                               InputOptions input = {}) {
  auto a = Analyze(content, params, input);
  EXPECT_THAT(a, IsOk());
  return a.ok() ? a->shingle_set : std::vector<uint64_t>{};
}

// Returns the lines of UTF-8 `text` that `charset` can represent, joined.
std::string Representable(const std::string& text, const char* charset) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    UErrorCode error = U_ZERO_ERROR;
    UConverter* cnv = ucnv_open(charset, &error);
    ucnv_setFromUCallBack(cnv, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr,
                          nullptr, &error);
    UConverter* utf8 = ucnv_open("UTF-8", &error);
    std::string buf(line.size() * 4 + 8, '\0');
    char* target = buf.data();
    const char* source = line.data();
    ucnv_convertEx(cnv, utf8, &target, buf.data() + buf.size(), &source,
                   line.data() + line.size(), nullptr, nullptr, nullptr,
                   nullptr, true, true, &error);
    ucnv_close(cnv);
    ucnv_close(utf8);
    if (U_SUCCESS(error)) out += line + "\n";
  }
  return out;
}

// Checks that each token's [byte_start, byte_end) slice of `input`, read
// the same way, is exactly that one token, and that its code point range
// has the slice's length.
void ExpectOffsetsPointToSources(const std::string& input,
                                 const InputOptions& options) {
  auto a = Analyze(input, {}, options);
  ASSERT_THAT(a, IsOk());
  ASSERT_FALSE(a->text.tokens.empty());
  DecodeOptions decode;
  decode.charset = a->charset;
  for (const Token& t : a->text.tokens) {
    ASSERT_LE(t.byte_end, input.size());
    ASSERT_LT(t.byte_start, t.byte_end);
    const std::string slice =
        input.substr(t.byte_start, t.byte_end - t.byte_start);
    auto d = Decode(slice, decode);
    ASSERT_THAT(d, IsOk()) << "token at byte " << t.byte_start;
    std::string text(d->text());
    size_t cps = 0;
    for (unsigned char c : text) cps += (c & 0xC0) != 0x80;
    EXPECT_EQ(t.cp_end - t.cp_start, cps) << "token at byte " << t.byte_start;
    if (a->html) {
      auto h = ExtractHtmlText(text, {false});
      ASSERT_THAT(h, IsOk());
      text = h->text;
    }
    auto again = Tokenize(text);
    ASSERT_THAT(again, IsOk());
    ASSERT_EQ(again->tokens.size(), 1u)
        << "slice \"" << slice << "\" at byte " << t.byte_start;
    EXPECT_EQ(again->tokens[0].hash, t.hash) << "slice \"" << slice << "\"";
  }
}

TEST(PipelineTest, TraditionalFoldsToSimplified) {
  const std::string simplified = ReadTestData("article_zh.txt");
  const std::string traditional = ReadTestData("article_zh_hant.txt");
  TextParams fold, no_fold;
  no_fold.fold_traditional = false;
  const double folded =
      Jaccard(Shingles(simplified, fold), Shingles(traditional, fold));
  const double unfolded =
      Jaccard(Shingles(simplified, no_fold), Shingles(traditional, no_fold));
  EXPECT_GE(folded, 0.95);
  EXPECT_LE(unfolded, 0.5);
  std::cout << "own article, Simplified vs Traditional: jaccard " << folded
            << " folded, " << unfolded << " not folded\n";
}

TEST(PipelineTest, SeedPageConvertedWithOpenccCliMatchesWhenFolding) {
  auto path = neardup::testing::SharedCorpusPath(kSeedPage);
  if (!path.has_value()) {
    GTEST_SKIP() << "../shared/corpus/" << kSeedPage
                 << " is absent; TraditionalFoldsToSimplified covers the "
                    "same property with our own text";
  }
  auto r = neardup::testing::RunCommand(
      {"/usr/bin/opencc", "-c", "t2s.json", "-i", *path});
  if (r.exit_code == 127) GTEST_SKIP() << "the opencc CLI is not installed";
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string original = *neardup::testing::ReadWholeFile(*path);
  TextParams fold, no_fold;
  no_fold.fold_traditional = false;
  const double folded =
      Jaccard(Shingles(original, fold), Shingles(r.out, fold));
  const double unfolded =
      Jaccard(Shingles(original, no_fold), Shingles(r.out, no_fold));
  // Mainland wording in Traditional characters: folded as hk2s does, which
  // on this page is exactly what t2s gives.
  EXPECT_EQ(folded, 1.0);
  EXPECT_LE(unfolded, 0.5);
  std::cout << "seed page vs opencc t2s: jaccard " << folded << " folded, "
            << unfolded << " not folded\n";
}

TEST(PipelineTest, SameTextInGbkBig5AndUtf8GivesIdenticalShingles) {
  std::vector<std::pair<std::string, const char*>> cases = {
      {ReadTestData("article_zh.txt"), "GBK"},
      {ReadTestData("article_zh.txt"), "GB18030"},
      {ReadTestData("article_zh_hant.txt"), "Big5"},
      {ReadTestData("article_ja.txt"), "Shift_JIS"},
      {ReadTestData("article_ko.txt"), "EUC-KR"}};
  if (auto path = neardup::testing::SharedCorpusPath(kSeedPage)) {
    const std::string seed = *neardup::testing::ReadWholeFile(*path);
    cases.push_back({Representable(seed, "Big5"), "Big5"});
    cases.push_back({Representable(seed, "GBK"), "GBK"});
  }
  for (const auto& [utf8, charset] : cases) {
    const std::vector<uint64_t> expected = Shingles(utf8, {});
    // Detected...
    EXPECT_EQ(Shingles(EncodeAs(utf8, charset), {}), expected) << charset;
    // ...and declared.
    InputOptions declared;
    declared.charset = charset;
    EXPECT_EQ(Shingles(EncodeAs(utf8, charset), {}, declared), expected)
        << charset;
  }
}

TEST(PipelineTest, HtmlPageMatchesItsArticleAsText) {
  for (const char* name : {"article_en.txt", "article_zh.txt"}) {
    const std::string article = ReadTestData(name);
    const auto text = Shingles(article, {});
    const auto a = Shingles(neardup::testing::PageInTemplateA(article), {});
    const auto b = Shingles(neardup::testing::PageInTemplateB(article), {});
    EXPECT_GE(Jaccard(a, text), 0.9) << name;
    EXPECT_GE(Jaccard(b, text), 0.9) << name;
    EXPECT_GE(Jaccard(a, b), 0.9) << name;
    std::cout << name << ": page A vs text " << Jaccard(a, text)
              << ", page B vs text " << Jaccard(b, text) << ", A vs B "
              << Jaccard(a, b) << "\n";
  }
  const auto en = Shingles(
      neardup::testing::PageInTemplateA(ReadTestData("article_en.txt")), {});
  const auto bike = Shingles(
      neardup::testing::PageInTemplateA(ReadTestData("unrelated_en.txt")), {});
  EXPECT_LE(Jaccard(en, bike), 0.2);
  std::cout << "two articles in template A: " << Jaccard(en, bike) << "\n";
}

TEST(PipelineTest, OffsetsPointIntoTheOriginalBytes) {
  // Plain UTF-8, with a BOM.
  ExpectOffsetsPointToSources("\xEF\xBB\xBF" + ReadTestData("article_ja.txt"),
                              {});
  // A legacy charset.
  ExpectOffsetsPointToSources(EncodeAs(ReadTestData("article_zh.txt"), "GBK"),
                              {});
  // HTML with entities, in Big5, whole page.
  std::string html =
      neardup::testing::PageInTemplateB(ReadTestData("article_zh_hant.txt"));
  InputOptions whole;
  whole.main_content = false;
  ExpectOffsetsPointToSources(EncodeAs(html, "Big5"), whole);
  // English HTML, main content only.
  ExpectOffsetsPointToSources(
      neardup::testing::PageInTemplateA(ReadTestData("article_en.txt")), {});
}

TEST(PipelineTest, ShortAndEmptyTexts) {
  auto one = Analyze("word", {});
  ASSERT_THAT(one, IsOk());
  EXPECT_EQ(one->shingle_set.size(), 1u);
  EXPECT_THAT(
      Analyze("<html><body><nav><a href=/>Home</a></nav></body></html>", {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no text")));
  EXPECT_THAT(Analyze(std::string(1000, '\0'), {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("binary data (NUL byte at offset 0)")));
  EXPECT_THAT(Analyze(std::string(kMaxContentBytes + 1, 'a'), {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("over the limit")));
}

}  // namespace
}  // namespace neardup::text
