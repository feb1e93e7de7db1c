// Strict UTF-8 validation and decoding (RFC 3629): no overlong forms, no
// surrogates, nothing above U+10FFFF. The service's one UTF-8 decoder
// (DecodeUtf8); everything else here is built on it. (The client library,
// which links no service code, keeps its own check in client/client.cc.)

#ifndef NEARDUP_SERVICE_TEXT_UTF8_H_
#define NEARDUP_SERVICE_TEXT_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace neardup::text {

// Decodes the code point that starts at `text[pos]`. On success stores it in
// `*cp` and returns its length in bytes (1-4); returns 0 if the bytes at
// `pos` are not a valid UTF-8 sequence. REQUIRES: pos < text.size().
// Inline: it is the innermost loop of the text pipeline.
inline size_t DecodeUtf8(std::string_view text, size_t pos, char32_t* cp) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char c = s[pos];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  char32_t value, min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, value = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, value = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, value = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > text.size()) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((s[pos + i] & 0xC0) != 0x80) return 0;
    value = (value << 6) | (s[pos + i] & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *cp = value;
  return len;
}

// Appends the UTF-8 encoding of `cp` to `out`. REQUIRES: cp <= 0x10FFFF.
void AppendUtf8(char32_t cp, std::string* out);

// Returns OK if `text` is valid UTF-8, else INVALID_ARGUMENT naming the byte
// offset of the first bad sequence and the bytes found there, e.g.
// "content is not valid UTF-8 at byte offset 17 (0xff)".
absl::Status ValidateUtf8(std::string_view text, std::string_view what);

// Returns `raw` with every byte that does not start a valid UTF-8 sequence
// replaced by U+FFFD: text that is safe to print, in HTML or JSON.
std::string ReplaceInvalidUtf8(std::string_view raw);

// Returns the byte offset of every code point of `utf8` (valid UTF-8), and
// its size last: code point i is bytes [at[i], at[i+1]).
std::vector<uint32_t> CodePointOffsets(std::string_view utf8);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_UTF8_H_
