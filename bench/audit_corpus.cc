// Writes a generated corpus for the audit benchmarks as JSON Lines: N
// documents of words drawn from a Zipf-distributed vocabulary (as real
// text draws them: common words recur, so band buckets are not all
// singletons), of which a share are near copies of an earlier document
// (a few words replaced, the end cut) and a share exact copies.
// Deterministic in --seed.
//
//   build/release/bench/audit_corpus --docs 1000000 --out /tmp/c.jsonl
//
// Prints the documents, bytes and planted copies at the end.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "service/common/hash.h"

ABSL_FLAG(int64_t, docs, 1000000, "documents to write");
ABSL_FLAG(int, words, 300, "words per document (about 6.5 bytes each)");
ABSL_FLAG(double, near_copies, 0.10,
          "share of documents that are near copies of an earlier one");
ABSL_FLAG(double, exact_copies, 0.02,
          "share of documents that are exact copies of an earlier one");
ABSL_FLAG(int, vocabulary, 50000, "distinct words");
ABSL_FLAG(uint64_t, seed, 1, "seed");
ABSL_FLAG(std::string, out, "", "output file (JSON Lines)");

namespace neardup::bench {
namespace {

// Pseudo-words of 1-4 syllables: distinct, pronounceable, ASCII.
std::vector<std::string> Vocabulary(int n, uint64_t seed) {
  static const char* kSyl[] = {"ka",  "lo", "mi",  "ter", "sun", "va",  "den",
                               "ri",  "po", "sha", "qu",  "nel", "bo",  "fi",
                               "gar", "tu", "zen", "wa",  "pe",  "dor", "xi",
                               "lum", "ba", "ko",  "ne",  "sti", "ra",  "mo"};
  constexpr int kSyls = sizeof(kSyl) / sizeof(kSyl[0]);
  std::vector<std::string> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    std::string w;
    // A mixed-radix spelling of i, so words are distinct.
    int x = i;
    do {
      w += kSyl[x % kSyls];
      x /= kSyls;
    } while (x > 0);
    if (SplitMix64(&seed) % 3 == 0) w += kSyl[SplitMix64(&seed) % kSyls];
    out.push_back(std::move(w));
  }
  return out;
}

// Draws ranks with probability proportional to 1 / rank (Zipf, s = 1).
class Zipf {
 public:
  explicit Zipf(int n) : cdf_(n) {
    double sum = 0;
    for (int i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / (i + 1));
    for (double& c : cdf_) c /= sum;
  }
  int Draw(uint64_t* state) const {
    const double u = (SplitMix64(state) >> 11) * (1.0 / (1ULL << 53));
    return static_cast<int>(std::lower_bound(cdf_.begin(), cdf_.end(), u) -
                            cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

int Run() {
  const std::string path = absl::GetFlag(FLAGS_out);
  if (path.empty()) {
    std::fprintf(stderr, "audit_corpus: --out FILE is required\n");
    return 2;
  }
  const int64_t n = absl::GetFlag(FLAGS_docs);
  const int words = absl::GetFlag(FLAGS_words);
  const double near = absl::GetFlag(FLAGS_near_copies);
  const double exact = absl::GetFlag(FLAGS_exact_copies);
  uint64_t state = absl::GetFlag(FLAGS_seed);
  const std::vector<std::string> vocab =
      Vocabulary(absl::GetFlag(FLAGS_vocabulary), state);
  const Zipf zipf(static_cast<int>(vocab.size()));
  FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) {
    std::perror(path.c_str());
    return 1;
  }
  // Recent originals (word ranks), for copies: copies are of documents at
  // most this far back, as a crawl meets mirrors.
  constexpr size_t kRecent = 4096;
  std::vector<std::vector<int>> recent;
  uint64_t bytes = 0, near_n = 0, exact_n = 0;
  std::string line;
  for (int64_t d = 0; d < n; ++d) {
    std::vector<int> doc;
    const double u = (SplitMix64(&state) >> 11) * (1.0 / (1ULL << 53));
    if (!recent.empty() && u < near + exact) {
      doc = recent[SplitMix64(&state) % recent.size()];
      if (u < near) {
        // A near copy: 1-3% of words replaced, up to 5% cut at the end.
        const size_t edits =
            1 + SplitMix64(&state) % std::max<size_t>(1, doc.size() * 3 / 100);
        for (size_t e = 0; e < edits; ++e) {
          doc[SplitMix64(&state) % doc.size()] = zipf.Draw(&state);
        }
        doc.resize(doc.size() - SplitMix64(&state) % (doc.size() / 20 + 1));
        ++near_n;
      } else {
        ++exact_n;
      }
    } else {
      const int len = words / 2 + static_cast<int>(SplitMix64(&state) % words);
      doc.resize(len);
      for (int& w : doc) w = zipf.Draw(&state);
      if (recent.size() < kRecent) {
        recent.push_back(doc);
      } else {
        recent[SplitMix64(&state) % kRecent] = doc;
      }
    }
    line = absl::StrCat("{\"id\":\"doc", d, "\",\"text\":\"");
    for (size_t i = 0; i < doc.size(); ++i) {
      if (i > 0) line += (i % 13 == 0) ? ". " : " ";
      line += vocab[doc[i]];
    }
    line += ".\"}\n";
    bytes += line.size();
    std::fwrite(line.data(), 1, line.size(), out);
  }
  std::fclose(out);
  std::printf("%lld documents, %.1f MB, %llu near copies, %llu exact copies\n",
              static_cast<long long>(n), bytes / 1e6,
              static_cast<unsigned long long>(near_n),
              static_cast<unsigned long long>(exact_n));
  return 0;
}

}  // namespace
}  // namespace neardup::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return neardup::bench::Run();
}
