// Throughput of the whole text pipeline (decode, HTML, normalize, tokenize,
// shingle) on real documents, beside the floor this machine can do: hashing
// the same shingles with XXH3 alone.
//
//   build/release/bench/text_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one line)
//
// Documents: the seed page (../shared/corpus), an English HTML page from
// Debian's documentation (/usr/share/doc/python3/python-policy.html), a
// seed-like Chinese news page (the seed page's paragraphs in a news-site
// template with navigation, header, link lists and footer, made at run
// time), and a 4 MB mixed-script document made of both plus our own test
// texts.
//
// HTML pages also run through the HTML extraction alone, ours
// (BM_HtmlExtract) and gumbo's (BM_GumboExtract), through the pipeline as
// it was with gumbo (BM_GumboPipeline: decode, gumbo extraction, tokens,
// shingles), and gumbo's parse alone (BM_GumboParseOnly).

#include <gumbo.h>
#include <malloc.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "bench/bench_files.h"
#include "benchmark/benchmark.h"
#include "service/report/passages_html.h"
#include "service/text/analyze.h"
#include "service/text/decode.h"
#include "service/text/html.h"
#include "service/text/html_gumbo.h"
#include "service/text/shingle.h"
#include "service/text/tokenizer.h"

namespace neardup {
namespace {

using ::neardup::bench::ReadFile;
using ::neardup::bench::Source;

// Returns `text` escaped for HTML.
std::string Escape(const std::string& text) {
  std::string out;
  report::AppendEscaped(text, &out);
  return out;
}

// Returns the paragraphs (non-empty lines) of `text` in a typical Chinese
// news-site page: head with styles and scripts, top navigation, header,
// breadcrumb, the article (title, byline, paragraphs), a sidebar of
// related links, a link-list footer.
std::string ChineseNewsPage(const std::string& text) {
  std::vector<std::string> paragraphs;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      paragraphs.push_back(line);
    }
    pos = end + 1;
  }
  std::string links;
  for (const char* name : {"首页", "新闻", "国际", "财经", "科技", "体育",
                           "娱乐", "评论", "图片", "视频"}) {
    links += std::string("<li><a href=\"/channel/") + name + "\">" + name +
             "</a></li>\n";
  }
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta "
      "charset=\"utf-8\">\n<title>" +
      Escape(paragraphs.empty() ? "" : paragraphs[0]) +
      " - 新闻网</title>\n<link rel=\"stylesheet\" "
      "href=\"/static/site.css\">\n<style>.nav li{display:inline}"
      ".article p{line-height:1.8}</style>\n<script>window.dataLayer=[];"
      "function track(e){dataLayer.push(e)}</script>\n</head>\n<body>\n"
      "<div class=\"topbar\"><a href=\"/login\">登录</a> | <a "
      "href=\"/register\">注册</a></div>\n<header class=\"site-header\">"
      "<a class=\"logo\" href=\"/\"><img src=\"/logo.png\" "
      "alt=\"新闻网\"></a>\n<nav class=\"nav\"><ul>\n" +
      links +
      "</ul></nav>\n</header>\n<div class=\"breadcrumb\"><a "
      "href=\"/\">首页</a> &gt; <a href=\"/news\">新闻</a> &gt; "
      "正文</div>\n<div class=\"main\">\n<article class=\"article\">\n";
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    if (i == 0) {
      page += "<h1>" + Escape(paragraphs[0]) +
              "</h1>\n<div class=\"byline\">2024-05-01 08:00 "
              "来源：新闻网&nbsp;&nbsp;编辑：王明</div>\n";
    } else {
      page += "<p>" + Escape(paragraphs[i]) + "</p>\n";
    }
  }
  page +=
      "<div class=\"share\">分享到：<a href=\"#\">微博</a> <a "
      "href=\"#\">微信</a></div>\n</article>\n<aside "
      "class=\"sidebar\">\n<h3>相关新闻</h3>\n<ul>\n";
  for (int i = 0; i < 10; ++i) {
    page += "<li><a href=\"/news/" + std::to_string(1000 + i) +
            ".html\">相关报道第" + std::to_string(i + 1) +
            "篇：本地新闻与国际要闻汇总</a></li>\n";
  }
  page += "</ul>\n</aside>\n</div>\n<footer class=\"footer\">\n<ul>\n" + links +
          "</ul>\n<p>Copyright &copy; 2024 新闻网 版权所有</p>\n</footer>\n"
          "<script src=\"/static/app.js\"></script>\n</body>\n</html>\n";
  return page;
}

// name -> (content, content type)
const std::map<std::string, std::pair<std::string, text::ContentType>>&
Documents() {
  static const auto* docs = [] {
    auto* d =
        new std::map<std::string, std::pair<std::string, text::ContentType>>();
    std::string seed =
        ReadFile(Source("../shared/corpus/zh-news-page-body-twice.txt"));
    if (seed.empty()) seed = ReadFile(Source("tests/testdata/article_zh.txt"));
    (*d)["zh_seed_page"] = {seed, text::ContentType::kText};
    std::string html = ReadFile("/usr/share/doc/python3/python-policy.html");
    if (!html.empty()) (*d)["en_html_page"] = {html, text::ContentType::kHtml};
    (*d)["zh_html_page"] = {ChineseNewsPage(seed), text::ContentType::kHtml};
    std::string mixed;
    const std::string parts =
        seed + ReadFile(Source("tests/testdata/article_en.txt")) +
        ReadFile(Source("tests/testdata/unrelated_en.txt")) +
        ReadFile(Source("tests/testdata/article_ja.txt")) +
        ReadFile(Source("tests/testdata/article_ko.txt"));
    while (mixed.size() < (4u << 20)) mixed += parts;
    (*d)["mixed_4mb"] = {mixed, text::ContentType::kText};
    return d;
  }();
  return *docs;
}

