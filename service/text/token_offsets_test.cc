#include "service/text/token_offsets.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/text/analyze.h"
#include "tests/testing/corpus.h"
#include "tests/testing/status_matchers.h"

namespace neardup::text {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::ReadTestData;
using ::neardup::testing::SharedCorpusPath;
using ::neardup::testing::Slurp;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

// Analyses `page` as HTML, then again from its extracted text and offset
// table alone, and expects the same tokens (hashes, classes, offsets into
// the page) and shingles. Returns the table's size.
size_t ExpectSameAnalysisFromExtracted(const std::string& page,
                                       std::string_view charset = "") {
  InputOptions in;
  in.content_type = ContentType::kHtml;
  in.charset = charset;
  ExtractedText x;
  absl::StatusOr<Analysis> whole = Analyze(page, {}, in, nullptr, &x);
  EXPECT_THAT(whole.status(), IsOk());
  if (!whole.ok()) return 0;
  absl::StatusOr<Analysis> again = AnalyzeText(x.text);
  EXPECT_THAT(again.status(), IsOk());
  if (!again.ok()) return 0;
  std::vector<Token>& tokens = again->text.tokens;
  EXPECT_THAT(ApplyTokenOffsets(x.token_offsets, absl::MakeSpan(tokens)),
              IsOk());
  EXPECT_EQ(tokens.size(), whole->text.tokens.size());
  for (size_t i = 0; i < std::min(tokens.size(), whole->text.tokens.size());
       ++i) {
    const Token& a = whole->text.tokens[i];
    const Token& b = tokens[i];
    EXPECT_EQ(a.hash, b.hash) << "token " << i;
    EXPECT_EQ(a.cls, b.cls) << "token " << i;
    EXPECT_EQ(a.byte_start, b.byte_start) << "token " << i;
    EXPECT_EQ(a.byte_end, b.byte_end) << "token " << i;
    EXPECT_EQ(a.cp_start, b.cp_start) << "token " << i;
    EXPECT_EQ(a.cp_end, b.cp_end) << "token " << i;
  }
  EXPECT_EQ(again->shingle_set, whole->shingle_set);
  EXPECT_EQ(again->text.digest.low, whole->text.digest.low);
  return x.token_offsets.size();
}

TEST(TokenOffsetsTest, HtmlPageAnalysesTheSameFromItsExtractedText) {
  const std::string page =
      "<!doctype html><html><head><title>Harbour notes</title>"
      "<style>p{color:red}</style><script>var x = 'not text';</script>"
      "</head><body><nav><a href=/>Home</a> <a href=/n>News</a></nav>"
      "<article><h1>The harbour at dawn</h1>"
      "<p>Fishing boats came back before the tide turned, and the "
      "market opened an hour late because the ice truck broke down.</p>"
      "<p>Prices for mackerel &amp; herring rose by a third &mdash; "
      "the first rise since spring.&nbsp;Traders blamed the weather.</p>"
      "<p>Caf&eacute; owners\r\non the quay said the morning was quiet; "
      "<b>most</b> tables stayed <i>empty</i> until nine.</p></article>"
      "<footer>Copyright the harbour paper</footer></body></html>";
  const size_t table = ExpectSameAnalysisFromExtracted(page);
  // A few entries per paragraph, not one per token.
  EXPECT_LT(table, 60u);
}

TEST(TokenOffsetsTest, ChineseAndLegacyCharsets) {
  // UTF-8 Chinese with an entity and a table the parser rearranges (text
  // directly inside <table> moves before it).
  ExpectSameAnalysisFromExtracted(
      "<html><body><p>\xE6\x96\xB0\xE9\x97\xBB&#x4E2D;\xE6\x96\x87 "
      "2026</p><table>stray words<tr><td>\xE8\xA1\xA8\xE6\xA0\xBC "
      "cell</td></tr></table></body></html>");
  // GBK: two bytes per ideograph in the page, three in the extracted text.
  const std::string gbk =
      "<html><body><p>\xD6\xD0\xCE\xC4 and \xD0\xC2\xCE\xC5, "
      "\xD6\xD0\xCE\xC4 again</p></body></html>";
  ExpectSameAnalysisFromExtracted(gbk, "gbk");
  // A byte order mark before the page.
  ExpectSameAnalysisFromExtracted(
      "\xEF\xBB\xBF<html><body><p>after a mark, words</p></body></html>");
}

TEST(TokenOffsetsTest, GeneratedPagesAnalyseTheSame) {
  std::mt19937_64 rng(7);
  const char* words[] = {"tide",     "mackerel",    "\xE6\xB8\xAF\xE5\x8F\xA3",
                         "&amp;",    "caf&eacute;", "quay",
                         "&#20013;", "ice",         "\xC3\xA9t\xC3\xA9",
                         "2026"};
  const char* tags[] = {"<p>",     "</p>",  "<b>",    "</b>",
                        "<br>",    "<div>", "</div>", "<span class=x>",
                        "</span>", "\r\n"};
  for (int page = 0; page < 50; ++page) {
    std::string html = "<html><body><article>";
    const int n = 20 + int(rng() % 200);
    for (int i = 0; i < n; ++i) {
      html += words[rng() % std::size(words)];
      html += rng() % 4 == 0 ? tags[rng() % std::size(tags)] : " ";
    }
    html += "</article></body></html>";
    SCOPED_TRACE(html);
    ExpectSameAnalysisFromExtracted(html);
  }
}

// Lines of `text` as paragraphs of a page, escaped, between a navigation
// bar and a footer.
std::string AsPage(std::string_view text) {
  std::string page =
      "<html><head><meta charset=utf-8><title>t</title></head><body>"
      "<nav><a href=/>Home</a></nav><article><p>";
  for (char c : text) {
    if (c == '\n') {
      page += "</p>\n<p>";
    } else if (c == '<') {
      page += "&lt;";
    } else if (c == '&') {
      page += "&amp;";
    } else {
      page += c;
    }
  }
  return page + "</p></article><footer>Footer</footer></body></html>";
}

TEST(TokenOffsetsTest, ArticlesInManyScriptsAnalyseTheSame) {
  for (const char* name : {"article_zh.txt", "article_zh_hant.txt",
                           "article_ja.txt", "article_ko.txt"}) {
    SCOPED_TRACE(name);
    ExpectSameAnalysisFromExtracted(AsPage(ReadTestData(name)));
  }
  const char kSeedPage[] = "zh-news-page-body-twice.txt";
  const std::optional<std::string> path = SharedCorpusPath(kSeedPage);
  if (!path.has_value()) {
    GTEST_SKIP() << "../shared/corpus/" << kSeedPage
                 << " is absent; the articles above cover Chinese pages";
  }
  const std::string page = AsPage(Slurp(*path));
  const size_t table = ExpectSameAnalysisFromExtracted(page);
  EXPECT_LT(table, page.size() / 20);
}

TEST(TokenOffsetsTest, PlainTextLeavesExtractedUntouched) {
  ExtractedText x;
  x.text = "before";
  ASSERT_THAT(Analyze("plain words only", {}, {}, nullptr, &x).status(),
              IsOk());
  EXPECT_EQ(x.text, "before");
  EXPECT_TRUE(x.token_offsets.empty());
}

TEST(TokenOffsetsTest, MalformedTablesAreRefused) {
  InputOptions in;
  in.content_type = ContentType::kHtml;
  ExtractedText x;
  ASSERT_THAT(Analyze("<p>one <b>two</b> three &amp; four</p><p>five</p>", {},
                      in, nullptr, &x)
                  .status(),
              IsOk());
  absl::StatusOr<Analysis> a = AnalyzeText(x.text);
  ASSERT_THAT(a.status(), IsOk());
  auto apply = [&](std::string_view table) {
    std::vector<Token> tokens = a->text.tokens;
    return ApplyTokenOffsets(table, absl::MakeSpan(tokens));
  };
  ASSERT_THAT(apply(x.token_offsets), IsOk());
  ASSERT_GT(x.token_offsets.size(), 2u);
  EXPECT_THAT(apply(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("no token count")));
  EXPECT_THAT(apply(x.token_offsets.substr(0, x.token_offsets.size() - 1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(apply(x.token_offsets + "\x01"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("past the last token")));
  std::string other = x.token_offsets;
  other[0] = static_cast<char>(other[0] + 1);
  EXPECT_THAT(apply(other), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("written for")));
  // A miss that would put an offset before the start of the page.
  std::string negative;
  negative.push_back(static_cast<char>(a->text.tokens.size()));
  negative += std::string("\x00\x03\x00\x00\x00", 5);
  EXPECT_THAT(apply(negative), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("out of range")));
  EXPECT_THAT(AnalyzeText("bad \xC3 utf-8"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace neardup::text
