// Passage benchmarks on the seed page (../shared/corpus/
// zh-news-page-body-twice.txt; our own doubled article if it is absent):
// Repeats of the page, and Compare of the page with its one-copy body,
// each with and without the text analysis that a call also pays for.
//
//   build/release/bench/passages_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true

#include <string>

#include "bench/bench_files.h"
#include "benchmark/benchmark.h"
#include "service/passages/passages.h"
#include "service/text/analyze.h"

namespace neardup {
namespace {

using ::neardup::bench::ReadFile;

const std::string& Page() {
  static const std::string* text = [] {
    std::string t = ReadFile(std::string(NEARDUP_SOURCE_DIR) +
                             "/../shared/corpus/zh-news-page-body-twice.txt");
    if (t.empty()) {
      const std::string body = ReadFile(std::string(NEARDUP_SOURCE_DIR) +
                                        "/tests/testdata/article_zh.txt");
      t = "头条\n" + body + "\n分享\n" + body;
    }
    return new std::string(std::move(t));
  }();
  return *text;
}

// The first half of the page: about one copy of the body.
std::string Half() {
  return Page().substr(0, Page().find('\n', Page().size() / 2));
}

text::Analysis Analyzed(const std::string& s) { return *text::Analyze(s); }

void BM_RepeatsWithAnalysis(benchmark::State& state) {
  for (auto _ : state) {
    text::Analysis a = Analyzed(Page());
    benchmark::DoNotOptimize(passages::FindRepeats(Page(), a));
  }
  state.SetBytesProcessed(state.iterations() * Page().size());
}
BENCHMARK(BM_RepeatsWithAnalysis)->Unit(benchmark::kMicrosecond);

void BM_RepeatsAlone(benchmark::State& state) {
  const text::Analysis a = Analyzed(Page());
  for (auto _ : state) {
    benchmark::DoNotOptimize(passages::FindRepeats(Page(), a));
  }
}
BENCHMARK(BM_RepeatsAlone)->Unit(benchmark::kMicrosecond);

void BM_CompareWithAnalysis(benchmark::State& state) {
  const std::string half = Half();
  for (auto _ : state) {
    text::Analysis a = Analyzed(half);
    text::Analysis b = Analyzed(Page());
    benchmark::DoNotOptimize(passages::Compare(a, b));
  }
}
BENCHMARK(BM_CompareWithAnalysis)->Unit(benchmark::kMicrosecond);

void BM_CompareAlone(benchmark::State& state) {
  const text::Analysis a = Analyzed(Half());
  const text::Analysis b = Analyzed(Page());
  for (auto _ : state) benchmark::DoNotOptimize(passages::Compare(a, b));
}
BENCHMARK(BM_CompareAlone)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace neardup

BENCHMARK_MAIN();
