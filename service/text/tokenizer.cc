#include "service/text/tokenizer.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
// Inline XXH3 so calls on short, fixed-size inputs (one character, a
// window of 5 token hashes) are specialised instead of dispatched.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <memory>
#include <string>

#include "absl/base/config.h"
#include "absl/strings/str_cat.h"
#include "service/common/check.h"
#include "service/common/status_macros.h"
#include "service/text/fold.h"
#include "service/text/utf8.h"

namespace neardup::text {
namespace {

// True for ideographs and kana that NFKC_Casefold leaves unchanged: CJK
// Unified Ideographs and Extension A, Hiragana and Katakana letters.
bool IsPlainCjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA);
}

enum class CpClass { kSeparator, kWord, kChar, kMark };

// True for code points of scripts written without spaces between words.
bool IsUnsegmented(char32_t cp) {
  // (Classify answers the common CJK and kana blocks before asking here.)
  if (cp < 0x0E00) return false;  // below Thai: nothing unsegmented
  static constexpr UScriptCode kScripts[] = {
      USCRIPT_HAN,      USCRIPT_HIRAGANA, USCRIPT_KATAKANA,
      USCRIPT_BOPOMOFO, USCRIPT_THAI,     USCRIPT_LAO,
      USCRIPT_KHMER,    USCRIPT_MYANMAR,  USCRIPT_YI};
  // Script extensions, so that e.g. the prolonged sound mark U+30FC (script
  // Common, used by Hiragana and Katakana) counts as Kana.
  for (UScriptCode script : kScripts) {
    if (uscript_hasScript(static_cast<UChar32>(cp), script)) return true;
  }
  return false;
}

// True for ASCII letters and digits.
bool IsAsciiWordByte(unsigned char c) {
  return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
}

CpClass Classify(char32_t cp) {
  if (cp < 0x80) {
    return IsAsciiWordByte(static_cast<unsigned char>(cp))
               ? CpClass::kWord
               : CpClass::kSeparator;
  }
  // The common non-ASCII case first, without asking ICU.
  if (IsPlainCjk(cp)) return CpClass::kChar;
  const uint32_t mask = U_GET_GC_MASK(static_cast<UChar32>(cp));
  if (mask & U_GC_M_MASK) return CpClass::kMark;
  if (mask & (U_GC_L_MASK | U_GC_N_MASK)) {
    return IsUnsegmented(cp) ? CpClass::kChar : CpClass::kWord;
  }
  return CpClass::kSeparator;
}

