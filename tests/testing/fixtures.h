// Helpers shared by tests: scratch directories and generated text.

#ifndef NEARDUP_TESTS_TESTING_FIXTURES_H_
#define NEARDUP_TESTS_TESTING_FIXTURES_H_

#include <cstdint>
#include <string>

namespace neardup::testing {

// Returns a new empty directory under the test temp dir, unique to this
// process and call. The caller removes it.
std::string MakeScratchDir(const std::string& name);

// Returns `words` pseudo-words drawn deterministically from `seed`, joined by
// spaces with a sentence break every 12 words. Different seeds give
// unrelated texts.
std::string GeneratedText(uint64_t seed, int words);

// Returns `text` with about `fraction` of its words replaced by new
// pseudo-words (deterministic in `seed`).
std::string MutateWords(const std::string& text, double fraction,
                        uint64_t seed);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTING_FIXTURES_H_
