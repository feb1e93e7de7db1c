#include "service/passages/passages.h"

#include <algorithm>
#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "service/text/analyze.h"
#include "tests/testing/corpus.h"

namespace neardup::passages {
namespace {

using neardup::testing::ReadTestData;

text::Analysis MustAnalyze(std::string_view content) {
  absl::StatusOr<text::Analysis> a = text::Analyze(content);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *std::move(a) : text::Analysis{};
}

// Fraction of [b, e) covered by [s, t).
double Covered(size_t b, size_t e, size_t s, size_t t) {
  const size_t lo = std::max(b, s), hi = std::min(e, t);
  return hi > lo ? double(hi - lo) / double(e - b) : 0.0;
}

// Returns the occurrences' byte ranges whose passage covers [b, e) best.
const RepeatedPassage* Best(const Repeats& r, size_t b, size_t e) {
  const RepeatedPassage* best = nullptr;
  double best_cover = 0;
  for (const RepeatedPassage& p : r.passages) {
    for (const Span& s : p.occurrences) {
      const double c = Covered(b, e, s.byte_start, s.byte_end);
      if (c > best_cover) best_cover = c, best = &p;
    }
  }
  return best;
}

// The property the seed page needs, on any page that prints a body twice
// between other lines: one passage whose two occurrences each cover >= 95%
// of a copy, and nothing reported outside the copies.
void ExpectBodyTwice(const std::string& page) {
  const auto run = neardup::testing::FindLongestRepeatedLineRun(page);
  ASSERT_GT(run.second_end, 0u);
  const text::Analysis a = MustAnalyze(page);
  const Repeats r = FindRepeats(page, a);
  const RepeatedPassage* body = Best(r, run.first_begin, run.first_end);
  ASSERT_NE(body, nullptr);
  ASSERT_GE(body->occurrences.size(), 2u);
  double first = 0, second = 0;
  for (const Span& s : body->occurrences) {
    first = std::max(first, Covered(run.first_begin, run.first_end,
                                    s.byte_start, s.byte_end));
    second = std::max(second, Covered(run.second_begin, run.second_end,
                                      s.byte_start, s.byte_end));
  }
  EXPECT_GE(first, 0.95);
  EXPECT_GE(second, 0.95);
  // Nothing before the first copy's first line or after the second copy's
  // last line is reported (the spam lines of the seed page).
  const size_t head_end = page.find('\n');
  const size_t tail_begin = page.rfind('\n', page.size() - 2);
  for (const RepeatedPassage& p : r.passages) {
    for (const Span& s : p.occurrences) {
      EXPECT_GE(s.byte_start, head_end) << page.substr(s.byte_start, 80);
      EXPECT_LE(s.byte_end, tail_begin + 1) << page.substr(s.byte_start, 80);
      // Offsets are into the input: the occurrence starts and ends inside
      // it, with code points never past bytes.
      EXPECT_LE(s.byte_end, page.size());
      EXPECT_LE(s.cp_end, s.byte_end);
    }
  }
  EXPECT_GT(r.repeated_fraction, 0.4);
  EXPECT_LT(r.repeated_fraction, 0.6);
  // Collapsing keeps one copy: the page shrinks by about one body (a
  // little more when a heading inside the body also occurs before it).
  const size_t body_bytes = run.first_end - run.first_begin;
  EXPECT_NEAR(double(page.size() - r.collapsed.size()), double(body_bytes),
              0.15 * double(body_bytes));
  const size_t middle = page.find('\n', (run.first_begin + run.first_end) / 2);
  EXPECT_NE(r.collapsed.find(page.substr(middle, 150)), std::string::npos);
  size_t second_copies = 0;
  for (size_t at = 0; (at = r.collapsed.find(page.substr(middle, 150), at)) !=
                      std::string::npos;
       ++at) {
    ++second_copies;
  }
  EXPECT_EQ(second_copies, 1u);
}

TEST(RepeatsTest, SeedPageRepeatsItsBodyAndNotItsSpam) {
  auto path = neardup::testing::SharedCorpusPath("zh-news-page-body-twice.txt");
  if (!path.has_value()) {
    GTEST_SKIP() << "../shared/corpus/zh-news-page-body-twice.txt is absent; "
                    "OwnPageWithBodyTwice covers the same property";
  }
  ExpectBodyTwice(*neardup::testing::ReadWholeFile(*path));
}

TEST(RepeatsTest, OwnPageWithBodyTwice) {
  for (const char* name : {"article_en.txt", "article_zh.txt"}) {
    const std::string body = ReadTestData(name);
    ExpectBodyTwice("cheap watches replica bags best price free shipping\n" +
                    body + "\nshare: weibo wechat back to top\n" + body +
                    "\nonline casino slots jackpot bonus today\n");
  }
}

// The first paragraph-sized piece (about 300 characters, to a sentence
// end) of the English test article.
std::string FirstParagraph() {
  const std::string en = ReadTestData("article_en.txt");
  return en.substr(0, en.find(". ", 300) + 1);
}

// A paragraph printed `copies` times back to back between two lines of
// other text (a listing, a signature under every post).
std::string Repeated(const std::string& para, int copies) {
  std::string page = "Opening line of the page, before the repeats.\n";
  for (int i = 0; i < copies; ++i) page += para + "\n";
  return page + "Closing line of the page, after them.\n";
}

TEST(RepeatsTest, AParagraphPrintedAHundredTimes) {
  const std::string para = FirstParagraph();
  const std::string page = Repeated(para, 100);
  const Repeats r = FindRepeats(page, MustAnalyze(page));
  ASSERT_EQ(r.passages.size(), 1u);
  const auto& occ = r.passages[0].occurrences;
  ASSERT_EQ(occ.size(), 100u);
  for (size_t i = 0; i < occ.size(); ++i) {
    const size_t start = page.find(para) + i * (para.size() + 1);
    EXPECT_GE(
        Covered(start, start + para.size(), occ[i].byte_start, occ[i].byte_end),
        0.95)
        << "copy " << i;
  }
  EXPECT_NEAR(r.repeated_fraction, 0.99 * 100 * para.size() / page.size(),
              0.02);
  EXPECT_EQ(r.collapsed.find(para), r.collapsed.rfind(para));
  EXPECT_NE(r.collapsed.find("Closing line"), std::string::npos);
}

TEST(RepeatsTest, ThousandsOfCopiesAreListedUpToACapAndAllCollapsed) {
  const std::string para = FirstParagraph();
  const std::string page = Repeated(para, 2000);
  const Repeats r = FindRepeats(page, MustAnalyze(page));
  ASSERT_EQ(r.passages.size(), 1u);
  EXPECT_EQ(r.passages[0].occurrences.size(), kMaxListedCopies);
  // The last listed occurrence reaches the last copy.
  EXPECT_GE(r.passages[0].occurrences.back().byte_end,
            page.rfind(para) + para.size() - 2);
  EXPECT_GT(r.repeated_fraction, 0.99);
  EXPECT_EQ(r.collapsed.find(para), r.collapsed.rfind(para));
}

TEST(RepeatsTest, ManyDistinctParagraphsEachPrintedTwice) {
  // 500 made-up paragraphs of 40 words, each followed by its copy.
  std::mt19937 rng(11);
  std::string page;
  for (int p = 0; p < 500; ++p) {
    std::string para;
    for (int w = 0; w < 40; ++w) {
      para += "w" + std::to_string(rng() % 5000) + " ";
    }
    page += para + "\n" + para + "\n";
  }
  const Repeats r = FindRepeats(page, MustAnalyze(page));
  ASSERT_EQ(r.passages.size(), 500u);
  for (const RepeatedPassage& p : r.passages) {
    ASSERT_EQ(p.occurrences.size(), 2u);
    EXPECT_EQ(p.occurrences[0].token_end - p.occurrences[0].token_begin, 40u);
    EXPECT_EQ(p.occurrences[1].token_begin, p.occurrences[0].token_end);
  }
  EXPECT_NEAR(r.repeated_fraction, 0.5, 0.01);
}

TEST(RepeatsTest, OneWordMillionsOfTimesIsNoPassage) {
  std::string page;
  for (int i = 0; i < 1000000; ++i) page += "word ";
  const Repeats r = FindRepeats(page, MustAnalyze(page));
  EXPECT_TRUE(r.passages.empty());
}

TEST(RepeatsTest, TextWithoutRepeats) {
  const std::string text = ReadTestData("article_en.txt");
  const Repeats r = FindRepeats(text, MustAnalyze(text));
  EXPECT_TRUE(r.passages.empty());
  EXPECT_EQ(r.repeated_fraction, 0);
  EXPECT_EQ(r.collapsed, text);
}

TEST(RepeatsTest, OffsetsAreCodePointsAndBytesOfTheInput) {
  const std::string zh = ReadTestData("article_zh.txt");
  const std::string para = zh.substr(0, zh.find("。", 400) + 3);
  const std::string page = "前言。\n" + para + "\n——\n" + para;
  const text::Analysis a = MustAnalyze(page);
  const Repeats r = FindRepeats(page, a);
  ASSERT_FALSE(r.passages.empty());
  for (const Span& s : r.passages[0].occurrences) {
    // Count the code points of the bytes before the span.
    uint32_t cps = 0;
    for (size_t i = 0; i < s.byte_start; ++i) {
      if ((static_cast<unsigned char>(page[i]) & 0xC0) != 0x80) ++cps;
    }
    EXPECT_EQ(s.cp_start, cps);
  }
}

TEST(CompareTest, UnrelatedDocumentsShareNoPassages) {
  for (auto [x, y] : {std::pair{"article_en.txt", "unrelated_en.txt"},
                      std::pair{"article_zh.txt", "unrelated_zh.txt"}}) {
    const Comparison c =
        Compare(MustAnalyze(ReadTestData(x)), MustAnalyze(ReadTestData(y)));
    EXPECT_TRUE(c.passages.empty()) << x;
    EXPECT_LT(c.jaccard, 0.05) << x;
  }
}

TEST(CompareTest, ADocumentWithItselfIsOnePassage) {
  for (const char* name : {"article_en.txt", "article_zh.txt"}) {
    const std::string text = ReadTestData(name);
    const text::Analysis a = MustAnalyze(text);
    const Comparison c = Compare(a, a);
    ASSERT_EQ(c.passages.size(), 1u) << name;
    EXPECT_EQ(c.passages[0].a.token_begin, 0u);
    EXPECT_EQ(c.passages[0].a.token_end, a.text.tokens.size());
    EXPECT_EQ(c.passages[0].b.byte_start, a.text.tokens.front().byte_start);
    EXPECT_EQ(c.jaccard, 1.0);
    EXPECT_EQ(c.containment_a, 1.0);
  }
}

TEST(CompareTest, ACopiedParagraphIsFoundOnBothSides) {
  const std::string source = ReadTestData("article_en.txt");
  const std::string host = ReadTestData("unrelated_en.txt");
  // The source's third paragraph, pasted into the middle of the host.
  size_t p = source.find("\n\n");
  p = source.find("\n\n", p + 2) + 2;
  const std::string para = source.substr(p, source.find("\n\n", p) - p);
  const size_t at = host.find("\n\n", host.size() / 2) + 2;
  const std::string doc = host.substr(0, at) + para + "\n\n" + host.substr(at);
  const Comparison c = Compare(MustAnalyze(doc), MustAnalyze(source));
  ASSERT_EQ(c.passages.size(), 1u);
  EXPECT_EQ(c.passages[0].a.byte_start, at);
  EXPECT_EQ(c.passages[0].a.byte_end, at + para.size() - 1);  // last '.'
  EXPECT_EQ(c.passages[0].b.byte_start, p);
  EXPECT_GT(c.containment_b, 0.0);
  EXPECT_LT(c.containment_b, 0.5);
}

}  // namespace
}  // namespace neardup::passages
