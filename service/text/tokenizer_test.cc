#include "service/text/tokenizer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace neardup::text {
namespace {

using ::neardup::testing::StatusIs;

// Returns the source slices of the tokens of `s`.
std::vector<std::string> Slices(const std::string& s) {
  auto t = Tokenize(s);
  EXPECT_TRUE(t.ok()) << t.status();
  std::vector<std::string> out;
  for (const Token& tok : t->tokens) {
    out.push_back(s.substr(tok.byte_start, tok.byte_end - tok.byte_start));
  }
  return out;
}

TEST(TokenizerTest, SplitsWordsOnSpacesAndPunctuation) {
  EXPECT_THAT(Slices("Hello, world!  It's 2025."),
              ::testing::ElementsAre("Hello", "world", "It", "s", "2025"));
}

TEST(TokenizerTest, HanCharactersAreSeparateTokens) {
  // A Chinese sentence must not collapse into one token.
  EXPECT_THAT(Slices("我们去北京。"),
              ::testing::ElementsAre("我", "们", "去", "北", "京"));
  // Mixed script: the Latin word and the digits stay words.
  EXPECT_THAT(Slices("用DeepSeek写2025年"),
              ::testing::ElementsAre("用", "DeepSeek", "写", "2025", "年"));
}

TEST(TokenizerTest, KanaThaiAndHangul) {
  // Katakana with the prolonged sound mark (script Common, extensions Kana).
  EXPECT_THAT(Slices("コーヒー"),
              ::testing::ElementsAre("コ", "ー", "ヒ", "ー"));
  // Thai: combining vowel signs stay with their consonant.
  EXPECT_THAT(Slices("กิน"), ::testing::ElementsAre("กิ", "น"));
  // Korean is written with spaces: words.
  EXPECT_THAT(Slices("한국어 텍스트"),
              ::testing::ElementsAre("한국어", "텍스트"));
}

TEST(TokenizerTest, NormalizesCaseWidthAndCompatibilityForms) {
  auto a = Tokenize("ＡＢＣ Ｄｅｆ");
  auto b = Tokenize("abc def");
  auto c = Tokenize("ABC, DEF!");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_EQ(a->tokens.size(), 2u);
  ASSERT_EQ(b->tokens.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a->tokens[i].hash, b->tokens[i].hash);
    EXPECT_EQ(c->tokens[i].hash, b->tokens[i].hash);
  }
  // Case, width and punctuation do not change the digest either.
  EXPECT_EQ(a->digest, b->digest);
  EXPECT_EQ(c->digest, b->digest);
  auto d = Tokenize("abc xyz");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->digest == b->digest);
  // Decomposed and precomposed é are one token.
  auto e1 = Tokenize("caf\xC3\xA9");
  auto e2 = Tokenize("cafe\xCC\x81");
  ASSERT_TRUE(e1.ok() && e2.ok());
  ASSERT_EQ(e2->tokens.size(), 1u);
  EXPECT_EQ(e1->tokens[0].hash, e2->tokens[0].hash);
}

TEST(TokenizerTest, OffsetsPointIntoTheInput) {
  const std::string s = "Ünïcode 中文 text";
  auto t = Tokenize(s);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->tokens.size(), 4u);
  EXPECT_EQ(t->tokens[0].cp_start, 0u);
  EXPECT_EQ(t->tokens[0].cp_end, 7u);
  EXPECT_EQ(t->tokens[1].cp_start, 8u);
  EXPECT_EQ(t->tokens[1].cp_end, 9u);
  EXPECT_EQ(t->tokens[3].cp_start, 11u);
  EXPECT_EQ(s.substr(t->tokens[3].byte_start,
                     t->tokens[3].byte_end - t->tokens[3].byte_start),
            "text");
  EXPECT_EQ(t->tokens[1].cls, TokenClass::kChar);
  EXPECT_EQ(t->tokens[3].cls, TokenClass::kWord);
}

TEST(TokenizerTest, LongRunsAreSplit) {
  const std::string blob(1000, 'x');
  auto t = Tokenize(blob);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->tokens.size(),
            (1000 + kMaxWordCodePoints - 1) / kMaxWordCodePoints);
}

TEST(TokenizerTest, NoLettersGivesNoTokens) {
  auto t = Tokenize("  ...  --- !!! \n\t ");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->tokens.empty());
}

TEST(TokenizerTest, RejectsInvalidUtf8NamingTheOffset) {
  EXPECT_THAT(Tokenize("abc\xC3"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // After ideographs (the byte-level fast path), inside one, and a
  // surrogate encoded in UTF-8.
  EXPECT_THAT(Tokenize("中文\xFF"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("byte offset 6")));
  EXPECT_THAT(Tokenize("中\xE6\x96"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("byte offset 3")));
  EXPECT_THAT(Tokenize("中\xED\xA0\x80"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("byte offset 3")));
}

TEST(TokenizerTest, CharacterTokensKeepTheirCombiningMarks) {
  // か + combining voiced mark (U+3099) is the token が.
  auto a = Tokenize("か\u3099");
  auto b = Tokenize("が");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->tokens.size(), 1u);
  EXPECT_EQ(a->tokens[0].byte_end, 6u);
  EXPECT_EQ(a->tokens[0].hash, b->tokens[0].hash);
  // An ideograph followed by a mark, then by another ideograph.
  EXPECT_THAT(Slices("中\u0301文"), ::testing::ElementsAre("中\u0301", "文"));
}

TEST(TokenizerTest, FoldsTraditionalCharactersWhenAsked) {
  TokenizeOptions fold, keep;
  keep.fold_traditional = false;
  auto trad = Tokenize("國語", fold);
  auto simp = Tokenize("国语", fold);
  auto trad_kept = Tokenize("國語", keep);
  auto simp_kept = Tokenize("国语", keep);
  ASSERT_TRUE(trad.ok() && simp.ok() && trad_kept.ok() && simp_kept.ok());
  EXPECT_EQ(trad->digest, simp->digest);
  EXPECT_FALSE(trad_kept->digest == simp_kept->digest);
  // Simplified text is the same either way.
  EXPECT_EQ(simp->digest, simp_kept->digest);
}

}  // namespace
}  // namespace neardup::text