void BM_Pipeline(benchmark::State& state, const std::string& name) {
  const auto& [content, type] = Documents().at(name);
  text::InputOptions input;
  input.content_type = type;
  for (auto _ : state) {
    auto a = text::Analyze(content, {}, input);
    benchmark::DoNotOptimize(a);
  }
  state.SetBytesProcessed(state.iterations() * content.size());
}

// The HTML extraction alone: ours, or gumbo's (parse, walk, blocks).
void BM_HtmlExtract(benchmark::State& state, const std::string& name,
                    bool gumbo) {
  const std::string& html = Documents().at(name).first;
  text::HtmlOptions options;
  for (auto _ : state) {
    auto t = gumbo ? text::ExtractHtmlTextWithGumbo(html, options)
                   : text::ExtractHtmlText(html, options);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(state.iterations() * html.size());
}

// The whole pipeline as it was with gumbo: what Analyze does for a UTF-8
// HTML page, with gumbo's extraction (the token offsets are not mapped
// back to the input, which Analyze does too: a little less work).
void BM_GumboPipeline(benchmark::State& state, const std::string& name) {
  const std::string& html = Documents().at(name).first;
  for (auto _ : state) {
    auto decoded = text::Decode(html, {});
    auto t = text::ExtractHtmlTextWithGumbo(decoded->text(), {});
    auto tokens = text::Tokenize(t->text);
    auto shingles = text::ShingleSet(
        text::ShingleHashes(tokens->tokens, text::ShingleParams()));
    benchmark::DoNotOptimize(shingles);
  }
  state.SetBytesProcessed(state.iterations() * html.size());
}

// The floor: only the XXH3 shingle hashing of the same document (its
// tokens computed once outside the loop), reported per input byte so the
// two rates compare directly.
void BM_Xxh3ShinglesOnly(benchmark::State& state, const std::string& name) {
  const auto& [content, type] = Documents().at(name);
  text::InputOptions input;
  input.content_type = type;
  auto a = text::Analyze(content, {}, input);
  for (auto _ : state) {
    auto s = text::ShingleHashes(a->text.tokens, text::ShingleParams());
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * content.size());
  state.counters["shingles"] = static_cast<double>(a->shingles.size());
}

// The HTML floor: gumbo's parse alone (options as ExtractHtmlText sets
// them, default allocator), per byte of the page, and of its skeleton:
// attributes dropped and every text run cut to one character, which is
// the least any pre-pass could leave gumbo to parse.
void BM_GumboParseOnly(benchmark::State& state, const std::string& html,
                       size_t page_bytes) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  for (auto _ : state) {
    GumboOutput* out =
        gumbo_parse_with_options(&options, html.data(), html.size());
    benchmark::DoNotOptimize(out);
    gumbo_destroy_output(&options, out);
  }
  state.SetBytesProcessed(state.iterations() * page_bytes);
  state.counters["parsed_bytes"] = static_cast<double>(html.size());
}

std::string Skeleton(const std::string& html) {
  const std::string no_attributes = std::regex_replace(
      html, std::regex("<([a-zA-Z][a-zA-Z0-9]*)[^>]*>"), "<$1>");
  return std::regex_replace(no_attributes, std::regex(">\\s*[^<\\s][^<]*<"),
                            ">x<");
}

int Register() {
  // Build the folding and tokenizer tables outside the measured loops (the
  // server builds them at startup).
  (void)text::PrepareTokenizer();
  for (const auto& [name, doc] : Documents()) {
    benchmark::RegisterBenchmark(("BM_Pipeline/" + name).c_str(), BM_Pipeline,
                                 name);
    benchmark::RegisterBenchmark(("BM_Xxh3ShinglesOnly/" + name).c_str(),
                                 BM_Xxh3ShinglesOnly, name);
    if (doc.second == text::ContentType::kHtml) {
      benchmark::RegisterBenchmark(("BM_GumboPipeline/" + name).c_str(),
                                   BM_GumboPipeline, name);
      benchmark::RegisterBenchmark(("BM_HtmlExtract/" + name).c_str(),
                                   BM_HtmlExtract, name, false);
      benchmark::RegisterBenchmark(("BM_GumboExtract/" + name).c_str(),
                                   BM_HtmlExtract, name, true);
      benchmark::RegisterBenchmark(("BM_GumboParseOnly/" + name).c_str(),
                                   BM_GumboParseOnly, doc.first,
                                   doc.first.size());
      benchmark::RegisterBenchmark(
          ("BM_GumboParseOnly/" + name + "_skeleton").c_str(),
          BM_GumboParseOnly, Skeleton(doc.first), doc.first.size());
    }
  }
  return 0;
}
const int registered = Register();

}  // namespace
}  // namespace neardup

int main(int argc, char** argv) {
  // As neardupd does: keep freed memory for reuse instead of returning it
  // to the kernel after every document (see service/server/main.cc).
  if (std::getenv("NEARDUP_BENCH_DEFAULT_MALLOC") == nullptr) {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
