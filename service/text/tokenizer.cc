#include "service/text/tokenizer.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
// Inline XXH3 so calls on short, fixed-size inputs (one character, a
// window of 5 token hashes) are specialised instead of dispatched.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <string>

#include "absl/base/config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/common/check.h"
#include "service/common/status_macros.h"
#include "service/text/chinese_fold.h"
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

static_assert(kCjkBase == kDenseBegin && kCjkEnd == kDenseEnd,
              "the token hash tables and ChineseFolder::Flags share a range");

uint64_t CharHash(char32_t cp) {
  char buf[4];
  return XXH3_64bits(buf, EncodeUtf8(cp, buf));
}

// `folder` null: no folding.
std::vector<uint64_t>* BuildCjkHashes(const ChineseFolder* folder) {
  auto* t = new std::vector<uint64_t>(kCjkEnd - kCjkBase);
  for (char32_t cp = kCjkBase; cp < kCjkEnd; ++cp) {
    (*t)[cp - kCjkBase] = CharHash(
        folder != nullptr && IsPlainCjk(cp) ? folder->FoldChar(cp) : cp);
  }
  return t;
}

// `folder` null: no folding; else the loaded folder.
const uint64_t* CjkHashes(const ChineseFolder* folder) {
  if (folder != nullptr) {
    static const std::vector<uint64_t>* const folded = BuildCjkHashes(folder);
    return folded->data();
  }
  static const std::vector<uint64_t>* const plain = BuildCjkHashes(nullptr);
  return plain->data();
}

// Flags for a text that is not folded: none.
const uint8_t* NoFlags() {
  static const std::vector<uint8_t>* const zeros =
      new std::vector<uint8_t>(kCjkEnd - kCjkBase, 0);
  return zeros->data();
}

