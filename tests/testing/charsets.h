// Encodes test text into legacy charsets (with ICU), for decoding tests.

#ifndef NEARDUP_TESTS_TESTING_CHARSETS_H_
#define NEARDUP_TESTS_TESTING_CHARSETS_H_

#include <string>

namespace neardup::testing {

// Returns UTF-8 `text` encoded in `charset`; fails the test if a character
// cannot be represented.
std::string EncodeAs(const std::string& text, const char* charset);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTING_CHARSETS_H_
