// Speed of the sketches on the seed page's shingles, beside the rate of
// merely producing those XXH3 shingle hashes, in the same run:
//
//   build/release/bench/sketch_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// items_per_second counts shingle hashes consumed: the positional
// shingles for XXH3 and winnowing, the shingle set for SimHash and MinHash
// (what each reads), and both for "all" (one document's fingerprints).

#include <string>

#include "bench/bench_files.h"
#include "benchmark/benchmark.h"
#include "service/sketch/fingerprint.h"
#include "service/sketch/minhash.h"
#include "service/sketch/simhash.h"
#include "service/sketch/winnow.h"
#include "service/text/analyze.h"

namespace neardup {
namespace {

using ::neardup::bench::ReadFile;
using ::neardup::bench::Source;

// Winnowing window used by the benchmark (the passage work picks the
// product default).
constexpr uint32_t kWindow = 8;

const text::Analysis& Seed() {
  static const text::Analysis* a = [] {
    std::string seed =
        ReadFile(Source("../shared/corpus/zh-news-page-body-twice.txt"));
    if (seed.empty()) seed = ReadFile(Source("tests/testdata/article_zh.txt"));
    return new text::Analysis(*text::Analyze(seed));
  }();
  return *a;
}

void BM_Xxh3ShingleHashes(benchmark::State& state) {
  const text::Analysis& a = Seed();
  for (auto _ : state) {
    auto s = text::ShingleHashes(a.text.tokens, text::ShingleParams());
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * a.shingles.size());
}
BENCHMARK(BM_Xxh3ShingleHashes);

void BM_SimHash(benchmark::State& state) {
  const text::Analysis& a = Seed();
  for (auto _ : state) {
    benchmark::DoNotOptimize(sketch::SimHash(a.shingle_set));
  }
  state.SetItemsProcessed(state.iterations() * a.shingle_set.size());
}
BENCHMARK(BM_SimHash);

void BM_MinHash(benchmark::State& state, sketch::MinHashScheme scheme) {
  const text::Analysis& a = Seed();
  const sketch::MinHasher hasher(128, sketch::kMinHashSeed, scheme);
  for (auto _ : state) {
    auto sig = hasher.Signature(a.shingle_set);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations() * a.shingle_set.size());
}
BENCHMARK_CAPTURE(BM_MinHash, one_permutation_128,
                  sketch::MinHashScheme::kOnePermutation);
BENCHMARK_CAPTURE(BM_MinHash, classic_128, sketch::MinHashScheme::kClassic);

void BM_Winnow(benchmark::State& state) {
  const text::Analysis& a = Seed();
  for (auto _ : state) {
    auto w = sketch::Winnow(a.shingles, kWindow);
    benchmark::DoNotOptimize(w);
  }
  state.SetItemsProcessed(state.iterations() * a.shingles.size());
}
BENCHMARK(BM_Winnow);

// One document's sketches: MinHash (one permutation), SimHash, digest and
// sizes (ComputeFingerprint) plus the winnowing fingerprints. Items are
// the positional shingles, the unit of the XXH3 rate above.
void BM_AllSketches(benchmark::State& state) {
  const text::Analysis& a = Seed();
  const sketch::MinHasher hasher(128, sketch::kMinHashSeed);
  for (auto _ : state) {
    sketch::Fingerprint fp = sketch::ComputeFingerprint(a, hasher);
    auto w = sketch::Winnow(a.shingles, kWindow);
    benchmark::DoNotOptimize(fp);
    benchmark::DoNotOptimize(w);
  }
  state.SetItemsProcessed(state.iterations() * a.shingles.size());
  state.counters["set"] = static_cast<double>(a.shingle_set.size());
  state.counters["shingles"] = static_cast<double>(a.shingles.size());
}
BENCHMARK(BM_AllSketches);

}  // namespace
}  // namespace neardup

BENCHMARK_MAIN();
