// Traditional -> Simplified folding of Chinese, phrase by phrase, so that the
// same article in Simplified characters, in Traditional characters, and in
// Taiwan or Hong Kong wording gives the same tokens.
//
// Uses OpenCC's own dictionaries (Debian's libopencc-data, loaded once from
// /usr/share/opencc) and its conversion algorithm: segment the text by the
// longest phrases of TSPhrases, then in each segment replace the longest
// key of the first dictionary of a group that has one, group after group.
// What a text gets depends on the text (ChooseVariant):
//   - Simplified text (no more Traditional-only than Simplified-only
//     characters, text without Han characters included): character by
//     character (TSCharacters), so Simplified text
//     passes unchanged and stray Traditional characters in it are folded;
//   - Traditional text in Taiwan wording (more than twice as many of
//     Taiwan's words, e.g. 軟體, 記憶體, 預設, as of the mainland words they
//     stand for): the result of `opencc -c tw2sp.json` (Taiwan phrases and
//     variants);
//   - other Traditional text (Hong Kong text, and mainland text written in
//     Traditional characters): the result of `opencc -c hk2s.json`.
// Taiwan's phrase table is not applied to text that does not use Taiwan's
// words: it would rewrite ordinary words (多工 in 很多工作, 核心, 建立).
//
// The differences from the `opencc` command are listed in docs/CHINESE.md.

#ifndef NEARDUP_SERVICE_TEXT_CHINESE_FOLD_H_
#define NEARDUP_SERVICE_TEXT_CHINESE_FOLD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "service/text/phrase_dict.h"

namespace neardup::text {

// Which of OpenCC's conversions a text gets.
enum class ChineseVariant : uint8_t {
  kCharacters = 0,  // character by character (TSCharacters)
  kTaiwan = 1,      // as OpenCC's tw2sp
  kHongKong = 2,    // as OpenCC's hk2s
};

// Counts read from a text, from which its variant is chosen.
struct ChineseEvidence {
  size_t traditional = 0;     // characters only Traditional text uses
  size_t simplified = 0;      // characters only Simplified text uses
  size_t taiwan_words = 0;    // Taiwan's words (keys of TWPhrasesRev)
  size_t mainland_words = 0;  // the mainland words they stand for
};

ChineseVariant ChooseVariant(const ChineseEvidence& e);

// One code point of a folded run, standing for the run's code points
// [begin, end). Units are in order; a phrase that changes length (記憶體 ->
// 内存) spreads its code points over its source, so that neighbours may
// share a source code point when the phrase grows (肯亞 -> 肯尼亚).
struct FoldedUnit {
  char32_t cp;
  uint32_t begin;
  uint32_t end;
};

class ChineseFolder {
 public:
  // Flags of a code point (Flags()).
  static constexpr uint8_t kTraditional = 1;  // only Traditional text uses it
  static constexpr uint8_t kSimplified = 2;   // only Simplified text uses it
  // A phrase of tw2sp's (kPhraseTaiwan) or hk2s's (kPhraseHongKong) tables
  // starts with it: with the right next character, a run holding it folds
  // differently from character by character (MayChangeAt).
  static constexpr uint8_t kPhraseTaiwan = 4;
  static constexpr uint8_t kPhraseHongKong = 8;
  // Its folded form starts a Taiwan or a mainland word (CountWordsAt).
  static constexpr uint8_t kWordStart = 16;
  // Alone, it folds differently from FoldChar under tw2sp or hk2s (a
  // regional variant, or a key of one character).
  static constexpr uint8_t kAloneTaiwan = 32;
  static constexpr uint8_t kAloneHongKong = 64;
  // A phrase or a word may start with it (see MayStartPairAt).
  static constexpr uint8_t kPairStart =
      kPhraseTaiwan | kPhraseHongKong | kWordStart;

  // False if no phrase of tw2sp or hk2s and no Taiwan or mainland word
  // starts with `cp`, `next`: one probe, for the tokenizer's first pass.
  // REQUIRES: Flags(cp) & kPairStart.
  bool MayStartPairAt(char32_t cp, char32_t next) const {
    return any_pairs_.MayHave(cp, next);
  }

  // Returns the folder, loading OpenCC's dictionaries on first use (about
  // 0.1 s). FAILED_PRECONDITION naming the file if one cannot be loaded.
  // Thread-safe.
  static absl::StatusOr<const ChineseFolder*> Get();

  // Flags of `cp`; 0 outside the dense CJK range (phrase_dict.h).
  uint8_t Flags(char32_t cp) const {
    return InDense(cp) ? flags_[cp - kDenseBegin] : 0;
  }

  // Flags of the dense range, indexed by code point - kDenseBegin.
  const uint8_t* flags() const { return flags_.data(); }

