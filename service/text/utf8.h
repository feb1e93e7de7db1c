// Strict UTF-8 validation and decoding (RFC 3629): no overlong forms, no
// surrogates, nothing above U+10FFFF.

#ifndef NEARDUP_SERVICE_TEXT_UTF8_H_
#define NEARDUP_SERVICE_TEXT_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace neardup::text {

// Decodes the code point that starts at `text[pos]`. On success stores it in
// `*cp` and returns its length in bytes (1-4); returns 0 if the bytes at
// `pos` are not a valid UTF-8 sequence. REQUIRES: pos < text.size().
size_t DecodeUtf8(std::string_view text, size_t pos, char32_t* cp);

// Appends the UTF-8 encoding of `cp` to `out`. REQUIRES: cp <= 0x10FFFF.
void AppendUtf8(char32_t cp, std::string* out);

// Returns OK if `text` is valid UTF-8, else INVALID_ARGUMENT naming the byte
// offset of the first bad sequence and the bytes found there, e.g.
// "content is not valid UTF-8 at byte offset 17 (0xff)".
absl::Status ValidateUtf8(std::string_view text, std::string_view what);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_UTF8_H_
