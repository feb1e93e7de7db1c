#include "tests/testing/fixtures.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <sstream>
#include <vector>

#include "gtest/gtest.h"
#include "service/common/hash.h"

namespace neardup::testing {
namespace {

uint64_t Next(uint64_t* s) { return SplitMix64(s); }

std::string Word(uint64_t* s) {
  static const char* kSyllables[] = {"ka",  "lo", "mi",  "ter", "sun", "va",
                                     "den", "ri", "po",  "sha", "qu",  "nel",
                                     "bo",  "fi", "gar", "tu",  "zen", "wa"};
  const int n = 1 + static_cast<int>(Next(s) % 3);
  std::string w;
  for (int i = 0; i < n; ++i) w += kSyllables[Next(s) % 18];
  return w;
}

}  // namespace

std::string MakeScratchDir(const std::string& name) {
  static std::atomic<int> counter{0};
  std::filesystem::path p =
      std::filesystem::path(::testing::TempDir()) /
      ("neardup_" + name + "_" + std::to_string(getpid()) + "_" +
       std::to_string(counter++));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

std::string GeneratedText(uint64_t seed, int words) {
  std::string out;
  for (int i = 0; i < words; ++i) {
    if (i > 0) out += (i % 12 == 0) ? ". " : " ";
    out += Word(&seed);
  }
  return out + ".";
}

std::string MutateWords(const std::string& text, double fraction,
                        uint64_t seed) {
  std::istringstream in(text);
  std::string word, out;
  while (in >> word) {
    if (!out.empty()) out += ' ';
    const double u = static_cast<double>(Next(&seed) >> 11) / (1ULL << 53);
    out += u < fraction ? Word(&seed) : word;
  }
  return out;
}

}  // namespace neardup::testing
