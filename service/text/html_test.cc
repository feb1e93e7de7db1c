#include "service/text/html.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/text/analyze.h"
#include "service/text/utf8.h"
#include "tests/testing/corpus.h"
#include "tests/testing/html_pages.h"
#include "tests/testing/status_matchers.h"

namespace neardup::text {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::PageInTemplateA;
using ::neardup::testing::PageInTemplateB;
using ::neardup::testing::ReadTestData;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Text(const std::string& html, bool main_content = true) {
  HtmlOptions o;
  o.main_content = main_content;
  auto t = ExtractHtmlText(html, o);
  EXPECT_THAT(t, IsOk());
  return t.ok() ? t->text : "";
}

double Jaccard(const std::string& a, const std::string& b) {
  auto sa = Analyze(a, {});
  auto sb = Analyze(b, {});
  EXPECT_TRUE(sa.ok() && sb.ok());
  if (!sa.ok() || !sb.ok()) return 0;
  return SetJaccard(sa->shingle_set, sb->shingle_set);
}

TEST(HtmlTest, DropsNonContentAndDecodesEntities) {
  const std::string html =
      "<html><head><title>T</title><style>p{}</style></head><body>"
      "<script>var x = 1;</script><!-- a comment -->"
      "<p>Fish &amp; chips &lt;3 caf&eacute; &#x4E2D;&#25991;</p>"
      "<noscript>enable js</noscript><template>tpl</template>"
      "<div>second<br>line</div></body></html>";
  EXPECT_EQ(
      Text(html, false),
      "Fish & chips <3 caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87\n\nsecond\nline");
}

TEST(HtmlTest, OffsetsPointIntoTheHtml) {
  const std::string html = "<p>a &amp; <b>bold</b>&nbsp;x\r\ny</p>";
  auto t = ExtractHtmlText(html, {false});
  ASSERT_THAT(t, IsOk());
  ASSERT_EQ(t->text, "a & bold\xC2\xA0x\ny");
  auto slice = [&](uint32_t b, uint32_t e) {
    const uint32_t s = t->map.SourceStart(b), en = t->map.SourceEnd(e);
    return html.substr(s, en - s);
  };
  EXPECT_EQ(slice(0, 1), "a");
  EXPECT_EQ(slice(2, 3), "&amp;");
  EXPECT_EQ(slice(4, 8), "bold");
  EXPECT_EQ(slice(8, 10), "&nbsp;");
  EXPECT_EQ(slice(11, 12), "\r\n");
  EXPECT_EQ(slice(12, 13), "y");
  // A token spanning two text nodes covers the markup between them.
  const std::string h2 = "<p>Hel<i>lo</i></p>";
  auto t2 = ExtractHtmlText(h2, {false});
  ASSERT_THAT(t2, IsOk());
  ASSERT_EQ(t2->text, "Hello");
  EXPECT_EQ(h2.substr(t2->map.SourceStart(0),
                      t2->map.SourceEnd(5) - t2->map.SourceStart(0)),
            "Hel<i>lo");
}

TEST(HtmlTest, MainContentDropsChrome) {
  const std::string article = ReadTestData("article_en.txt");
  const std::string a = Text(PageInTemplateA(article));
  EXPECT_THAT(a, HasSubstr("kingfishers and herons"));
  EXPECT_THAT(a, Not(HasSubstr("cookies")));
  EXPECT_THAT(a, Not(HasSubstr("Business")));
  EXPECT_THAT(a, Not(HasSubstr("All rights reserved")));
  EXPECT_THAT(a, Not(HasSubstr("Railway timetable")));
  const std::string b = Text(PageInTemplateB(article));
  EXPECT_THAT(b, HasSubstr("kingfishers and herons"));
  EXPECT_THAT(b, Not(HasSubstr("newsletter")));
  EXPECT_THAT(b, Not(HasSubstr("Great read")));
  EXPECT_THAT(b, Not(HasSubstr("Powered by")));
  // Without main-content extraction the chrome stays.
  EXPECT_THAT(Text(PageInTemplateA(article), false), HasSubstr("cookies"));
}

TEST(HtmlTest, SameArticleInTwoTemplatesIsNearlyIdentical) {
  for (const char* name : {"article_en.txt", "article_zh.txt"}) {
    const std::string article = ReadTestData(name);
    const std::string a = Text(PageInTemplateA(article));
    const std::string b = Text(PageInTemplateB(article));
    EXPECT_GE(Jaccard(a, article), 0.9) << name << ": page A vs plain text";
    EXPECT_GE(Jaccard(b, article), 0.9) << name << ": page B vs plain text";
    EXPECT_GE(Jaccard(a, b), 0.9) << name << ": template A vs B";
  }
}

TEST(HtmlTest, DifferentArticlesInOneTemplateDiffer) {
  const std::string en = ReadTestData("article_en.txt");
  const std::string bike = ReadTestData("unrelated_en.txt");
  const std::string zh = ReadTestData("article_zh.txt");
  const std::string hike = ReadTestData("unrelated_zh.txt");
  EXPECT_LE(Jaccard(Text(PageInTemplateA(en)), Text(PageInTemplateA(bike))),
            0.2);
  EXPECT_LE(Jaccard(Text(PageInTemplateB(en)), Text(PageInTemplateB(bike))),
            0.2);
  EXPECT_LE(Jaccard(Text(PageInTemplateA(zh)), Text(PageInTemplateA(hike))),
            0.2);
}

TEST(HtmlTest, PathologicalInputIsBounded) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<div>";
  EXPECT_THAT(ExtractHtmlText(deep + "x", {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deep")));
  // Stray end tags do not hide the nesting.
  std::string sneaky;
  for (int i = 0; i < 5000; ++i) sneaky += "<div></i>";
  EXPECT_THAT(ExtractHtmlText(sneaky, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deep")));
  // Many unclosed paragraphs are fine: the parser closes them.
  std::string paras;
  for (int i = 0; i < 5000; ++i) paras += "<p>para " + std::to_string(i);
  EXPECT_THAT(ExtractHtmlText(paras, {}), IsOk());
  EXPECT_THAT(ExtractHtmlText(std::string(kMaxHtmlBytes + 1, 'a'), {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("over the limit")));
  EXPECT_EQ(Text("<html><body><script>x</script></body></html>"), "");
}

TEST(HtmlTest, AbsurdCharacterReferencesGiveValidUtf8) {
  for (const char* html :
       {"<p>a &#x8888888888888888; b</p>", "<p>&#xD800;&#xDFFF;&#0;</p>",
        "<p>&#x110000;&#99999999999;</p>", "D'&#x8888888888888888#X"}) {
    auto t = ExtractHtmlText(html, {false});
    ASSERT_THAT(t, IsOk()) << html;
    EXPECT_THAT(ValidateUtf8(t->text, "text"), IsOk()) << html;
  }
}

TEST(HtmlTest, LooksLikeHtml) {
  EXPECT_TRUE(LooksLikeHtml("  <!DOCTYPE html><html>"));
  EXPECT_TRUE(LooksLikeHtml("\xEF\xBB\xBF<html lang=en>"));
  EXPECT_FALSE(LooksLikeHtml("plain text with <b>tags</b> later"));
}

}  // namespace
}  // namespace neardup::text
