#include "service/text/phrase_dict.h"

#include <exception>
#include <opencc/DictEntry.hpp>
#include <opencc/Exception.hpp>
#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "absl/strings/str_cat.h"
#include "service/text/utf8.h"

namespace neardup::text {
namespace {

// Decodes UTF-8 `utf8` into `out`; false if it is not valid UTF-8.
bool Decode(std::string_view utf8, std::u32string* out) {
  out->clear();
  size_t pos = 0;
  while (pos < utf8.size()) {
    char32_t cp;
    const size_t len = DecodeUtf8(utf8, pos, &cp);
    if (len == 0) return false;
    out->push_back(cp);
    pos += len;
  }
  return true;
}

}  // namespace

size_t PhraseDict::Hash::operator()(std::u32string_view s) const {
  return static_cast<size_t>(
      XXH3_64bits(s.data(), s.size() * sizeof(char32_t)));
}

PhraseDict::PhraseDict()
    : lengths_(kDenseEnd - kDenseBegin, 0),
      single_(kDenseEnd - kDenseBegin, 0) {}

absl::StatusOr<PhraseDict> PhraseDict::LoadOcd2(const std::string& path) {
  PhraseDict dict;
  try {
    const opencc::MarisaDictPtr marisa =
        opencc::SerializableDict::NewFromFile<opencc::MarisaDict>(path);
    const opencc::LexiconPtr lexicon = marisa->GetLexicon();
    std::u32string key, value;
    size_t unusable = 0;
    for (const auto& entry : *lexicon) {
      // An entry that is not UTF-8, or whose key is longer than we match,
      // is left out rather than applied wrongly.
      if (!Decode(entry->Key(), &key) || !Decode(entry->GetDefault(), &value) ||
          !dict.Add(key, value)) {
        ++unusable;
      }
    }
    if (unusable > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("the OpenCC dictionary ", path, " has ", unusable,
                       " entries that are not UTF-8 or have keys longer than ",
                       kMaxKeyLength, " characters"));
    }
  } catch (const std::exception& e) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot load the OpenCC dictionary ", path, ": ", e.what()));
  }
  if (dict.size() == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the OpenCC dictionary ", path, " has no entries"));
  }
  return dict;
}

bool PhraseDict::Add(std::u32string_view key, std::u32string_view value) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  auto [it, added] = entries_.try_emplace(std::u32string(key), value);
  if (!added) return true;
  const uint16_t bit = static_cast<uint16_t>(1u << (key.size() - 1));
  if (key.size() >= 2) pairs_.Add(key[0], key[1]);
  if (InDense(key[0])) {
    lengths_[key[0] - kDenseBegin] |= bit;
    if (key.size() == 1 && value.size() == 1) {
      single_[key[0] - kDenseBegin] = value[0];
    }
  } else {
    sparse_lengths_[key[0]] |= bit;
  }
  return true;
}

size_t PhraseDict::LongestPrefix(std::u32string_view s,
                                 std::u32string_view* value) const {
  if (s.empty()) return 0;
  uint32_t lengths = LengthsAt(s[0]);
  if (lengths == 0) return 0;
  if (s.size() < 32) lengths &= (1u << s.size()) - 1;
  if (lengths > 1 && !MayStartWithPair(s[0], s[1])) lengths &= 1;
  while (lengths != 0) {
    const size_t len = 32 - static_cast<size_t>(__builtin_clz(lengths));
    lengths &= ~(1u << (len - 1));
    if (len == 1 && InDense(s[0]) && single_[s[0] - kDenseBegin] != 0) {
      *value = std::u32string_view(&single_[s[0] - kDenseBegin], 1);
      return 1;
    }
    auto it = entries_.find(s.substr(0, len));
    if (it != entries_.end()) {
      *value = it->second;
      return len;
    }
  }
  return 0;
}

size_t PhraseDict::CountPrefixes(std::u32string_view s) const {
  if (s.empty()) return 0;
  uint32_t lengths = LengthsAt(s[0]);
  if (s.size() < 32) lengths &= (1u << s.size()) - 1;
  if (lengths > 1 && !MayStartWithPair(s[0], s[1])) lengths &= 1;
  size_t n = 0;
  while (lengths != 0) {
    const size_t len = static_cast<size_t>(__builtin_ctz(lengths)) + 1;
    lengths &= lengths - 1;
    if (entries_.contains(s.substr(0, len))) ++n;
  }
  return n;
}

}  // namespace neardup::text