  // Returns the Simplified form of the single character `cp` (TSCharacters'
  // default), or `cp` when it has none or it is not one code point.
  char32_t FoldChar(char32_t cp) const {
    return InDense(cp) ? fold_[cp - kDenseBegin] : FoldSparse(cp);
  }

  // False if no Taiwan or mainland word can start with `cp` followed by
  // `next`: a load or two, no lookup.
  bool MayStartWordAt(char32_t cp, char32_t next) const {
    return (Flags(cp) & kWordStart) != 0 &&
           word_pairs_.MayHave(FoldChar(cp), FoldChar(next));
  }

  // Adds the Taiwan and mainland words that start at `from[0]` (code
  // points of consecutive Han characters, at most PhraseDict::kMaxKeyLength
  // are read) to `e`. Cheap where the flag kWordStart is not set.
  void CountWordsAt(std::u32string_view from, ChineseEvidence* e) const;

  // False if FoldRun is sure to fold the character `cp`, followed by
  // `next` (0 at the end of a run), to FoldChar(cp) and leave its
  // neighbours alone: no phrase or regional variant of `variant` applies
  // there: one load where no phrase flag is set. A run where this is
  // false at every position folds character by character.
  bool MayChangeAt(char32_t cp, char32_t next, ChineseVariant variant) const {
    if (variant == ChineseVariant::kCharacters) return false;
    // Outside the tables (no key starts there, but say "may": the run is
    // then converted again, which is always right).
    if (!InDense(cp)) return true;
    const uint8_t f = flags_[cp - kDenseBegin];
    const bool taiwan = variant == ChineseVariant::kTaiwan;
    return (f & (taiwan ? kAloneTaiwan : kAloneHongKong)) != 0 ||
           MayStartPhraseAt(cp, next, variant);
  }

  // The part of MayChangeAt that depends on `next` (not 0): a phrase of
  // `variant`'s tables may start with `cp`, `next`.
  bool MayStartPhraseAt(char32_t cp, char32_t next,
                        ChineseVariant variant) const {
    const bool taiwan = variant == ChineseVariant::kTaiwan;
    return (Flags(cp) & (taiwan ? kPhraseTaiwan : kPhraseHongKong)) != 0 &&
           next != 0 &&
           (taiwan ? taiwan_pairs_ : hong_kong_pairs_).MayHave(cp, next);
  }

  // Folds `run` (code points of consecutive Han characters) as OpenCC's
  // converter for `variant` does, appending the result to `out`.
  void FoldRun(std::u32string_view run, ChineseVariant variant,
               std::vector<FoldedUnit>* out) const;

  // Whole texts, for tests and tools: the evidence in valid UTF-8 `utf8`,
  // and the text folded for `variant` (runs of Han characters folded,
  // everything else unchanged): what `opencc -c tw2sp.json` (kTaiwan) or
  // `hk2s.json` (kHongKong) prints for it, but for docs/CHINESE.md.
  ChineseEvidence Evidence(std::string_view utf8) const;
  std::string FoldText(std::string_view utf8, ChineseVariant variant) const;

 private:
  ChineseFolder() = default;
  absl::Status Load(const std::string& dir);
  char32_t FoldSparse(char32_t cp) const;

  // A group of dictionaries: the first one with a key at a position wins.
  // `cells` answers for the dense code points without a lookup: what a
  // code point alone becomes, or kSlow when a key of two or more code
  // points may start with it (or its value is not one code point).
  struct Group {
    std::vector<const PhraseDict*> dicts;
    std::vector<uint32_t> cells;
  };
  static constexpr uint32_t kSlow = 1u << 31;
  static void BuildCells(Group* group);

  // Converts `in` (code points with their source ranges) by `group` as
  // OpenCC's Conversion does; appends to `out`.
  static void Convert(const Group& group, std::u32string_view in,
                      const std::vector<FoldedUnit>& in_units,
                      std::vector<FoldedUnit>* out);

  PhraseDict ts_phrases_, ts_chars_, st_chars_;
  PhraseDict tw_phrases_, tw_variant_phrases_, tw_variants_;
  PhraseDict hk_variant_phrases_, hk_variants_;
  PhraseDict taiwan_words_, mainland_words_;  // folded character by character
  Group taiwan_, hong_kong_, simplified_;
  // Flags for `variant`: the pairs of characters a phrase may start with,
  // and the characters whose folding differs alone.
  void FlagVariant(const Group& group, uint8_t phrase_flag, uint8_t alone_flag,
                   ChineseVariant variant, PairFilter* pairs);

  std::vector<uint8_t> flags_;
  PairFilter taiwan_pairs_, hong_kong_pairs_, word_pairs_;
  // The union of the three, with the word pairs as written (every
  // Traditional spelling of the folded pair).
  PairFilter any_pairs_;
  std::vector<char32_t> fold_;  // FoldChar of the dense range
};

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_CHINESE_FOLD_H_
