// Throughput of the whole text pipeline (decode, HTML, normalize, tokenize,
// shingle) on real documents, beside the floor this machine can do: hashing
// the same shingles with XXH3 alone.
//
//   build/release/bench/text_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one line)
//
// Documents: the seed page (../shared/corpus), an English HTML page from
// Debian's documentation (/usr/share/doc/python3/python-policy.html), and a
// 4 MB mixed-script document made of both plus our own test texts.

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
#include "service/text/analyze.h"
#include "service/text/shingle.h"
#include "service/text/tokenizer.h"

namespace neardup {
namespace {

using ::neardup::bench::ReadFile;
using ::neardup::bench::Source;

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
