// PhraseDict: one conversion dictionary of OpenCC (key -> default value),
// held in a form built for longest-prefix matching over code points.
//
// OpenCC's dictionaries (the .ocd2 files in /usr/share/opencc) map a
// character or a phrase to one or more values; the first value is the
// default, the only one OpenCC's converter ever writes. Keys here are
// sequences of at most kMaxKeyLength code points. For each code point of
// the CJK blocks a dense table says which key lengths start with it, and
// holds the value of a one-character key with a one-character value, so
// that a position where no key starts costs one load and a character
// mapping costs one more: no hashing on the common path.

#ifndef NEARDUP_SERVICE_TEXT_PHRASE_DICT_H_
#define NEARDUP_SERVICE_TEXT_PHRASE_DICT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace neardup::text {

// The code points with dense tables: CJK symbols, kana, Extension A and
// the Unified Ideographs. Everything else is looked up in a hash map.
inline constexpr char32_t kDenseBegin = 0x3000;
inline constexpr char32_t kDenseEnd = 0xA000;

inline bool InDense(char32_t cp) { return cp >= kDenseBegin && cp < kDenseEnd; }

// A set of pairs of code points that may give false positives: one probe
// of an 8 KiB bit set rules out a position where no key starts.
class PairFilter {
 public:
  PairFilter() : bits_(kBits / 64, 0) {}
  void Add(char32_t a, char32_t b) {
    const uint32_t h = Hash(a, b);
    bits_[h >> 6] |= uint64_t{1} << (h & 63);
  }
  // False if (a, b) was never added.
  bool MayHave(char32_t a, char32_t b) const {
    const uint32_t h = Hash(a, b);
    return (bits_[h >> 6] >> (h & 63)) & 1;
  }

 private:
  static constexpr uint32_t kBits = 1u << 16;
  static uint32_t Hash(char32_t a, char32_t b) {
    return static_cast<uint32_t>(
        ((uint64_t{a} << 21 ^ b) * 0x9E3779B97F4A7C15ULL) >> 48);
  }
  std::vector<uint64_t> bits_;
};

class PhraseDict {
 public:
  // Longest key accepted; longer keys are refused by Add (OpenCC's own
  // dictionaries have keys of at most 14 characters).
  static constexpr size_t kMaxKeyLength = 16;

  PhraseDict();

  // Loads an OpenCC dictionary file (.ocd2). FAILED_PRECONDITION naming
  // the file if it is missing or unreadable.
  static absl::StatusOr<PhraseDict> LoadOcd2(const std::string& path);

  // Adds `key` -> `value`. The first value added for a key stays (OpenCC
  // keys are distinct within a dictionary). Returns false (and adds
  // nothing) for an empty key or one longer than kMaxKeyLength.
  bool Add(std::u32string_view key, std::u32string_view value);

  // Returns the length of the longest key that is a prefix of `s` (0 if
  // none) and sets `*value` to its value.
  size_t LongestPrefix(std::u32string_view s, std::u32string_view* value) const;

  // Returns the number of keys that are prefixes of `s`.
  size_t CountPrefixes(std::u32string_view s) const;

  // Bit L-1 is set if a key of L code points starts with `cp`.
  uint32_t LengthsAt(char32_t cp) const {
    if (InDense(cp)) return lengths_[cp - kDenseBegin];
    auto it = sparse_lengths_.find(cp);
    return it == sparse_lengths_.end() ? 0 : it->second;
  }

  // False if no key starts with the two code points `a`, `b` (true may be
  // a false positive): rules out most positions in one probe.
  bool MayStartWithPair(char32_t a, char32_t b) const {
    return pairs_.MayHave(a, b);
  }

  // Calls `f(key, value)` for every entry, in no particular order.
  template <typename F>
  void ForEach(F f) const {
    for (const auto& [key, value] : entries_) f(key, value);
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::u32string_view s) const;
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(std::u32string_view a, std::u32string_view b) const {
      return a == b;
    }
  };

  absl::flat_hash_map<std::u32string, std::u32string, Hash, Eq> entries_;
  std::vector<uint16_t> lengths_;  // per dense code point, bit L-1: length L
  // Value of the one-character key at a dense code point when it is one
  // character (0: none, or not one character).
  std::vector<char32_t> single_;
  absl::flat_hash_map<char32_t, uint16_t> sparse_lengths_;
  PairFilter pairs_;  // (key[0], key[1]) of the keys of two or more
};

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_PHRASE_DICT_H_
