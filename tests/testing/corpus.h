// Test text: the repository's own test data (tests/testdata) and the real
// pages in ../shared/corpus, which tests read in place and never copy.

#ifndef NEARDUP_TESTS_TESTING_CORPUS_H_
#define NEARDUP_TESTS_TESTING_CORPUS_H_

#include <optional>
#include <string>
#include <string_view>

namespace neardup::testing {

// Returns the contents of tests/testdata/`name`; fails the test if missing.
std::string ReadTestData(const std::string& name);

// Returns the path of ../shared/corpus/`name` beside the repository (or
// under $NEARDUP_SHARED_DIR/corpus), or nullopt if the file is absent.
std::optional<std::string> SharedCorpusPath(const std::string& name);

// Returns the whole file at `path`, or nullopt if it cannot be read.
std::optional<std::string> ReadWholeFile(const std::string& path);

// Returns the whole file at `path`; a file that cannot be read fails the
// test (and gives ""), so two missing outputs never compare equal.
std::string Slurp(const std::string& path);

// Returns the longest run of consecutive lines of `text` that appears twice
// (empty lines ignored when comparing; the run is a substring of the FIRST
// occurrence, from the start of its first line to the end of its last).
// For a page that prints its article body twice, this is one copy of the
// body. Empty if no non-empty line repeats.
std::string LongestRepeatedLineRun(std::string_view text);

// Byte ranges [begin, end) of the two occurrences of that run (each from
// the start of its first line to the end of its last); all zero if none.
struct RepeatedRun {
  size_t first_begin = 0, first_end = 0;
  size_t second_begin = 0, second_end = 0;
};
RepeatedRun FindLongestRepeatedLineRun(std::string_view text);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTING_CORPUS_H_
