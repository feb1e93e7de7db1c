#include "service/text/analyze.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"
#include "service/text/decode.h"
#include "service/text/html.h"
#include "service/text/token_offsets.h"
#include "service/text/utf8.h"

namespace neardup::text {
namespace {

// Maps byte offsets of a decoded UTF-8 text to (byte offset, code point
// index) in the original input. Samples the code point count every 256
// bytes, so a lookup scans at most 255 bytes in any order.
class Locator {
 public:
  explicit Locator(const DecodedText& d) : d_(d), text_(d.text()) {
    const std::string_view s = text_;
    samples_.reserve(s.size() / kStep + 1);
    uint32_t cps = 0;
    for (size_t base = 0; base < s.size(); base += kStep) {
      samples_.push_back(cps);
      const size_t end = std::min(s.size(), base + kStep);
      uint32_t n = 0;  // a loop the compiler vectorizes
      for (size_t i = base; i < end; ++i) {
        n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
      }
      cps += n;
    }
    if (s.size() % kStep == 0) samples_.push_back(cps);
  }

  // Returns the code point index of decoded byte `b` (a code point start
  // or the end). Asked in ascending order (tokens), it counts on from the
  // last answer instead of from the sample before `b`.
  uint32_t CodePointAt(uint32_t b) {
    uint32_t from = b - b % kStep;
    uint32_t cps = samples_[b / kStep];
    if (last_byte_ <= b && last_byte_ > from) {
      from = last_byte_;
      cps = last_cps_;
    }
    for (uint32_t i = from; i < b; ++i) {
      cps += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
    }
    last_byte_ = b;
    last_cps_ = cps;
    return cps;
  }

  // Returns the input byte offset of decoded byte `b` whose code point
  // index is `cp`.
  uint32_t InputByte(uint32_t b, uint32_t cp) const {
    return d_.input_offsets.empty() ? b + d_.bom_bytes : d_.input_offsets[cp];
  }

 private:
  static constexpr uint32_t kStep = 256;
  const DecodedText& d_;
  const std::string_view text_;
  std::vector<uint32_t> samples_;
  uint32_t last_byte_ = 0;  // the last answer: byte, code point index
  uint32_t last_cps_ = 0;
};

// Returns the offset of the code point after the one at `b`, or `b` at the
// end of `s`.
uint32_t NextCodePoint(std::string_view s, uint32_t b) {
  if (b >= s.size()) return b;
  ++b;
  while (b < s.size() && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) ++b;
  return b;
}

// Returns the offset of the code point before `b` (0 at the start).
uint32_t PreviousCodePoint(std::string_view s, uint32_t b) {
  if (b == 0) return 0;
  --b;
  while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
  return b;
}

bool IsHtml(std::string_view decoded, ContentType type) {
  if (type == ContentType::kAuto) return LooksLikeHtml(decoded);
  return type == ContentType::kHtml;
}

// Completes an analysis from its tokens: the shingles, or "no text".
absl::StatusOr<Analysis> Finish(std::string_view content,
                                const TextParams& params, TokenizedText text,
                                std::string charset, bool html) {
  if (text.tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no text: content (", content.size(), " bytes", html ? " of HTML" : "",
        ") has no letters, digits or characters to fingerprint"));
  }
  Analysis a;
  a.text = std::move(text);
  a.charset = std::move(charset);
  a.html = html;
  a.shingles = ShingleHashes(a.text.tokens, params.shingle);
  a.shingle_set = ShingleSet(a.shingles);
  return a;
}

}  // namespace

