// Differential test of our HTML reader against gumbo: every HTML file on
// the machine (Debian's documentation) and the fuzzers' HTML seeds, with
// and without main-content extraction, must give the same text and the
// same tokens (hashes, and offsets mapped back to the HTML) on at least
// 99% of pages. docs/HTML.md lists the classes of difference.
//
// NEARDUP_HTML_DIFF_SHOW=N prints the first N differing pages (default 5).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"
#include "service/text/decode.h"
#include "service/text/html.h"
#include "service/text/html_gumbo.h"
#include "service/text/tokenizer.h"
#include "tests/testing/corpus.h"

namespace neardup::text {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::ReadWholeFile;

struct Page {
  std::string name;
  std::string html;  // UTF-8
};

bool IsHtmlName(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".html" || ext == ".htm";
}

void AddFile(const std::string& path, size_t skip, std::vector<Page>* pages) {
  std::optional<std::string> content = ReadWholeFile(path);
  if (!content.has_value() || content->size() <= skip) return;
  content->erase(0, skip);
  DecodeOptions options;
  options.lenient = true;
  auto decoded = Decode(*content, options);
  if (!decoded.ok()) return;
  const std::string_view text = decoded->text();
  if (text.size() > kMaxHtmlBytes) return;
  // Template sources (Prometheus's console templates start with
  // "{{ template ... }}") are not pages: their table rows sit in no table,
  // and where the gumbo path realigns fostered text with the source is a
  // guess.
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text.substr(first, 2) == "{{") return;
  pages->push_back(Page{path, std::string(text)});
}

std::vector<Page> FindPages() {
  std::vector<Page> pages;
  std::vector<std::string> paths;
  for (const char* root : {"/usr/share/doc", "/usr/share/debian-reference",
                           "/usr/share/debian-handbook"}) {
    std::error_code ec;
    fs::recursive_directory_iterator it(
        root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code ec2;
      if (it->is_regular_file(ec2) && IsHtmlName(it->path())) {
        paths.push_back(it->path().string());
      }
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& p : paths) AddFile(p, 0, &pages);
  // The HTML seeds of the fuzzers: html_reader_fuzzer's corpus is HTML as
  // it is; text_pipeline_fuzzer's inputs start with two option bytes.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("tests/fuzz/corpus_html", ec)) {
    AddFile(e.path().string(), 0, &pages);
  }
  for (const auto& e : fs::directory_iterator("tests/fuzz/corpus", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find("html") != std::string::npos) {
      AddFile(e.path().string(), 2, &pages);
    }
  }
  return pages;
}

// The extraction's result in comparable form.
struct Result {
  bool ok = false;
  std::string text;
  // Per token: hash, then the HTML byte range it maps to.
  std::vector<uint64_t> tokens;
};

Result Summarize(const absl::StatusOr<HtmlText>& h) {
  Result r;
  r.ok = h.ok();
  if (!h.ok()) {
    r.text = std::string(h.status().message());
    return r;
  }
  r.text = h->text;
  auto tokens = Tokenize(h->text);
  if (!tokens.ok()) {
    r.ok = false;
    r.text = "tokenizer: " + std::string(tokens.status().message());
    return r;
  }
  for (const Token& t : tokens->tokens) {
    r.tokens.push_back(t.hash);
    r.tokens.push_back(h->map.SourceStart(t.byte_start));
    r.tokens.push_back(h->map.SourceEnd(t.byte_end));
  }
  return r;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Returns a short description of where `a` (ours) and `b` (gumbo) differ.
std::string Describe(const Result& a, const Result& b) {
  if (a.ok != b.ok) {
    return "status differs: ours " + std::string(a.ok ? "OK" : a.text) +
           ", gumbo " + std::string(b.ok ? "OK" : b.text);
  }
  if (a.text != b.text) {
    size_t i = 0;
    while (i < a.text.size() && i < b.text.size() && a.text[i] == b.text[i]) {
      ++i;
    }
    const size_t from = i > 60 ? i - 60 : 0;
    return "text differs at byte " + std::to_string(i) + " (ours " +
           std::to_string(a.text.size()) + " bytes, gumbo " +
           std::to_string(b.text.size()) + ")\n      ours:  ..." +
           Escape(a.text.substr(from, i - from + 60)) + "\n      gumbo: ..." +
           Escape(b.text.substr(from, i - from + 60));
  }
  size_t i = 0;
  while (i < a.tokens.size() && i < b.tokens.size() &&
         a.tokens[i] == b.tokens[i]) {
    ++i;
  }
  const size_t token = i / 3;
  std::string s = "tokens differ at token " + std::to_string(token);
  if (i % 3 != 0 &&
      token * 3 + 2 < std::min(a.tokens.size(), b.tokens.size())) {
    s += ": HTML bytes ours [" + std::to_string(a.tokens[token * 3 + 1]) +
         ", " + std::to_string(a.tokens[token * 3 + 2]) + "), gumbo [" +
         std::to_string(b.tokens[token * 3 + 1]) + ", " +
         std::to_string(b.tokens[token * 3 + 2]) + ")";
  }
  return s;
}

TEST(HtmlDiffTest, OurReaderMatchesGumboOnRealPages) {
  const std::vector<Page> pages = FindPages();
  if (pages.size() < 20) {
    GTEST_SKIP() << "only " << pages.size()
                 << " HTML files found under /usr/share/doc and the fuzz "
                    "corpus (need 20 for the differential test)";
  }
  const char* show_env = std::getenv("NEARDUP_HTML_DIFF_SHOW");
  const size_t show = show_env != nullptr ? std::atoi(show_env) : 5;
  size_t identical = 0, text_differs = 0, tokens_differ = 0, shown = 0;
  for (const Page& page : pages) {
    bool same = true;
    for (const bool main_content : {false, true}) {
      HtmlOptions options;
      options.main_content = main_content;
      const Result ours = Summarize(ExtractHtmlText(page.html, options));
      const Result gumbo =
          Summarize(ExtractHtmlTextWithGumbo(page.html, options));
      if (ours.ok == gumbo.ok && ours.text == gumbo.text &&
          ours.tokens == gumbo.tokens) {
        continue;
      }
      if (same) {
        ++(ours.text != gumbo.text || ours.ok != gumbo.ok ? text_differs
                                                          : tokens_differ);
      }
      same = false;
      if (shown < show) {
        ++shown;
        std::printf("  %s (main_content %d): %s\n", page.name.c_str(),
                    main_content, Describe(ours, gumbo).c_str());
      }
    }
    identical += same;
  }
  std::printf(
      "HTML differential: %zu pages, %zu identical (%.2f%%), %zu with "
      "different text, %zu with the same text but different tokens\n",
      pages.size(), identical, 100.0 * identical / pages.size(), text_differs,
      tokens_differ);
  EXPECT_GE(identical * 100, pages.size() * 99)
      << identical << " of " << pages.size() << " pages identical";
}

}  // namespace
}  // namespace neardup::text
