// Measures how the shingle length k separates near-duplicates from
// unrelated documents, on a directory of real documents (UTF-8 text files).
//
//   bench/k_eval.sh     (builds the corpora from Debian's man pages and
//                        runs this for Chinese and English)
//   build/release/bench/shingle_k_eval DIR word|char
//
// For each k in 1..8: every document's token sequence is edited (10% and
// 30% of tokens replaced by random tokens of the corpus) and compared with
// the original: mean shingle-set Jaccard (higher: near copies stay
// findable). Random pairs of different documents: mean, 99th percentile
// and max Jaccard (lower: unrelated texts do not look alike). Fixed seeds.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "service/common/hash.h"
#include "service/text/shingle.h"
#include "service/text/tokenizer.h"

namespace {

using neardup::text::Token;

std::vector<uint64_t> Set(const std::vector<Token>& tokens, uint32_t k) {
  neardup::text::ShingleParams p;
  p.word_size = k;
  p.char_size = k;
  return neardup::text::ShingleSet(neardup::text::ShingleHashes(tokens, p));
}

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  return neardup::text::SetJaccard(a, b);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: shingle_k_eval DIR word|char\n");
    return 2;
  }
  const bool chars = std::string(argv[2]) == "char";
  std::vector<std::vector<Token>> docs;
  std::vector<Token> vocabulary;
  std::set<uint64_t> seen;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(argv[1])) {
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)),
                           std::istreambuf_iterator<char>());
    auto t = neardup::text::Tokenize(text);
    if (!t.ok()) continue;
    // Keep only the tokens of the class under study, in order.
    std::vector<Token> tokens;
    for (const Token& tok : t->tokens) {
      if ((tok.cls == neardup::text::TokenClass::kChar) == chars) {
        tokens.push_back(tok);
      }
    }
    if (tokens.size() < 300) continue;
    // The same page under two names is no unrelated pair: keep one.
    if (!seen.insert(t->digest.low ^ (t->digest.high * 31)).second) continue;
    vocabulary.insert(vocabulary.end(), tokens.begin(), tokens.end());
    docs.push_back(std::move(tokens));
  }
  std::printf("%zu documents of >= 300 %s tokens\n\n", docs.size(),
              chars ? "character" : "word");
  std::printf(
      "| k | near copy, 10%% edits | near copy, 30%% edits | "
      "unrelated mean | unrelated p99 | unrelated max | "
      "10%% copy / unrelated mean |\n"
      "|---|---|---|---|---|---|---|\n");
  for (uint32_t k = 1; k <= 8; ++k) {
    uint64_t rng = 42;
    double near10 = 0, near30 = 0;
    std::vector<std::vector<uint64_t>> sets;
    for (const auto& d : docs) {
      sets.push_back(Set(d, k));
      for (double rate : {0.1, 0.3}) {
        std::vector<Token> edited = d;
        for (Token& t : edited) {
          if (static_cast<double>(neardup::SplitMix64(&rng) % 1000) <
              rate * 1000) {
            t = vocabulary[neardup::SplitMix64(&rng) % vocabulary.size()];
          }
        }
        (rate < 0.2 ? near10 : near30) += Jaccard(sets.back(), Set(edited, k));
      }
    }
    std::vector<double> unrelated;
    for (int i = 0; i < 2000 && docs.size() > 1; ++i) {
      const size_t a = neardup::SplitMix64(&rng) % docs.size();
      size_t b = neardup::SplitMix64(&rng) % docs.size();
      if (a == b) b = (b + 1) % docs.size();
      unrelated.push_back(Jaccard(sets[a], sets[b]));
    }
    std::sort(unrelated.begin(), unrelated.end());
    double mean = 0;
    for (double u : unrelated) mean += u;
    std::printf("| %u | %.3f | %.3f | %.4f | %.4f | %.4f | %.1f |\n", k,
                near10 / docs.size(), near30 / docs.size(),
                mean / unrelated.size(), unrelated[unrelated.size() * 99 / 100],
                unrelated.back(),
                (near10 / docs.size()) / (mean / unrelated.size()));
  }
  return 0;
}
