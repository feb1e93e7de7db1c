// ChineseFolder and the tokenizer's phrase folding: OpenCC's dictionaries
// and algorithm, the variant chosen for a text, and the offsets of phrases
// that change length. (chinese_opencc_test compares with the opencc command
// on real text.)

#include "service/text/chinese_fold.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "service/text/tokenizer.h"
#include "tests/testing/corpus.h"
#include "tests/testing/status_matchers.h"

namespace neardup::text {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::ReadTestData;

// Our own sentences: Taiwan wording, the same in mainland wording written
// in Traditional characters, and in Simplified characters.
constexpr char kTaiwan[] =
    "我們的軟體把資料存在記憶體裡,程式的預設值在網路上。";
constexpr char kMainlandTraditional[] =
    "我們的軟件把數據存在內存裏,程序的默認值在網絡上。";
constexpr char kSimplified[] =
    "我们的软件把数据存在内存里,程序的默认值在网络上。";

const ChineseFolder& Folder() {
  auto f = ChineseFolder::Get();
  EXPECT_THAT(f, IsOk());
  return **f;
}

std::vector<uint64_t> Hashes(const std::string& text) {
  auto t = Tokenize(text);
  EXPECT_THAT(t, IsOk());
  std::vector<uint64_t> out;
  if (t.ok()) {
    for (const Token& token : t->tokens) out.push_back(token.hash);
  }
  return out;
}

TEST(ChineseFoldTest, TaiwanWordsFoldToMainlandWords) {
  // Each expected text is what `opencc -c tw2sp.json` / `hk2s.json` print.
  EXPECT_EQ(Folder().FoldText(kTaiwan, ChineseVariant::kTaiwan), kSimplified);
  EXPECT_EQ(Folder().FoldText("肯亞的隨身碟", ChineseVariant::kTaiwan),
            "肯尼亚的U盘");
  EXPECT_EQ(Folder().FoldText(kTaiwan, ChineseVariant::kHongKong),
            "我们的软体把资料存在记忆体里,程式的预设值在网路上。");
  EXPECT_EQ(Folder().FoldText(kMainlandTraditional, ChineseVariant::kHongKong),
            kSimplified);
  // Why Taiwan's table is kept for Taiwan text: it rewrites 程序 (program)
  // to 进程 (process), the Taiwan word for which is also 程序.
  EXPECT_EQ(Folder().FoldText(kMainlandTraditional, ChineseVariant::kTaiwan),
            "我们的软件把数据存在内存里,进程的默认值在网络上。");
}

TEST(ChineseFoldTest, VariantIsChosenFromTheText) {
  auto variant = [](const std::string& text) {
    return ChooseVariant(Folder().Evidence(text));
  };
  EXPECT_EQ(variant(kTaiwan), ChineseVariant::kTaiwan);
  EXPECT_EQ(variant(kMainlandTraditional), ChineseVariant::kHongKong);
  EXPECT_EQ(variant(kSimplified), ChineseVariant::kCharacters);
  EXPECT_EQ(variant("plain English, no Chinese"), ChineseVariant::kCharacters);
}

TEST(ChineseFoldTest, SimplifiedTextPassesUnchanged) {
  const std::string text = ReadTestData("article_zh.txt");
  EXPECT_EQ(ChooseVariant(Folder().Evidence(text)),
            ChineseVariant::kCharacters);
  EXPECT_EQ(Folder().FoldText(text, ChineseVariant::kCharacters), text);
  // 尼日利亚 (Nigeria) would become 尼日尔利亚 under Taiwan's table.
  EXPECT_EQ(Hashes("尼日利亚的首都"), Hashes("尼日利亚的首都"));
  auto t = Tokenize("尼日利亚的首都");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->tokens.size(), 7u);
}

TEST(ChineseFoldTest, AllThreeWritingsGiveTheSameTokens) {
  EXPECT_EQ(Hashes(kTaiwan), Hashes(kSimplified));
  EXPECT_EQ(Hashes(kMainlandTraditional), Hashes(kSimplified));
  TokenizeOptions keep;
  keep.fold_traditional = false;
  auto unfolded = Tokenize(kTaiwan, keep);
  ASSERT_THAT(unfolded, IsOk());
  EXPECT_EQ(unfolded->tokens.size(), 24u);  // 記憶體 is three tokens
}

// Tokens must stay in order and inside the text, whatever a phrase did to
// the number of characters.
void ExpectOrderedInside(const std::string& text,
                         const std::vector<Token>& tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_LT(tokens[i].byte_start, tokens[i].byte_end);
    EXPECT_LE(tokens[i].byte_end, text.size());
    EXPECT_LT(tokens[i].cp_start, tokens[i].cp_end);
    if (i > 0) {
      EXPECT_LE(tokens[i - 1].byte_start, tokens[i].byte_start);
      EXPECT_LE(tokens[i - 1].byte_end, tokens[i].byte_end);
    }
  }
}

TEST(ChineseFoldTest, PhraseThatShrinksSpreadsOverItsBytes) {
  // 記憶體 (3 characters, bytes 0..9) -> 内存: 内 stands for 記, 存 for 憶體.
  const std::string text = std::string("記憶體") + kTaiwan;
  auto t = Tokenize(text);
  ASSERT_THAT(t, IsOk());
  ExpectOrderedInside(text, t->tokens);
  ASSERT_GE(t->tokens.size(), 2u);
  EXPECT_EQ(t->tokens[0].byte_start, 0u);
  EXPECT_EQ(t->tokens[0].byte_end, 3u);
  EXPECT_EQ(t->tokens[1].byte_start, 3u);
  EXPECT_EQ(t->tokens[1].byte_end, 9u);
  EXPECT_EQ(t->tokens[1].cp_start, 1u);
  EXPECT_EQ(t->tokens[1].cp_end, 3u);
  EXPECT_EQ(Hashes(text), Hashes(std::string("内存") + kSimplified));
}

TEST(ChineseFoldTest, PhraseThatGrowsSharesSourceCharacters) {
  // 肯亞 -> 肯尼亚 and 隨身碟 -> U盘: more tokens than characters, and a
  // Latin letter read as a word.
  const std::string text = std::string("肯亞的隨身碟。") + kTaiwan;
  auto t = Tokenize(text);
  ASSERT_THAT(t, IsOk());
  ExpectOrderedInside(text, t->tokens);
  EXPECT_EQ(Hashes(text), Hashes(std::string("肯尼亚的u盘。") + kSimplified));
  ASSERT_GE(t->tokens.size(), 6u);
  EXPECT_EQ(t->tokens[4].cls, TokenClass::kWord);  // u
  EXPECT_EQ(t->tokens[4].byte_start, 9u);          // 隨
}

}  // namespace
}  // namespace neardup::text
