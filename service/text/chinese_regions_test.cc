// Chinese across regions through the whole pipeline (Analyze: decoding,
// HTML, tokens, shingles): a mainland text converted to Taiwan or Hong Kong
// wording by OpenCC still matches its source, the zh-cn and zh-tw editions
// of the same document match, and unrelated Chinese texts do not.
// debian-reference and the opencc command are used where installed.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "service/text/analyze.h"
#include "tests/testing/corpus.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup::text {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::IsOk;
using ::neardup::testing::ReadTestData;

constexpr char kReference[] = "/usr/share/debian-reference";
constexpr int kChapters = 9;  // ch01 .. ch09 (the appendix is link lists)

std::vector<uint64_t> Shingles(const std::string& content) {
  auto a = Analyze(content);
  EXPECT_THAT(a, IsOk());
  return a.ok() ? a->shingle_set : std::vector<uint64_t>{};
}

double Jaccard(const std::string& a, const std::string& b) {
  return SetJaccard(Shingles(a), Shingles(b));
}

std::string Opencc(const std::string& config, const std::string& text) {
  auto r =
      neardup::testing::RunCommand({"/usr/bin/opencc", "-c", config}, text);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

std::string Chapter(int n, const std::string& lang) {
  const std::string path = std::string(kReference) + "/ch0" +
                           std::to_string(n) + "." + lang + ".html";
  return neardup::testing::ReadWholeFile(path).value_or("");
}

bool HaveOpencc() { return fs::exists("/usr/bin/opencc"); }
bool HaveReference() {
  for (int n = 1; n <= kChapters; ++n) {
    if (Chapter(n, "zh-cn").empty() || Chapter(n, "zh-tw").empty()) {
      return false;
    }
  }
  return true;
}

TEST(ChineseRegionsTest, TaiwanAndHongKongConversionsMatchTheirSource) {
  if (!HaveOpencc()) GTEST_SKIP() << "the opencc command is not installed";
  std::vector<std::pair<std::string, std::string>> sources = {
      {"own article", ReadTestData("article_zh.txt")}};
  if (HaveReference()) {
    for (int n = 1; n <= kChapters; ++n) {
      sources.push_back(
          {"debian-reference ch0" + std::to_string(n), Chapter(n, "zh-cn")});
    }
  } else {
    std::cout << "debian-reference-zh-cn is not installed: own text only\n";
  }
  for (const auto& [name, source] : sources) {
    const double tw = Jaccard(source, Opencc("s2twp.json", source));
    const double hk = Jaccard(source, Opencc("s2hk.json", source));
    std::cout << name << ": s2twp " << tw << ", s2hk " << hk << "\n";
    EXPECT_GE(tw, 0.9) << name;
    EXPECT_GE(hk, 0.9) << name;
  }
}

TEST(ChineseRegionsTest, ZhCnAndZhTwEditionsMatch) {
  if (!HaveReference()) {
    GTEST_SKIP() << "debian-reference-zh-cn and -zh-tw are not installed";
  }
  std::vector<double> same;
  double unrelated = 0;
  for (int n = 1; n <= kChapters; ++n) {
    const std::vector<uint64_t> cn = Shingles(Chapter(n, "zh-cn"));
    for (int m = 1; m <= kChapters; ++m) {
      const double j = SetJaccard(cn, Shingles(Chapter(m, "zh-tw")));
      if (m == n) {
        same.push_back(j);
        std::cout << "ch0" << n << " zh-cn vs zh-tw: " << j << "\n";
      } else {
        unrelated = std::max(unrelated, j);
      }
    }
  }
  std::sort(same.begin(), same.end());
  std::cout << "median " << same[same.size() / 2] << ", lowest " << same[0]
            << "; different chapters at most " << unrelated << "\n";
  EXPECT_GE(same[same.size() / 2], 0.8);
  EXPECT_GE(same[0], 0.7);
  EXPECT_LE(unrelated, 0.1);
}

TEST(ChineseRegionsTest, UnrelatedChineseTextsDoNotMatch) {
  const std::string a = ReadTestData("article_zh.txt");
  const std::string b = ReadTestData("unrelated_zh.txt");
  EXPECT_LE(Jaccard(a, b), 0.05);
  EXPECT_LE(Jaccard(ReadTestData("article_zh_hant.txt"), b), 0.05);
  if (HaveOpencc()) {
    EXPECT_LE(Jaccard(Opencc("s2twp.json", a), b), 0.05);
    EXPECT_LE(Jaccard(a, Opencc("s2twp.json", b)), 0.05);
  }
}

}  // namespace
}  // namespace neardup::text
