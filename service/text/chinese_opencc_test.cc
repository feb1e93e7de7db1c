// Differential test of the Chinese folding against the `opencc` command on
// real Traditional text: the seed page, the zh_TW manual pages of
// manpages-zh, the zh-tw edition of debian-reference, and our own text with
// Taiwan's words. ChineseFolder::FoldText must print what `opencc -c
// tw2sp.json` and `opencc -c hk2s.json` print, and the tokenizer must give
// a text the tokens of OpenCC's conversion of it for the variant it
// chooses. Differences are listed; the only ones allowed are those
// docs/CHINESE.md explains. Texts that are not installed are skipped.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "service/text/chinese_fold.h"
#include "service/text/tokenizer.h"
#include "tests/testing/corpus.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup::text {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::IsOk;
using ::neardup::testing::RunCommand;

constexpr char kOpencc[] = "/usr/bin/opencc";
// A line that separates the texts of one opencc run (no Han characters).
constexpr char kSeparator[] = "\n@@neardup-text-separator@@\n";

struct Text {
  std::string name;
  std::string content;
};

// Runs `opencc -c config` once over all `texts` and returns each converted.
std::vector<std::string> Opencc(const std::string& config,
                                const std::vector<Text>& texts) {
  std::vector<std::string> contents;
  for (const Text& t : texts) contents.push_back(t.content);
  auto r =
      RunCommand({kOpencc, "-c", config}, absl::StrJoin(contents, kSeparator));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> out = absl::StrSplit(r.out, kSeparator);
  EXPECT_EQ(out.size(), texts.size());
  out.resize(texts.size());
  return out;
}

std::vector<std::string> Files(const std::string& dir,
                               const std::string& suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    const std::string p = e.path().string();
    if (e.is_regular_file() && p.size() > suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(p);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Our own text: sentences built from Taiwan's words of the issue and
// common words, with a fixed seed.
std::string OwnTaiwanText() {
  const std::vector<std::string> words = {
      "軟體",   "程式", "資料", "網路", "記憶體", "預設", "使用者", "介面",
      "伺服器", "檔案", "影片", "硬碟", "滑鼠",   "列印", "登入",   "連結"};
  const std::vector<std::string> glue = {
      "我們的", "這個", "可以", "需要", "已經", "在",   "把",   "和",
      "的",     "新的", "所有", "重新", "打開", "設定", "儲存", "下載"};
  std::mt19937 rng(20261203);
  std::string out;
  for (int sentence = 0; sentence < 400; ++sentence) {
    const int n = 4 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      out += glue[rng() % glue.size()];
      out += words[rng() % words.size()];
    }
    out += sentence % 5 == 4 ? "。\n" : ",";
  }
  return out;
}

std::vector<Text> TraditionalTexts() {
  std::vector<Text> texts;
  if (auto path =
          neardup::testing::SharedCorpusPath("zh-news-page-body-twice.txt")) {
    texts.push_back({"seed page", *neardup::testing::ReadWholeFile(*path)});
  }
  const std::vector<std::string> pages = Files("/usr/share/man/zh_TW", ".gz");
  if (!pages.empty()) {
    std::vector<std::string> argv = {"/usr/bin/gzip", "-dc"};
    argv.insert(argv.end(), pages.begin(), pages.end());
    auto r = RunCommand(argv);
    if (r.exit_code == 0) {
      texts.push_back(
          {"manpages-zh zh_TW (" + std::to_string(pages.size()) + " pages)",
           r.out});
    }
  }
  for (const std::string& f :
       Files("/usr/share/debian-reference", ".zh-tw.html")) {
    texts.push_back({f, *neardup::testing::ReadWholeFile(f)});
  }
  texts.push_back({"own text with Taiwan's words", OwnTaiwanText()});
  return texts;
}

// Lists the lines where `ours` and `theirs` differ (at most 20).
size_t CountDifferentLines(const std::string& name, const std::string& ours,
                           const std::string& theirs) {
  const std::vector<std::string> a = absl::StrSplit(ours, '\n');
  const std::vector<std::string> b = absl::StrSplit(theirs, '\n');
  EXPECT_EQ(a.size(), b.size()) << name;
  size_t differ = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] == b[i]) continue;
    if (++differ <= 20) {
      std::cout << name << " line " << i + 1 << ":\n  ours:   " << a[i]
                << "\n  opencc: " << b[i] << "\n";
    }
  }
  return differ;
}

class ChineseOpenccTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kOpencc)) GTEST_SKIP() << kOpencc << " is not installed";
    auto f = ChineseFolder::Get();
    ASSERT_THAT(f, IsOk());
    folder_ = *f;
    texts_ = TraditionalTexts();
  }
  const ChineseFolder* folder_ = nullptr;
  std::vector<Text> texts_;
};

TEST_F(ChineseOpenccTest, FoldTextPrintsWhatOpenccPrints) {
  for (const auto& [config, variant] :
       {std::pair{"tw2sp.json", ChineseVariant::kTaiwan},
        std::pair{"hk2s.json", ChineseVariant::kHongKong}}) {
    const std::vector<std::string> expected = Opencc(config, texts_);
    size_t bytes = 0;
    for (size_t i = 0; i < texts_.size(); ++i) {
      const std::string ours = folder_->FoldText(texts_[i].content, variant);
      EXPECT_EQ(CountDifferentLines(texts_[i].name + " (" + config + ")", ours,
                                    expected[i]),
                0u);
      bytes += texts_[i].content.size();
    }
    std::cout << config << ": " << texts_.size() << " texts, " << bytes
              << " bytes compared\n";
  }
}

TEST_F(ChineseOpenccTest, TokensAreThoseOfOpenccsConversion) {
  // Each text as a whole and each of its paragraphs alone (a paragraph is
  // a text of its own, with its own variant).
  std::vector<Text> texts;
  for (const Text& t : texts_) {
    texts.push_back(t);
    size_t n = 0;
    for (absl::string_view p : absl::StrSplit(t.content, "\n\n")) {
      if (p.size() < 60 || n++ >= 200) continue;
      texts.push_back(
          {t.name + " paragraph " + std::to_string(n), std::string(p)});
    }
  }
  std::vector<std::string> configs;
  for (const Text& t : texts) {
    switch (ChooseVariant(folder_->Evidence(t.content))) {
      case ChineseVariant::kTaiwan:
        configs.push_back("tw2sp.json");
        break;
      case ChineseVariant::kHongKong:
        configs.push_back("hk2s.json");
        break;
      case ChineseVariant::kCharacters:
        configs.push_back("");
        break;
    }
  }
  std::map<std::string, std::vector<Text>> by_config;
  std::map<std::string, std::vector<size_t>> index;
  for (size_t i = 0; i < texts.size(); ++i) {
    by_config[configs[i]].push_back(texts[i]);
    index[configs[i]].push_back(i);
  }
  size_t compared = 0, differ = 0;
  for (const auto& [config, group] : by_config) {
    // Texts folded character by character have no OpenCC configuration to
    // compare with (t2s would apply its phrases): they are counted apart.
    if (config.empty()) {
      std::cout << "characters: " << group.size() << " texts, not compared\n";
      continue;
    }
    const std::vector<std::string> converted = Opencc(config, group);
    for (size_t i = 0; i < group.size(); ++i) {
      const std::string& expected = converted[i];
      auto ours = Tokenize(group[i].content);
      auto theirs = Tokenize(expected);
      ASSERT_THAT(ours, IsOk());
      ASSERT_THAT(theirs, IsOk());
      ++compared;
      if (ours->digest == theirs->digest) continue;
      ++differ;
      std::cout << group[i].name << " (" << config
                << "): tokens differ from opencc's conversion\n";
    }
    std::cout << config << ": " << group.size() << " texts\n";
  }
  std::cout << compared << " texts compared, " << differ << " differ\n";
  EXPECT_EQ(differ, 0u);
}

}  // namespace
}  // namespace neardup::text
