// In-process benchmarks of the engine path: text analysis, fingerprinting,
// and Check / CheckAndAdd against a RocksDB index on local disk.
//
//   build/release/bench/engine_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one line)
//
// Uses ../shared/corpus/zh-news-page-body-twice.txt when present and the
// repository's own test text otherwise; the index benchmark generates its
// documents from a fixed seed.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "bench/bench_files.h"
#include "benchmark/benchmark.h"
#include "service/common/hash.h"
#include "service/engine/engine.h"
#include "service/index/store.h"
#include "service/sketch/fingerprint.h"
#include "service/text/analyze.h"

namespace neardup {
namespace {

using ::neardup::bench::ReadFile;
// The seed page, or our own Chinese article if ../shared is absent.
const std::string& SampleText() {
  static const std::string* text = [] {
    std::string t = ReadFile(std::string(NEARDUP_SOURCE_DIR) +
                             "/../shared/corpus/zh-news-page-body-twice.txt");
    if (t.empty()) {
      t = ReadFile(std::string(NEARDUP_SOURCE_DIR) +
                   "/tests/testdata/article_zh.txt");
    }
    return new std::string(std::move(t));
  }();
  return *text;
}

uint64_t Next(uint64_t* s) { return SplitMix64(s); }

// A pseudo-English document of `words` words from a 5,000-word vocabulary.
std::string Document(uint64_t seed, int words) {
  std::string out;
  for (int i = 0; i < words; ++i) {
    out += "w" + std::to_string(Next(&seed) % 5000) + " ";
  }
  return out;
}

engine::DocumentInput Doc(std::string_view id, std::string_view content) {
  engine::DocumentInput d;
  d.id = id;
  d.content = content;
  return d;
}

void BM_Analyze(benchmark::State& state) {
  const std::string& text = SampleText();
  for (auto _ : state) {
    auto a = text::Analyze(text, {});
    benchmark::DoNotOptimize(a);
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK(BM_Analyze);

void BM_Fingerprint(benchmark::State& state) {
  auto a = text::Analyze(SampleText(), {});
  sketch::MinHasher hasher(128, sketch::kMinHashSeed);
  for (auto _ : state) {
    sketch::Fingerprint fp = sketch::ComputeFingerprint(*a, hasher);
    benchmark::DoNotOptimize(fp);
  }
  state.SetItemsProcessed(state.iterations() * a->shingle_set.size());
  state.counters["shingles"] = static_cast<double>(a->shingle_set.size());
}
BENCHMARK(BM_Fingerprint);

// A store with `docs` documents of 300 words, shared by the index benches.
class IndexFixture : public benchmark::Fixture {
 public:
  void SetUp(const benchmark::State& state) override {
    if (store_ != nullptr) return;
    dir_ = std::filesystem::temp_directory_path() /
           ("neardup_bench_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    index::Store::Options options;
    options.path = dir_.string();
    db_ = std::move(index::Store::Open(options).value());
    store_ = std::make_unique<engine::Engine>(db_.get());
    (void)store_->CreateCollection("c", {}).value();
    for (int64_t i = 0; i < state.range(0); ++i) {
      const std::string id = std::to_string(i), text = Document(i, 300);
      (void)store_->Add("c", Doc(id, text), false).value();
    }
  }
  static void Cleanup() {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

 protected:
  static inline std::unique_ptr<index::Store> db_;
  static inline std::unique_ptr<engine::Engine> store_;
  static inline std::filesystem::path dir_;
};

BENCHMARK_DEFINE_F(IndexFixture, Check)(benchmark::State& state) {
  // Half the queries are near copies of stored documents, half are new.
  uint64_t i = 0;
  for (auto _ : state) {
    const uint64_t id = i++ % static_cast<uint64_t>(state.range(0));
    std::string q = (i % 2) ? Document(id, 300) : Document(id + 1000000, 300);
    auto r = store_->Check("c", Doc("", q), {});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK_REGISTER_F(IndexFixture, Check)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_DEFINE_F(IndexFixture, CheckAndAddNew)(benchmark::State& state) {
  uint64_t i = 0;
  for (auto _ : state) {
    const uint64_t n = 2000000 + i++;
    const std::string id = "new" + std::to_string(n), text = Document(n, 300);
    auto r = store_->CheckAndAdd("c", Doc(id, text), {});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK_REGISTER_F(IndexFixture, CheckAndAddNew)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace neardup

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  neardup::IndexFixture::Cleanup();
  return 0;
}