// Writes the UTF-8 encoding of `cp` (a BMP or supplementary code point) to
// `buf` and returns its length.
size_t EncodeUtf8(char32_t cp, char* buf) {
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  buf[0] = static_cast<char>(0xF0 | (cp >> 18));
  buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// Token hashes of the plain ideographs and kana (IsPlainCjk), indexed by
// code point - kCjkBase, with and without Traditional folding: one load per
// Chinese character instead of fold + encode + hash. 2 x 224 KiB, built on
// first use.
constexpr char32_t kCjkBase = 0x3000;
constexpr char32_t kCjkEnd = 0xA000;

uint64_t CharHash(char32_t cp) {
  char buf[4];
  return XXH3_64bits(buf, EncodeUtf8(cp, buf));
}

std::vector<uint64_t>* BuildCjkHashes(bool fold) {
  auto* t = new std::vector<uint64_t>(kCjkEnd - kCjkBase);
  for (char32_t cp = kCjkBase; cp < kCjkEnd; ++cp) {
    (*t)[cp - kCjkBase] =
        CharHash(fold && IsPlainCjk(cp) ? FoldTraditional(cp) : cp);
  }
  return t;
}

// REQUIRES (fold): LoadTraditionalFolding() OK.
const uint64_t* CjkHashes(bool fold) {
  if (fold) {
    static const std::vector<uint64_t>* const folded = BuildCjkHashes(true);
    return folded->data();
  }
  static const std::vector<uint64_t>* const plain = BuildCjkHashes(false);
  return plain->data();
}

// True if NFKC_Casefold leaves the UTF-8 bytes `s` unchanged without asking
// ICU: lower-case ASCII.
bool IsTriviallyNormalized(std::string_view s, bool* ascii_upper) {
  bool ascii = true;
  *ascii_upper = false;
  for (unsigned char c : s) {
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    if (c >= 'A' && c <= 'Z') *ascii_upper = true;
  }
  // Single ideographs and kana never get here: Emit's fast path takes them.
  return ascii && !*ascii_upper;
}

// Builds tokens: owns the ICU normalizer handle and the digest state.
class Tokenizer {
 public:
  explicit Tokenizer(const TokenizeOptions& options)
      : options_(options), cjk_hashes_(CjkHashes(options.fold_traditional)) {
    UErrorCode error = U_ZERO_ERROR;
    nfkc_cf_ = icu::Normalizer2::getNFKCCasefoldInstance(error);
    NEARDUP_CHECK(U_SUCCESS(error) && nfkc_cf_ != nullptr);
  }
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Emits the token `text[byte_start, byte_end)` of class `cls`.
  // `first` is the token's first code point.
  void Emit(std::string_view text, uint32_t byte_start, uint32_t byte_end,
            uint32_t cp_start, uint32_t cp_end, TokenClass cls,
            char32_t first) {
    if (cls == TokenClass::kChar && cp_end - cp_start == 1 &&
        IsPlainCjk(first)) {
      // Fast path: one ideograph or kana, which NFKC_Casefold leaves alone.
      EmitPlainCjk(first, byte_start, cp_start);
      return;
    }
    std::string_view norm =
        Normalize(text.substr(byte_start, byte_end - byte_start));
    if (norm.empty()) return;  // e.g. a lone default-ignorable character
    if (cls == TokenClass::kChar && options_.fold_traditional) {
      norm = Fold(norm);
    }
    Push(Token{XXH3_64bits(norm.data(), norm.size()), byte_start, byte_end,
               cp_start, cp_end, cls});
  }

  // Emits the plain ideograph or kana `cp` (IsPlainCjk), three bytes at
  // byte `pos`, code point `cp_index`, on its own.
  void EmitPlainCjk(char32_t cp, uint32_t pos, uint32_t cp_index) {
    Push(Token{cjk_hashes_[cp - kCjkBase], pos, pos + 3, cp_index, cp_index + 1,
               TokenClass::kChar});
  }

  void Reserve(size_t tokens) { out_.tokens.reserve(tokens); }

  TokenizedText Finish() {
    out_.digest = DigestOf(out_.tokens);
    return std::move(out_);
  }

 private:
  // Returns the NFKC_Casefold form of `raw`, valid until the next call.
  std::string_view Normalize(std::string_view raw) {
    bool ascii_upper;
    if (IsTriviallyNormalized(raw, &ascii_upper)) return raw;
    scratch_.assign(raw.data(), raw.size());
    if (ascii_upper) {
      for (char& c : scratch_) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
      }
      return scratch_;
    }
    UErrorCode error = U_ZERO_ERROR;
    icu::UnicodeString folded =
        nfkc_cf_->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(
                                raw.data(), static_cast<int32_t>(raw.size()))),
                            error);
    NEARDUP_CHECK(U_SUCCESS(error));  // input is valid UTF-8
    scratch_.clear();
    folded.toUTF8String(scratch_);
    return scratch_;
  }

  // Returns `norm` (one character and its marks) with its first code point
  // folded to Simplified Chinese, valid until the next call.
  std::string_view Fold(std::string_view norm) {
    char32_t cp;
    const size_t len = DecodeUtf8(norm, 0, &cp);
    if (len == 0) return norm;
    const char32_t folded = FoldTraditional(cp);
    if (folded == cp) return norm;
    fold_scratch_.clear();
    AppendUtf8(folded, &fold_scratch_);
    fold_scratch_.append(norm.substr(len));
    return fold_scratch_;
  }

  void Push(const Token& t) { out_.tokens.push_back(t); }

  const TokenizeOptions options_;
  const uint64_t* const cjk_hashes_;
  const icu::Normalizer2* nfkc_cf_;
  std::string fold_scratch_;
  std::string scratch_;
  TokenizedText out_;
};

}  // namespace

absl::Status PrepareTokenizer() {
  NEARDUP_RETURN_IF_ERROR(LoadTraditionalFolding());
  CjkHashes(false);
  CjkHashes(true);
  return absl::OkStatus();
}

Digest128 DigestOf(absl::Span<const Token> tokens) {
  const std::vector<uint64_t> le = TokenHashesLe(tokens);
  const XXH128_hash_t d = XXH3_128bits(le.data(), le.size() * 8);
  return Digest128{d.low64, d.high64};
}

