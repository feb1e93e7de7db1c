// Decoding of document bytes in any common charset to UTF-8, keeping the
// byte offset in the input of every decoded code point.
//
// Order of decisions: a declared charset wins; else a byte-order mark
// (UTF-8, UTF-16LE/BE); else valid UTF-8 passes through untouched; else
// text whose non-ASCII bytes are mostly well-formed UTF-8 is damaged UTF-8
// (an error naming the first bad byte); else the charset is detected
// (uchardet) and converted (ICU converters): GB18030 /
// GBK, Big5, Shift_JIS, EUC-JP, EUC-KR, Windows-125x, ISO-8859-x, KOI8-R,
// UTF-16, and the rest of what uchardet names and ICU knows.
//
// Bytes that cannot be decoded are an INVALID_ARGUMENT naming the byte
// offset, unless `lenient`, in which case each bad sequence becomes U+FFFD.

#ifndef NEARDUP_SERVICE_TEXT_DECODE_H_
#define NEARDUP_SERVICE_TEXT_DECODE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace neardup::text {

struct DecodeOptions {
  // Charset the sender declared (HTTP header, meta tag, request field):
  // any name ICU knows, case-insensitive ("gbk", "Big5", "shift_jis",
  // "windows-1252", "utf-16le"). Empty: detect.
  std::string_view charset;
  // Replace undecodable bytes with U+FFFD instead of failing.
  bool lenient = false;
};

struct DecodedText {
  // The text as valid UTF-8, without a byte-order mark: `utf8`, or, when the
  // input was valid UTF-8 already, a view of the input (no copy; the input
  // must outlive this).
  std::string_view text() const { return borrowed ? input_text : utf8; }

  std::string utf8;             // converted text, when not borrowed
  bool borrowed = false;        // text() is `input_text`
  std::string_view input_text;  // the input after any BOM, when borrowed
  // The charset used: "UTF-8" or the converter's name.
  std::string charset;
  // If empty, `utf8` is the input itself, byte for byte (possibly after a
  // UTF-8 BOM of `bom_bytes`). Otherwise element i is the input byte offset
  // where code point i of `utf8` starts, and the last element is the input
  // size: code point i came from input bytes [starts[i], starts[i+1]).
  std::vector<uint32_t> input_offsets;
  // Bytes of a UTF-8 BOM skipped at the start of the input (0 or 3).
  uint32_t bom_bytes = 0;
};

// True for the names of UTF-8 ("UTF-8", "utf8", any case).
bool IsUtf8Charset(std::string_view charset);

// Where Decode reads `input` as UTF-8 from, judged by the declared
// `charset` and the first bytes alone: 3 after a UTF-8 byte order mark,
// else 0. nullopt if Decode reads it as another charset (one declared, or
// UTF-16 by its byte order mark).
std::optional<uint32_t> Utf8Start(std::string_view input,
                                  std::string_view charset);

// Decodes `input`. Errors (INVALID_ARGUMENT): an unknown declared charset;
// undecodable bytes when not lenient, naming the offset and the charset.
// REQUIRES: input.size() < 2^32.
absl::StatusOr<DecodedText> Decode(std::string_view input,
                                   const DecodeOptions& options);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_DECODE_H_
