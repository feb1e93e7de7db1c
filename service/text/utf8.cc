#include "service/text/utf8.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace neardup::text {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

size_t DecodeUtf8(std::string_view text, size_t pos, char32_t* cp) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  unsigned char c = s[pos];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  char32_t value;
  char32_t min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, value = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, value = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, value = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > n) return 0;
  for (size_t i = 1; i < len; ++i) {
    if (!IsContinuation(s[pos + i])) return 0;
    value = (value << 6) | (s[pos + i] & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *cp = value;
  return len;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

absl::Status ValidateUtf8(std::string_view text, std::string_view what) {
  size_t pos = 0;
  while (pos < text.size()) {
    // ASCII fast path: 8 bytes at a time.
    while (pos + 8 <= text.size()) {
      uint64_t word;
      __builtin_memcpy(&word, text.data() + pos, 8);
      if (word & 0x8080808080808080ULL) break;
      pos += 8;
    }
    if (pos >= text.size()) break;
    char32_t cp;
    size_t len = DecodeUtf8(text, pos, &cp);
    if (len == 0) {
      std::string bytes;
      for (size_t i = pos; i < text.size() && i < pos + 4; ++i) {
        absl::StrAppend(
            &bytes, i == pos ? "" : " ",
            absl::StrFormat("0x%02x", static_cast<unsigned char>(text[i])));
      }
      return absl::InvalidArgumentError(absl::StrCat(
          absl::string_view(what.data(), what.size()),
          " is not valid UTF-8 at byte offset ", pos, " (", bytes, ")"));
    }
    pos += len;
  }
  return absl::OkStatus();
}

}  // namespace neardup::text
