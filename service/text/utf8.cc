#include "service/text/utf8.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace neardup::text {
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

std::string ReplaceInvalidUtf8(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    char32_t cp;
    const size_t len = DecodeUtf8(raw, i, &cp);
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

std::vector<uint32_t> CodePointOffsets(std::string_view utf8) {
  std::vector<uint32_t> at;
  for (size_t i = 0; i < utf8.size(); ++i) {
    if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) {
      at.push_back(static_cast<uint32_t>(i));
    }
  }
  at.push_back(static_cast<uint32_t>(utf8.size()));
  return at;
}

}  // namespace neardup::text
