// ChineseFolder and the tokenizer's phrase folding: OpenCC's dictionaries
// and algorithm, the variant chosen for a text, and the offsets of phrases
// that change length. (chinese_opencc_test compares with the opencc command
// on real text.)

#include "service/text/chinese_fold.h"

#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "service/text/phrase_dict.h"
#include "service/text/tokenizer.h"
#include "service/text/utf8.h"
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
  TokenizeOptions keep;
  keep.fold_traditional = false;
  auto folded = Tokenize("尼日利亚的首都");
  auto unfolded = Tokenize("尼日利亚的首都", keep);
  ASSERT_THAT(folded, IsOk());
  ASSERT_THAT(unfolded, IsOk());
  ASSERT_EQ(folded->tokens.size(), 7u);
  EXPECT_EQ(folded->digest, unfolded->digest);
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
  // Letters right before the phrase make one word with its U, as in
  // OpenCC's output "USBU盘".
  const std::string usb = std::string("USB隨身碟。") + kTaiwan;
  auto u = Tokenize(usb);
  ASSERT_THAT(u, IsOk());
  ExpectOrderedInside(usb, u->tokens);
  EXPECT_EQ(Hashes(usb), Hashes(std::string("USBU盘。") + kSimplified));
  EXPECT_EQ(u->tokens[0].byte_start, 0u);
  EXPECT_EQ(u->tokens[0].byte_end, 6u);  // USB and 隨
}

// Every key of the dictionaries tw2sp and hk2s use, and every TSPhrases key
// spelled with a character a regional table turns into one of its own
// (藉著 -> 藉着 -> 借着), between sentences that make the text choose the
// variant: the tokens are those of FoldText's output. This checks the
// tokenizer's shortcuts (which runs it converts again) key by key.
TEST(ChineseFoldTest, EveryKeyFoldsAsFoldTextSays) {
  const std::string dir = "/usr/share/opencc/";
  auto load = [&](const char* name) {
    auto d = PhraseDict::LoadOcd2(dir + name + ".ocd2");
    EXPECT_THAT(d, IsOk());
    return d.ok() ? *std::move(d) : PhraseDict();
  };
  const PhraseDict phrases = load("TSPhrases");
  struct Variant {
    ChineseVariant variant;
    std::string carrier;  // sentences that choose it
    std::vector<PhraseDict> regional;
  };
  std::vector<Variant> variants;
  variants.push_back(
      {ChineseVariant::kTaiwan, std::string(kTaiwan) + kTaiwan + kTaiwan, {}});
  for (const char* name :
       {"TWPhrasesRev", "TWVariantsRevPhrases", "TWVariantsRev"}) {
    variants.back().regional.push_back(load(name));
  }
  variants.push_back({ChineseVariant::kHongKong,
                      std::string(kMainlandTraditional) + kMainlandTraditional +
                          kMainlandTraditional,
                      {}});
  for (const char* name : {"HKVariantsRevPhrases", "HKVariantsRev"}) {
    variants.back().regional.push_back(load(name));
  }
  size_t checked = 0;
  for (const Variant& v : variants) {
    std::vector<std::u32string> keys;
    absl::flat_hash_map<char32_t, std::vector<char32_t>> sources;
    for (const PhraseDict& d : v.regional) {
      d.ForEach([&](const std::u32string& k, const std::u32string& value) {
        keys.push_back(k);
        if (k.size() == 1 && value.size() == 1) {
          sources[value[0]].push_back(k[0]);
        }
      });
    }
    phrases.ForEach([&](const std::u32string& k, const std::u32string&) {
      keys.push_back(k);
      for (size_t i = 0; i < k.size(); ++i) {
        auto it = sources.find(k[i]);
        if (it == sources.end()) continue;
        for (char32_t s : it->second) {
          std::u32string spelled = k;
          spelled[i] = s;
          keys.push_back(spelled);
        }
      }
    });
    for (const std::u32string& key : keys) {
      std::string utf8;
      for (char32_t cp : key) AppendUtf8(cp, &utf8);
      // The key alone in its run, and inside one.
      for (const std::string& text :
           {v.carrier + utf8 + "。" + v.carrier,
            v.carrier + "我們" + utf8 + "的" + v.carrier}) {
        ASSERT_EQ(ChooseVariant(Folder().Evidence(text)), v.variant) << text;
        const std::string expected = Folder().FoldText(text, v.variant);
        auto ours = Tokenize(text);
        auto theirs = Tokenize(expected);
        ASSERT_THAT(ours, IsOk());
        ASSERT_THAT(theirs, IsOk());
        EXPECT_EQ(ours->digest, theirs->digest) << utf8 << ": " << expected;
        ++checked;
      }
    }
  }
  std::cout << checked << " texts checked\n";
  EXPECT_GT(checked, 2000u);
}

}  // namespace
}  // namespace neardup::text
