#include "service/text/decode.h"

#include <uchardet/uchardet.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "service/text/utf8.h"

namespace neardup::text {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Detection looks at this much of the input: enough for uchardet's
// statistics, bounded for huge documents.
constexpr size_t kDetectBytes = 256 * 1024;

// Returns up to 4 bytes at `offset` as "0xNN 0xNN".
std::string BytesAt(std::string_view input, size_t offset) {
  std::string out;
  for (size_t i = offset; i < input.size() && i < offset + 4; ++i) {
    absl::StrAppend(
        &out, i == offset ? "" : " ",
        absl::StrFormat("0x%02x", static_cast<unsigned char>(input[i])));
  }
  return out;
}

absl::Status Undecodable(std::string_view input, size_t offset,
                         std::string_view charset) {
  return absl::InvalidArgumentError(
      absl::StrCat("content is not valid ", AbslView(charset),
                   " at byte offset ", offset, " (", BytesAt(input, offset),
                   "); declare the right charset or ask for lenient decoding"));
}

// UTF-8 with bad sequences replaced by U+FFFD (one per bad byte), with the
// offset table.
DecodedText RepairUtf8(std::string_view input, uint32_t skip) {
  DecodedText out;
  out.charset = "UTF-8";
  out.utf8.reserve(input.size());
  out.input_offsets.reserve(input.size() + 1);
  size_t pos = skip;
  while (pos < input.size()) {
    char32_t cp;
    size_t len = DecodeUtf8(input, pos, &cp);
    if (len == 0) cp = 0xFFFD, len = 1;
    out.input_offsets.push_back(static_cast<uint32_t>(pos));
    AppendUtf8(cp, &out.utf8);
    pos += len;
  }
  out.input_offsets.push_back(static_cast<uint32_t>(input.size()));
  return out;
}

// Returns the MIME (else IANA) name of the converter, the name users know
// ("windows-1252", not ICU's "ibm-5348_P100-1997").
std::string StandardName(UConverter* cnv) {
  UErrorCode error = U_ZERO_ERROR;
  const char* icu_name = ucnv_getName(cnv, &error);
  if (U_FAILURE(error) || icu_name == nullptr) return "unknown";
  for (const char* standard : {"MIME", "IANA"}) {
    error = U_ZERO_ERROR;
    const char* name = ucnv_getStandardName(icu_name, standard, &error);
    if (U_SUCCESS(error) && name != nullptr) return name;
  }
  return icu_name;
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

// Converts `input[skip:]` from `charset` with ICU.
absl::StatusOr<DecodedText> Convert(std::string_view input, uint32_t skip,
                                    std::string_view charset, bool lenient) {
  UErrorCode error = U_ZERO_ERROR;
  const std::string name(charset);
  std::unique_ptr<UConverter, ConverterCloser> cnv(
      ucnv_open(name.c_str(), &error));
  if (U_FAILURE(error) || cnv == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown charset: ", AbslView(charset)));
  }
  if (!lenient) {
    ucnv_setToUCallBack(cnv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr,
                        nullptr, &error);
  }
  const char* source = input.data() + skip;
  const char* const source_limit = input.data() + input.size();
  // A byte never yields more than two UTF-16 units.
  std::vector<UChar> units(2 * (input.size() - skip) + 16);
  std::vector<int32_t> offsets(units.size());
  UChar* target = units.data();
  error = U_ZERO_ERROR;
  ucnv_toUnicode(cnv.get(), &target, units.data() + units.size(), &source,
                 source_limit, offsets.data(), /*flush=*/true, &error);
  if (U_FAILURE(error)) {
    char bad[32];
    int8_t bad_len = sizeof(bad);
    UErrorCode ignored = U_ZERO_ERROR;
    ucnv_getInvalidChars(cnv.get(), bad, &bad_len, &ignored);
    const size_t at = static_cast<size_t>(source - input.data()) -
                      static_cast<size_t>(std::max<int8_t>(bad_len, 0));
    return Undecodable(input, at, StandardName(cnv.get()));
  }
  DecodedText out;
  out.charset = StandardName(cnv.get());
  const int32_t n = static_cast<int32_t>(target - units.data());
  out.utf8.reserve(static_cast<size_t>(n) * 2);
  out.input_offsets.reserve(static_cast<size_t>(n) + 1);
  uint32_t last = skip;
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 cp;
    U16_NEXT(units.data(), i, n, cp);
    if (U_IS_SURROGATE(cp)) cp = 0xFFFD;  // unpaired: only from bad input
    // Offsets are relative to `source` at the call; -1 marks units that
    // no input byte produced directly: keep the previous offset.
    if (offsets[start] >= 0)
      last = skip + static_cast<uint32_t>(offsets[start]);
    out.input_offsets.push_back(last);
    AppendUtf8(static_cast<char32_t>(cp), &out.utf8);
  }
  out.input_offsets.push_back(static_cast<uint32_t>(input.size()));
  if (out.utf8.empty() && input.size() > skip) {
    return Undecodable(input, skip, out.charset);
  }
  return out;
}

struct Utf8Scan {
  size_t first_invalid = std::string_view::npos;
  size_t valid_multibyte = 0;  // well-formed sequences of 2-4 bytes
  size_t invalid = 0;          // bytes that start no valid sequence
};

// Scans `input` from `from` for UTF-8 validity.
Utf8Scan ScanUtf8(std::string_view input, size_t from) {
  Utf8Scan scan;
  size_t pos = from;
  while (pos < input.size()) {
    if (static_cast<unsigned char>(input[pos]) < 0x80) {
      ++pos;
      continue;
    }
    char32_t cp;
    const size_t len = DecodeUtf8(input, pos, &cp);
    if (len == 0) {
      if (scan.first_invalid == std::string_view::npos) {
        scan.first_invalid = pos;
      }
      ++scan.invalid;
      ++pos;
    } else {
      ++scan.valid_multibyte;
      pos += len;
    }
  }
  return scan;
}

// Returns the ICU name for a charset name uchardet reports, where the two
// differ; other names are returned unchanged.
std::string IcuNameForDetected(const std::string& detected) {
  static constexpr std::pair<const char*, const char*> kAliases[] = {
      {"UHC", "windows-949"},
      {"HZ-GB-2312", "HZ"},
      {"MAC-CYRILLIC", "x-mac-cyrillic"},
      {"MAC-CENTRALEUROPE", "x-mac-centraleurroman"},
      {"EUC-TW", "x-euc-tw"},
  };
  for (const auto& [from, to] : kAliases) {
    if (detected == from) return to;
  }
  return detected;
}

// What undeclared input without a byte order mark looks like, from its
// first kSniffBytes: UTF-16 without a byte order mark (a NUL in every
// other byte: text in a Latin, Cyrillic or Greek script, or with the
// spaces and digits of any script), binary (other NUL bytes, or more than
// a tenth control bytes), or text.
enum class Sniffed { kText, kUtf16Le, kUtf16Be, kBinary };

constexpr size_t kSniffBytes = 64 * 1024;

struct Sniff {
  Sniffed kind = Sniffed::kText;
  size_t first_nul = std::string_view::npos;
  size_t controls = 0;
};

Sniff SniffUndeclared(std::string_view input) {
  const std::string_view sample = input.substr(0, kSniffBytes);
  Sniff out;
  if (sample.find('\0') == std::string_view::npos) {
    // The common case: no NUL at all, so only control bytes can tell, and
    // binary junk is dense with them from its start (the first 8 KB are
    // counted: this runs on every document).
    const std::string_view head = sample.substr(0, 8192);
    for (const char ch : head) {
      const auto c = static_cast<unsigned char>(ch);
      out.controls +=
          c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f';
    }
    if (out.controls * 10 > head.size()) out.kind = Sniffed::kBinary;
    return out;
  }
  size_t nul[2] = {0, 0};  // at even and odd offsets
  for (size_t i = 0; i < sample.size(); ++i) {
    if (sample[i] != '\0') continue;
    if (out.first_nul == std::string_view::npos) out.first_nul = i;
    ++nul[i & 1];
  }
  const size_t units = sample.size() / 2;
  // A fifth of the code units with a zero byte on one side and almost
  // none on the other: UTF-16, in the byte order the zeros say. Eight
  // units at least: a few bytes of junk have that shape by chance.
  if (units >= 8 && nul[1] * 5 >= units && nul[0] * 50 <= units) {
    out.kind = Sniffed::kUtf16Le;
  } else if (units >= 8 && nul[0] * 5 >= units && nul[1] * 50 <= units) {
    out.kind = Sniffed::kUtf16Be;
  } else {
    out.kind = Sniffed::kBinary;
  }
  return out;
}

}  // namespace

