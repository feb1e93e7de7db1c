// Script-aware tokenizer over UTF-8 text, with offsets into the input.
//
// Space-delimited scripts (Latin, Cyrillic, Greek, Arabic, Hebrew, Hangul,
// Devanagari, ...) give one token per word: a maximal run of letters,
// digits and combining marks. Unsegmented scripts (Han, Hiragana, Katakana,
// Bopomofo, Thai, Lao, Khmer, Myanmar, Yi) give one token per character
// (with its combining marks), so that a Chinese sentence is many tokens,
// not one. Everything else (spaces, punctuation, symbols, controls)
// separates tokens and is otherwise ignored.
//
// Each token is normalized with Unicode NFKC plus case folding (ICU), so
// "ＡＢＣ", "ABC" and "abc" are one token, optionally folded from
// Traditional to Simplified Chinese (chinese_fold.h: character by character
// for Simplified text, phrase by phrase as OpenCC's tw2sp or hk2s for
// Traditional text), and hashed with XXH3-64. Its offsets point into the
// text given, in bytes and in code points; a phrase that changes length
// (記憶體 -> 内存) spreads its tokens over the phrase's bytes.

#ifndef NEARDUP_SERVICE_TEXT_TOKENIZER_H_
#define NEARDUP_SERVICE_TEXT_TOKENIZER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace neardup::text {

enum class TokenClass : uint8_t {
  kWord = 0,  // a word of a space-delimited script (or digits)
  kChar = 1,  // one character of an unsegmented script
};

struct Token {
  uint64_t hash;        // XXH3-64 (seed 0) of the normalized token (UTF-8)
  uint32_t byte_start;  // [byte_start, byte_end): bytes of the input
  uint32_t byte_end;
  uint32_t cp_start;  // [cp_start, cp_end): code points of the input
  uint32_t cp_end;
  TokenClass cls;
};

// 128-bit digest of the normalized token stream.
struct Digest128 {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const Digest128& o) const {
    return low == o.low && high == o.high;
  }
};

struct TokenizedText {
  std::vector<Token> tokens;
  // DigestOf(tokens): equal for texts that differ only in case, width,
  // punctuation, whitespace (and script, when folding).
  Digest128 digest;
};

struct TokenizeOptions {
  // Fold Traditional Chinese to Simplified (chinese_fold.h: character by
  // character for Simplified text, phrase by phrase as OpenCC's tw2sp or
  // hk2s for Traditional text).
  bool fold_traditional = true;
};

// Longest word token, in code points; longer runs (base64 blobs, URLs
// without separators) are split into pieces of this length.
inline constexpr uint32_t kMaxWordCodePoints = 128;

// Largest input accepted: offsets are 32-bit.
inline constexpr size_t kMaxTextBytes = 0xFFFFFFFFu;

// Splits `utf8` into normalized tokens. Returns INVALID_ARGUMENT if `utf8`
// is not valid UTF-8 (naming the byte offset) or is larger than
// kMaxTextBytes, FAILED_PRECONDITION if folding is asked for and OpenCC's
// data is missing. A text without letters or digits gives no tokens (OK).
absl::StatusOr<TokenizedText> Tokenize(std::string_view utf8,
                                       const TokenizeOptions& options = {});

// Loads OpenCC's folding data and builds the tokenizer's lookup tables
// (~0.1 s), so that the first Tokenize call does not pay for them; a
// server calls it at startup. FAILED_PRECONDITION if OpenCC's data is
// missing. Thread-safe; Tokenize works without it.
absl::Status PrepareTokenizer();

// Returns the digest of `tokens`: XXH3-128 of their hashes as
// little-endian 64-bit words (TokenHashesLe).
Digest128 DigestOf(absl::Span<const Token> tokens);

// Returns the tokens' hashes as little-endian 64-bit words: the bytes that
// every hash over token hashes (digest, shingles) reads, the same on any
// host.
std::vector<uint64_t> TokenHashesLe(absl::Span<const Token> tokens);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_TOKENIZER_H_
