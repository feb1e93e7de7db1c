#include "tests/testing/corpus.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "gtest/gtest.h"

namespace neardup::testing {
namespace {

struct Line {
  std::string_view text;
  size_t begin;  // byte offset of the line in the input
  size_t end;    // end of the line, without the newline
};

}  // namespace

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

std::string Slurp(const std::string& path) {
  std::optional<std::string> s = ReadWholeFile(path);
  if (!s.has_value()) ADD_FAILURE() << "cannot read " << path;
  return s.value_or("");
}

std::string ReadTestData(const std::string& name) {
  const std::string path =
      std::string(NEARDUP_SOURCE_DIR) + "/tests/testdata/" + name;
  std::optional<std::string> data = ReadWholeFile(path);
  EXPECT_TRUE(data.has_value()) << "missing test data " << path;
  return data.value_or("");
}

std::optional<std::string> SharedCorpusPath(const std::string& name) {
  const char* env = std::getenv("NEARDUP_SHARED_DIR");
  const std::string shared =
      env != nullptr ? env : std::string(NEARDUP_SOURCE_DIR) + "/../shared";
  const std::string path = shared + "/corpus/" + name;
  if (!std::filesystem::exists(path)) return std::nullopt;
  return path;
}

RepeatedRun FindLongestRepeatedLineRun(std::string_view text) {
  std::vector<Line> lines;  // non-empty lines only
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(pos, nl - pos);
    if (!l.empty() && l != "\r") lines.push_back({l, pos, nl});
    pos = nl + 1;
  }
  // O(n^2) over lines: fine for test pages of a few hundred lines.
  size_t best_len = 0, best_start = 0, best_second = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    for (size_t j = i + 1; j < lines.size(); ++j) {
      size_t k = 0;
      while (j + k < lines.size() && i + k < j &&
             lines[i + k].text == lines[j + k].text) {
        ++k;
      }
      if (k > best_len) best_len = k, best_start = i, best_second = j;
    }
  }
  RepeatedRun run;
  if (best_len == 0) return run;
  run.first_begin = lines[best_start].begin;
  run.first_end = lines[best_start + best_len - 1].end;
  run.second_begin = lines[best_second].begin;
  run.second_end = lines[best_second + best_len - 1].end;
  return run;
}

std::string LongestRepeatedLineRun(std::string_view text) {
  const RepeatedRun run = FindLongestRepeatedLineRun(text);
  return std::string(
      text.substr(run.first_begin, run.first_end - run.first_begin));
}

}  // namespace neardup::testing