bool IsUtf8Charset(std::string_view charset) {
  const std::string lower = absl::AsciiStrToLower(AbslView(charset));
  return lower == "utf-8" || lower == "utf8";
}

std::optional<uint32_t> Utf8Start(std::string_view input,
                                  std::string_view charset) {
  if (!charset.empty() && !IsUtf8Charset(charset)) return std::nullopt;
  if (input.substr(0, 3) == "\xEF\xBB\xBF") return 3;
  if (charset.empty()) {
    if (input.substr(0, 2) == "\xFF\xFE" || input.substr(0, 2) == "\xFE\xFF") {
      return std::nullopt;  // UTF-16
    }
    // UTF-16 without a byte order mark, or binary: Decode decides.
    if (SniffUndeclared(input).kind != Sniffed::kText) return std::nullopt;
  }
  return 0;
}

absl::StatusOr<DecodedText> Decode(std::string_view input,
                                   const DecodeOptions& options) {
  const std::optional<uint32_t> utf8_start = Utf8Start(input, options.charset);
  if (!utf8_start.has_value()) {
    if (!options.charset.empty()) {
      return Convert(input, 0, options.charset, options.lenient);
    }
    if (input.substr(0, 2) == "\xFF\xFE" || input.substr(0, 2) == "\xFE\xFF") {
      return Convert(input, 2, input[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE",
                     options.lenient);
    }
    const Sniff sniff = SniffUndeclared(input);
    if (sniff.kind == Sniffed::kUtf16Le || sniff.kind == Sniffed::kUtf16Be) {
      return Convert(input, 0,
                     sniff.kind == Sniffed::kUtf16Le ? "UTF-16LE" : "UTF-16BE",
                     options.lenient);
    }
    // Binary data, valid UTF-8 or not: refused rather than fingerprinted.
    if (options.lenient) return RepairUtf8(input, 0);
    if (sniff.first_nul != std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "content looks like binary data (NUL byte at offset ",
          sniff.first_nul, "); declare the charset if it is text"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "content looks like binary data (", sniff.controls,
        " control bytes in the first ", std::min<size_t>(input.size(), 8192),
        "); declare the charset if it is text"));
  }
  const uint32_t skip = *utf8_start;
  const bool utf8_bom = skip > 0;
  const Utf8Scan scan = ScanUtf8(input, skip);
  const size_t bad = scan.first_invalid;
  if (bad == std::string_view::npos) {
    DecodedText out;
    out.charset = "UTF-8";
    out.bom_bytes = skip;
    out.borrowed = true;
    out.input_text = input.substr(skip);
    return out;
  }
  // Mostly well-formed UTF-8 with a few bad bytes is damaged UTF-8, not a
  // legacy charset (whose text is almost never valid UTF-8 by accident).
  const bool damaged_utf8 = scan.valid_multibyte >= 4 * scan.invalid;
  if (!options.charset.empty() || utf8_bom || damaged_utf8) {
    // Declared, marked or evidently UTF-8 that is not valid.
    if (options.lenient) return RepairUtf8(input, skip);
    return Undecodable(input, bad, "UTF-8");
  }
  // Text in a legacy charset has no NUL bytes and few control characters;
  // binary data has both. Refuse it rather than read it as Latin-1.
  const std::string_view sample = input.substr(0, kDetectBytes);
  size_t controls = 0;
  for (size_t i = 0; i < sample.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(sample[i]);
    if (c == 0) {
      if (options.lenient) return RepairUtf8(input, 0);
      return absl::InvalidArgumentError(
          absl::StrCat("content looks like binary data (NUL byte at offset ", i,
                       ") and is not valid UTF-8 (byte offset ", bad,
                       "); declare the charset if it is text"));
    }
    controls += c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f';
  }
  if (controls * 10 > sample.size()) {
    if (options.lenient) return RepairUtf8(input, 0);
    return absl::InvalidArgumentError(
        absl::StrCat("content looks like binary data (", controls,
                     " control bytes) and is not valid UTF-8 (byte offset ",
                     bad, "); declare the charset if it is text"));
  }
  uchardet_t detector = uchardet_new();
  uchardet_handle_data(detector, input.data(),
                       std::min(input.size(), kDetectBytes));
  uchardet_data_end(detector);
  std::string detected = uchardet_get_charset(detector);
  uchardet_delete(detector);
  if (detected.empty() || IsUtf8Charset(detected) || detected == "ASCII") {
    if (options.lenient) return RepairUtf8(input, 0);
    return absl::InvalidArgumentError(absl::StrCat(
        "content is not valid UTF-8 at byte offset ", bad, " (",
        BytesAt(input, bad),
        ") and its charset could not be detected; declare the charset or "
        "ask for lenient decoding"));
  }
  auto converted =
      Convert(input, 0, IcuNameForDetected(detected), options.lenient);
  if (!converted.ok() &&
      absl::StartsWith(converted.status().message(), "unknown charset")) {
    // Detected a charset ICU cannot convert: as good as undetected.
    if (options.lenient) return RepairUtf8(input, 0);
    return absl::InvalidArgumentError(absl::StrCat(
        "content is not valid UTF-8 at byte offset ", bad, " (",
        BytesAt(input, bad), ") and its detected charset ", detected,
        " cannot be converted; declare the charset or ask for lenient "
        "decoding"));
  }
  return converted;
}

}  // namespace neardup::text