// True for a token that can be part of a run OpenCC's phrases apply to:
// one character of three UTF-8 bytes (the ideographs and kana of
// IsPlainCjk, or another character of an unsegmented script, which no
// phrase holds).
bool IsRunToken(const Token& t) {
  return t.cls == TokenClass::kChar && t.byte_end - t.byte_start == 3 &&
         t.cp_end - t.cp_start == 1;
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
  // `folder` null: no folding.
  Tokenizer(std::string_view text, const ChineseFolder* folder)
      : text_(text),
        folder_(folder),
        cjk_hashes_(CjkHashes(folder)),
        flags_(folder != nullptr ? folder->flags() : NoFlags()) {
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
    if (cls == TokenClass::kChar && folder_ != nullptr) {
      norm = Fold(norm);
    }
    Push(Token{XXH3_64bits(norm.data(), norm.size()), byte_start, byte_end,
               cp_start, cp_end, cls});
  }

  // Emits the plain ideograph or kana `cp` (IsPlainCjk), three bytes at
  // byte `pos`, code point `cp_index`, on its own.
  void EmitPlainCjk(char32_t cp, uint32_t pos, uint32_t cp_index) {
    const uint8_t f = flags_[cp - kCjkBase];
    // Both counts in one add: Traditional in the low half, Simplified in
    // the high half (kTraditional is bit 0, kSimplified bit 1).
    static_assert(ChineseFolder::kTraditional == 1 &&
                  ChineseFolder::kSimplified == 2);
    script_counts_ += (f & 1u) | (uint64_t{f & 2u} << 31);
    // (Without folding, NoFlags() leaves pair_end_ at ~0 and both counts
    // at 0: folder_, null then, is never used.)
    if (pos == pair_end_ && folder_->MayStartPairAt(pair_cp_, cp)) {
      // The character before, which may start a phrase or a word, and
      // this one, the next, may: a second look in FoldPhrases.
      pairs_.push_back(static_cast<uint32_t>(out_.tokens.size()) - 1);
    }
    if (f & ChineseFolder::kPairStart) {
      pair_cp_ = cp;
      pair_end_ = pos + 3;
    }
    if (f & (ChineseFolder::kAloneTaiwan | ChineseFolder::kAloneHongKong)) {
      alone_.push_back(static_cast<uint32_t>(out_.tokens.size()));
    }
    Push(Token{cjk_hashes_[cp - kCjkBase], pos, pos + 3, cp_index, cp_index + 1,
               TokenClass::kChar});
  }

  void Reserve(size_t tokens) { out_.tokens.reserve(tokens); }

  TokenizedText Finish() {
    // Character by character is right for Simplified text; Traditional
    // text gets OpenCC's phrases where a run of characters may hold one.
    if (traditional() > simplified() && !(pairs_.empty() && alone_.empty())) {
      FoldPhrases();
    }
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
    const char32_t folded = folder_->FoldChar(cp);
    if (folded == cp) return norm;
    fold_scratch_.clear();
    AppendUtf8(folded, &fold_scratch_);
    fold_scratch_.append(norm.substr(len));
    return fold_scratch_;
  }

  void Push(const Token& t) { out_.tokens.push_back(t); }

  // Refolds the runs of characters that hold a flagged token, phrase by
  // phrase, for the variant the text's evidence chooses.
  void FoldPhrases() {
    std::vector<Token>& tokens = out_.tokens;
    const uint32_t n = static_cast<uint32_t>(tokens.size());
    // Token t's character, and whether token t + 1 continues its run.
    auto cp_at = [&](uint32_t t) {
      char32_t cp = 0;
      DecodeUtf8(text_, tokens[t].byte_start, &cp);  // valid: a run token
      return cp;
    };
    auto continues = [&](uint32_t t) {
      return t + 1 < n && IsRunToken(tokens[t + 1]) &&
             tokens[t].byte_end == tokens[t + 1].byte_start;
    };
    // The characters from token t on, at most `max` of its run.
    char32_t window[PhraseDict::kMaxKeyLength];
    auto window_at = [&](uint32_t t, size_t max) {
      size_t len = 0;
      window[len++] = cp_at(t);
      while (len < max && continues(t + len - 1)) {
        window[len] = cp_at(t + static_cast<uint32_t>(len));
        ++len;
      }
      return std::u32string_view(window, len);
    };
    // Which variant: Taiwan's words against the mainland's.
    ChineseEvidence evidence{traditional(), simplified(), 0, 0};
    for (uint32_t t : pairs_) {
      folder_->CountWordsAt(window_at(t, PhraseDict::kMaxKeyLength), &evidence);
    }
    const ChineseVariant variant = ChooseVariant(evidence);
    // The tokens where the variant's tables may apply, in order.
    std::vector<uint32_t> look;
    std::merge(pairs_.begin(), pairs_.end(), alone_.begin(), alone_.end(),
               std::back_inserter(look));
    // The runs where a phrase or variant may apply, folded again whole.
    struct Run {
      uint32_t begin, end;  // tokens
    };
    std::vector<Token> out;  // their new tokens, one run after the other
    std::vector<std::pair<Run, size_t>> changed;  // run, its end in `out`
    bool same_count = true;
    std::vector<FoldedUnit> units;
    std::u32string cps;
    for (uint32_t t : look) {
      if (!changed.empty() && t < changed.back().first.end) continue;
      const std::u32string_view here = window_at(t, 2);
      if (!folder_->MayChangeAt(here[0], here.size() > 1 ? here[1] : 0,
                                variant)) {
        continue;
      }
      Run r{t, t + 1};
      while (r.begin > 0 && IsRunToken(tokens[r.begin - 1]) &&
             tokens[r.begin - 1].byte_end == tokens[r.begin].byte_start) {
        --r.begin;
      }
      while (continues(r.end - 1)) ++r.end;
      cps.clear();
      for (uint32_t k = r.begin; k < r.end; ++k) cps.push_back(cp_at(k));
      const std::u32string_view run = cps;
      units.clear();
      folder_->FoldRun(run, variant, &units);
      // A value that starts with Latin letters (隨身碟 -> U盤) continues a
      // word right before the run ("USB隨身碟" -> "USBU盘": one word).
      std::string prefix;
      uint32_t replace_begin = r.begin;
      if (!units.empty() && units[0].cp < 0x80 &&
          IsAsciiWordByte(static_cast<unsigned char>(units[0].cp)) &&
          r.begin > 0 && tokens[r.begin - 1].cls == TokenClass::kWord &&
          tokens[r.begin - 1].byte_end == tokens[r.begin].byte_start &&
          tokens[r.begin - 1].cp_end - tokens[r.begin - 1].cp_start <
              kMaxWordCodePoints) {
        const Token& word = tokens[r.begin - 1];
        prefix = std::string(Normalize(
            text_.substr(word.byte_start, word.byte_end - word.byte_start)));
        replace_begin = r.begin - 1;
      }
      for (size_t k = 0; k < units.size(); ++k) {
        const FoldedUnit& u = units[k];
        const Token& first = tokens[r.begin + u.begin];
        if (u.end - u.begin == 1 && u.cp == run[u.begin] && !IsPlainCjk(u.cp)) {
          out.push_back(first);  // kept as read (kana, Thai, ...)
          continue;
        }
        if (u.cp < 0x80) {
          // Latin letters or digits in a phrase's value (隨身碟 -> U盤):
          // one word, as the tokenizer would read it.
          std::string word = k == 0 ? prefix : std::string();
          const Token& start =
              k == 0 && !prefix.empty() ? tokens[replace_begin] : first;
          size_t j = k;
          while (j < units.size() && units[j].cp < 0x80 &&
                 IsAsciiWordByte(static_cast<unsigned char>(units[j].cp))) {
            word.push_back(static_cast<char>(
                absl::ascii_tolower(static_cast<unsigned char>(units[j].cp))));
            ++j;
          }
          if (j == k) continue;  // anything else separates
          const Token& last = tokens[r.begin + units[j - 1].end - 1];
          out.push_back(Token{XXH3_64bits(word.data(), word.size()),
                              start.byte_start, last.byte_end, start.cp_start,
                              last.cp_end, TokenClass::kWord});
          k = j - 1;
          continue;
        }
        const Token& last = tokens[r.begin + u.end - 1];
        const uint64_t hash = IsPlainCjk(u.cp)
                                  ? cjk_hashes_[u.cp - kCjkBase]
                                  : CharHash(folder_->FoldChar(u.cp));
        out.push_back(Token{hash, first.byte_start, last.byte_end,
                            first.cp_start, last.cp_end, TokenClass::kChar});
      }
      const size_t begin = changed.empty() ? 0 : changed.back().second;
      same_count &= out.size() - begin == r.end - replace_begin;
      changed.push_back({Run{replace_begin, r.end}, out.size()});
    }
    if (same_count) {
      // The common case: every run kept its number of tokens.
      size_t begin = 0;
      for (const auto& [r, end] : changed) {
        std::copy(out.begin() + begin, out.begin() + end,
                  tokens.begin() + r.begin);
        begin = end;
      }
      return;
    }
    std::vector<Token> all;
    all.reserve(tokens.size() + out.size());
    uint32_t next = 0;
    size_t begin = 0;
    for (const auto& [r, end] : changed) {
      all.insert(all.end(), tokens.begin() + next, tokens.begin() + r.begin);
      all.insert(all.end(), out.begin() + begin, out.begin() + end);
      next = r.end;
      begin = end;
    }
    all.insert(all.end(), tokens.begin() + next, tokens.end());
    tokens.swap(all);
  }

  const std::string_view text_;
  const ChineseFolder* const folder_;
  const uint64_t* const cjk_hashes_;
  const uint8_t* const flags_;
  // Evidence of pass one: Traditional-only and Simplified-only characters,
  // and the tokens worth a second look in a Traditional text (ascending).
  uint64_t script_counts_ = 0;  // see EmitPlainCjk
  size_t traditional() const { return script_counts_ & 0xFFFFFFFFu; }
  size_t simplified() const { return script_counts_ >> 32; }
  std::vector<uint32_t> pairs_;  // a phrase or word may start here
  std::vector<uint32_t> alone_;  // a regional variant
  // The last character that may start a pair, and its byte end.
  char32_t pair_cp_ = 0;
  uint32_t pair_end_ = ~0u;
  const icu::Normalizer2* nfkc_cf_;
  std::string fold_scratch_;
  std::string scratch_;
  TokenizedText out_;
};

}  // namespace

absl::Status PrepareTokenizer() {
  NEARDUP_ASSIGN_OR_RETURN(const ChineseFolder* folder, ChineseFolder::Get());
  CjkHashes(nullptr);
  CjkHashes(folder);
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
  const ChineseFolder* folder = nullptr;
  if (options.fold_traditional) {
    NEARDUP_ASSIGN_OR_RETURN(folder, ChineseFolder::Get());
  }

  Tokenizer tokenizer(utf8, folder);
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
