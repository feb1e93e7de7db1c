// UTF-8 helpers for the CLI's output (JSON strings, HTML pages): files may
// be in any encoding, output must be UTF-8.

#ifndef NEARDUP_CLIENT_UTF8_H_
#define NEARDUP_CLIENT_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace neardup::client {

// Returns the length of the well-formed UTF-8 sequence starting at
// text[i] (1 to 4), or 0 if none starts there. REQUIRES: i < size.
inline size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  const size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
  if (len == 0 || i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
  }
  return len;
}

// Returns `raw` with every byte that does not start a well-formed UTF-8
// sequence replaced by U+FFFD.
inline std::string ValidUtf8(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    const size_t len = Utf8SequenceLength(raw, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(raw.substr(i, len));
      i += len;
    }
  }
  return out;
}

// Returns the byte offset of every code point of `utf8` (valid UTF-8), and
// its size last: code point i is bytes [at[i], at[i+1]).
inline std::vector<uint32_t> CodePointOffsets(std::string_view utf8) {
  std::vector<uint32_t> at;
  for (size_t i = 0; i < utf8.size(); ++i) {
    if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) {
      at.push_back(static_cast<uint32_t>(i));
    }
  }
  at.push_back(static_cast<uint32_t>(utf8.size()));
  return at;
}

}  // namespace neardup::client

#endif  // NEARDUP_CLIENT_UTF8_H_