absl::StatusOr<Analysis> Analyze(std::string_view content,
                                 const TextParams& params,
                                 const InputOptions& input,
                                 std::string* decoded_out,
                                 ExtractedText* extracted) {
  if (content.size() > kMaxContentBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "content of ", content.size(), " bytes is over the limit of ",
        kMaxContentBytes, " bytes"));
  }
  TokenizeOptions tokenize_options;
  tokenize_options.fold_traditional = params.fold_traditional;
  const std::optional<uint32_t> utf8_start = Utf8Start(content, input.charset);
  if (utf8_start.has_value() &&
      !IsHtml(content.substr(*utf8_start), input.content_type)) {
    // The common case, in one pass: plain text that is valid UTF-8 (as
    // Decode would find) tokenizes as it is, offsets are input offsets
    // (after a byte order mark). Invalid UTF-8 falls through to Decode,
    // which detects the charset.
    absl::StatusOr<TokenizedText> tokens =
        Tokenize(content.substr(*utf8_start), tokenize_options);
    if (tokens.ok() || !absl::IsInvalidArgument(tokens.status())) {
      NEARDUP_ASSIGN_OR_RETURN(TokenizedText t, std::move(tokens));
      if (*utf8_start > 0) {  // after a byte order mark
        for (Token& token : t.tokens) {
          token.byte_start += *utf8_start;
          token.byte_end += *utf8_start;
        }
      }
      if (decoded_out != nullptr) {
        decoded_out->assign(content.substr(*utf8_start));
      }
      return Finish(content, params, std::move(t), "UTF-8", false);
    }
  }
  DecodeOptions decode_options;
  decode_options.charset = input.charset;
  decode_options.lenient = input.lenient;
  NEARDUP_ASSIGN_OR_RETURN(DecodedText decoded,
                           Decode(content, decode_options));

  Analysis a;
  a.charset = decoded.charset;
  a.html = IsHtml(decoded.text(), input.content_type);

  // Here the content is HTML, or needed converting or repairing (plain
  // valid UTF-8 took the fast path above).
  HtmlText html;
  if (a.html) {
    HtmlOptions html_options;
    html_options.main_content = input.main_content;
    NEARDUP_ASSIGN_OR_RETURN(html,
                             ExtractHtmlText(decoded.text(), html_options));
  }
  const std::string_view text = a.html ? html.text : decoded.text();
  if (a.html && !ValidateUtf8(text, "extracted text").ok()) {
    // The extractor always writes valid UTF-8; a failure here is a bug,
    // reported rather than crashing the tokenizer.
    return absl::InternalError("HTML extraction produced invalid UTF-8");
  }
  NEARDUP_ASSIGN_OR_RETURN(a.text, Tokenize(text, tokenize_options));
  if (decoded_out != nullptr) decoded_out->assign(decoded.text());
  std::vector<Token> derived;  // offsets into `text`, for `extracted`
  if (extracted != nullptr && a.html) derived = a.text.tokens;
  // Token offsets: text -> decoded (HTML map) -> input (charset map).
  Locator locate(decoded);
  OffsetMap::Cursor html_map(html.map);
  for (Token& t : a.text.tokens) {
    uint32_t d_start =
        a.html ? html_map.SourceStart(t.byte_start) : t.byte_start;
    uint32_t d_end = a.html ? html_map.SourceEnd(t.byte_end) : t.byte_end;
    if (d_end <= d_start) {
      // Text with no source bytes of its own (the parser made it up at
      // the end of input): give it the code point at its position.
      d_end = NextCodePoint(decoded.text(), d_start);
      if (d_end == d_start) {
        d_start = PreviousCodePoint(decoded.text(), d_start);
      }
    }
    t.cp_start = locate.CodePointAt(d_start);
    t.cp_end = locate.CodePointAt(d_end);
    t.byte_start = locate.InputByte(d_start, t.cp_start);
    t.byte_end = locate.InputByte(d_end, t.cp_end);
  }
  if (extracted != nullptr && a.html) {
    extracted->token_offsets = EncodeTokenOffsets(derived, a.text.tokens);
    extracted->text = std::move(html.text);
  }
  return Finish(content, params, std::move(a.text), std::move(a.charset),
                a.html);
}

absl::StatusOr<Analysis> AnalyzeText(std::string_view utf8,
                                     const TextParams& params) {
  NEARDUP_RETURN_IF_ERROR(ValidateUtf8(utf8, "text"));
  TokenizeOptions tokenize_options;
  tokenize_options.fold_traditional = params.fold_traditional;
  NEARDUP_ASSIGN_OR_RETURN(TokenizedText t, Tokenize(utf8, tokenize_options));
  return Finish(utf8, params, std::move(t), "UTF-8", false);
}

void RemoveTokens(absl::Span<const TokenRange> ranges, const TextParams& params,
                  Analysis* a) {
  if (ranges.empty()) return;
  std::vector<Token>& tokens = a->text.tokens;
  size_t kept = 0, next = 0;
  for (const TokenRange& r : ranges) {
    for (; next < r.begin; ++next) tokens[kept++] = tokens[next];
    next = r.end;
  }
  for (; next < tokens.size(); ++next) tokens[kept++] = tokens[next];
  tokens.resize(kept);
  a->text.digest = DigestOf(tokens);
  a->shingles = ShingleHashes(tokens, params.shingle);
  a->shingle_set = ShingleSet(a->shingles);
}

}  // namespace neardup::text