std::vector<uint64_t> TokenHashesLe(absl::Span<const Token> tokens) {
  std::vector<uint64_t> out(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
#ifdef ABSL_IS_LITTLE_ENDIAN
    out[i] = tokens[i].hash;
#else
    out[i] = __builtin_bswap64(tokens[i].hash);
#endif
  }
  return out;
}

absl::StatusOr<TokenizedText> Tokenize(std::string_view utf8,
                                       const TokenizeOptions& options) {
  if (utf8.size() > kMaxTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("text of ", utf8.size(), " bytes is over the limit of ",
                     kMaxTextBytes, " bytes"));
  }
  if (options.fold_traditional) {
    NEARDUP_RETURN_IF_ERROR(LoadTraditionalFolding());
  }

  Tokenizer tokenizer(options);
  // One token per 3 bytes of CJK text, fewer elsewhere: rarely a regrowth.
  tokenizer.Reserve(utf8.size() / 3 + 16);
  // The token being built, if `open`.
  bool open = false;
  TokenClass cls = TokenClass::kWord;
  uint32_t tok_byte = 0, tok_cp = 0, tok_len = 0;
  char32_t tok_first = 0;

  const auto* s = reinterpret_cast<const unsigned char*>(utf8.data());
  const uint32_t n = static_cast<uint32_t>(utf8.size());
  uint32_t pos = 0, cp_index = 0;
  auto close = [&]() {
    if (open) {
      tokenizer.Emit(utf8, tok_byte, pos, tok_cp, cp_index, cls, tok_first);
      open = false;
    }
  };
  auto start_token = [&](TokenClass c, char32_t cp) {
    close();
    open = true, cls = c, tok_byte = pos, tok_cp = cp_index, tok_len = 1,
    tok_first = cp;
  };
  auto extend_word = [&](char32_t cp) {
    if (open && cls == TokenClass::kWord && tok_len < kMaxWordCodePoints) {
      ++tok_len;
    } else {
      start_token(TokenClass::kWord, cp);
    }
  };
  // Decodes and classifies byte by byte where it can (ASCII, the CJK
  // blocks of U+3000..U+9FFF), and asks DecodeUtf8 and Classify elsewhere.
  // Validates as it goes.
  while (pos < n) {
    const unsigned char c = s[pos];
    if (c < 0x80) {
      if (IsAsciiWordByte(c)) {
        extend_word(c);
      } else {
        close();
      }
      ++pos, ++cp_index;
      continue;
    }
    if (c >= 0xE3 && c <= 0xE9 && pos + 2 < n && (s[pos + 1] & 0xC0) == 0x80 &&
        (s[pos + 2] & 0xC0) == 0x80) {
      // A 3-byte sequence with these lead bytes is never overlong or a
      // surrogate.
      const char32_t cp = ((c & 0x0Fu) << 12) | ((s[pos + 1] & 0x3Fu) << 6) |
                          (s[pos + 2] & 0x3Fu);
      if (IsPlainCjk(cp)) {
        close();
        // Emitted at once unless a combining mark may follow (only marks
        // extend a character token): ASCII, the end, or another ideograph
        // of U+4000..U+9FFF (lead bytes E4..E9) next.
        const uint32_t next = pos + 3;
        if (next == n || s[next] < 0x80 ||
            (s[next] >= 0xE4 && s[next] <= 0xE9)) {
          tokenizer.EmitPlainCjk(cp, pos, cp_index);
        } else {
          start_token(TokenClass::kChar, cp);
        }
        pos = next, ++cp_index;
        continue;
      }
    }
    char32_t cp;
    const size_t len = DecodeUtf8(utf8, pos, &cp);
    if (len == 0) return ValidateUtf8(utf8, "content");  // names the offset
    switch (Classify(cp)) {
      case CpClass::kSeparator:
        close();
        break;
      case CpClass::kMark:
        // Combining marks extend the open token; a mark with no base is
        // dropped.
        break;
      case CpClass::kWord:
        extend_word(cp);
        break;
      case CpClass::kChar:
        start_token(TokenClass::kChar, cp);
        break;
    }
    pos += static_cast<uint32_t>(len);
    ++cp_index;
  }
  close();
  return tokenizer.Finish();
}

}  // namespace neardup::text
