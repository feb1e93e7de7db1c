#include "service/text/chinese_fold.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"
#include "service/text/utf8.h"

namespace neardup::text {
namespace {

// Where Debian's libopencc-data installs OpenCC's dictionaries.
constexpr char kOpenccDir[] = "/usr/share/opencc";

// True for the code points OpenCC's dictionaries are made of: Han
// ideographs (Unified, Extension A, compatibility, supplementary planes).
bool IsHan(char32_t cp) {
  return (cp >= 0x3400 && cp < 0xA000) || (cp >= 0xF900 && cp < 0xFB00) ||
         (cp >= 0x20000 && cp < 0x32000);
}

// Splits `utf8` into runs of Han characters, given to `on_run` as code
// points, and the bytes of each other character, given to `on_other` (an
// invalid byte alone).
template <typename OnRun, typename OnOther>
void SplitHanRuns(std::string_view utf8, OnRun on_run, OnOther on_other) {
  std::u32string run;
  size_t pos = 0;
  while (pos < utf8.size()) {
    char32_t cp;
    size_t len = DecodeUtf8(utf8, pos, &cp);
    if (len == 0) len = 1, cp = 0xFFFD;
    if (IsHan(cp)) {
      run.push_back(cp);
    } else {
      if (!run.empty()) on_run(std::u32string_view(run));
      run.clear();
      on_other(utf8.substr(pos, len));
    }
    pos += len;
  }
  if (!run.empty()) on_run(std::u32string_view(run));
}

}  // namespace

ChineseVariant ChooseVariant(const ChineseEvidence& e) {
  if (e.traditional <= e.simplified) return ChineseVariant::kCharacters;
  // Two to one: ordinary mainland words are among Taiwan's keys (建立,
  // 资料), so mainland text shows a few of them (docs/CHINESE.md).
  return e.taiwan_words > 2 * e.mainland_words ? ChineseVariant::kTaiwan
                                               : ChineseVariant::kHongKong;
}

absl::StatusOr<const ChineseFolder*> ChineseFolder::Get() {
  static const auto* const folder =
      []() -> absl::StatusOr<const ChineseFolder*>* {
    auto* f = new ChineseFolder();
    const absl::Status status = f->Load(kOpenccDir);
    if (!status.ok()) {
      delete f;
      return new absl::StatusOr<const ChineseFolder*>(
          absl::FailedPreconditionError(
              absl::StrCat("Traditional-to-Simplified folding unavailable: ",
                           status.message())));
    }
    return new absl::StatusOr<const ChineseFolder*>(f);
  }();
  return *folder;
}

absl::Status ChineseFolder::Load(const std::string& dir) {
  const std::pair<PhraseDict*, const char*> files[] = {
      {&ts_phrases_, "TSPhrases"},
      {&ts_chars_, "TSCharacters"},
      {&st_chars_, "STCharacters"},
      {&tw_phrases_, "TWPhrasesRev"},
      {&tw_variant_phrases_, "TWVariantsRevPhrases"},
      {&tw_variants_, "TWVariantsRev"},
      {&hk_variant_phrases_, "HKVariantsRevPhrases"},
      {&hk_variants_, "HKVariantsRev"},
  };
  for (const auto& [dict, name] : files) {
    NEARDUP_ASSIGN_OR_RETURN(
        *dict, PhraseDict::LoadOcd2(absl::StrCat(dir, "/", name, ".ocd2")));
  }
  // The dictionary groups of tw2sp.json and hk2s.json, in their order.
  taiwan_.dicts = {&tw_phrases_, &tw_variant_phrases_, &tw_variants_};
  hong_kong_.dicts = {&hk_variant_phrases_, &hk_variants_};
  simplified_.dicts = {&ts_phrases_, &ts_chars_};
  for (Group* g : {&taiwan_, &hong_kong_, &simplified_}) BuildCells(g);
  fold_.resize(kDenseEnd - kDenseBegin);
  for (char32_t cp = kDenseBegin; cp < kDenseEnd; ++cp) {
    fold_[cp - kDenseBegin] = FoldSparse(cp);
  }

  // Taiwan's words and the mainland words they stand for, both folded
  // character by character so that either script counts.
  auto fold = [this](std::u32string_view s) {
    std::u32string out(s);
    for (char32_t& cp : out) cp = FoldChar(cp);
    return out;
  };
  tw_phrases_.ForEach(
      [&](const std::u32string& key, const std::u32string& value) {
        const std::u32string k = fold(key), v = fold(value);
        if (k == v) return;
        taiwan_words_.Add(k, U"");
        mainland_words_.Add(v, U"");
        if (k.size() >= 2) word_pairs_.Add(k[0], k[1]);
        if (v.size() >= 2) word_pairs_.Add(v[0], v[1]);
      });
  // The same pairs as a text may write them: any character that folds to
  // the pair's characters.
  absl::flat_hash_map<char32_t, std::vector<char32_t>> spellings;
  for (char32_t cp = kDenseBegin; cp < kDenseEnd; ++cp) {
    spellings[FoldChar(cp)].push_back(cp);
  }
  auto add_spellings = [&](const std::u32string& word) {
    if (word.size() < 2) return;
    const auto first = spellings.find(word[0]);
    const auto second = spellings.find(word[1]);
    if (first == spellings.end() || second == spellings.end()) return;
    for (char32_t a : first->second) {
      for (char32_t b : second->second) any_pairs_.Add(a, b);
    }
  };
  taiwan_words_.ForEach([&](const std::u32string& w, const std::u32string&) {
    add_spellings(w);
  });
  mainland_words_.ForEach([&](const std::u32string& w, const std::u32string&) {
    add_spellings(w);
  });

  flags_.assign(kDenseEnd - kDenseBegin, 0);
  for (char32_t cp = kDenseBegin; cp < kDenseEnd; ++cp) {
    const std::u32string_view one(&cp, 1);
    std::u32string_view v;
    const bool ts = ts_chars_.LongestPrefix(one, &v) == 1 && v != one;
    const bool st = st_chars_.LongestPrefix(one, &v) == 1 && v != one;
    uint8_t f = 0;
    if (ts && !st) f |= kTraditional;
    if (st && !ts) f |= kSimplified;
    const char32_t folded = FoldChar(cp);
    if (taiwan_words_.LengthsAt(folded) != 0 ||
        mainland_words_.LengthsAt(folded) != 0) {
      f |= kWordStart;
    }
    flags_[cp - kDenseBegin] = f;
  }
  FlagVariant(taiwan_, kPhraseTaiwan, kAloneTaiwan, ChineseVariant::kTaiwan,
              &taiwan_pairs_);
  FlagVariant(hong_kong_, kPhraseHongKong, kAloneHongKong,
              ChineseVariant::kHongKong, &hong_kong_pairs_);
  return absl::OkStatus();
}

char32_t ChineseFolder::FoldSparse(char32_t cp) const {
  std::u32string_view v;
  if (ts_chars_.LongestPrefix(std::u32string_view(&cp, 1), &v) == 1 &&
      v.size() == 1) {
    return v[0];
  }
  return cp;
}

void ChineseFolder::CountWordsAt(std::u32string_view from,
                                 ChineseEvidence* e) const {
  // Every word has two or more characters: most positions are ruled out
  // by their first two folded characters, without any lookup.
  if (from.size() < 2 || !MayStartWordAt(from[0], from[1])) return;
  char32_t window[PhraseDict::kMaxKeyLength];
  const size_t n = std::min(from.size(), PhraseDict::kMaxKeyLength);
  for (size_t k = 0; k < n; ++k) window[k] = FoldChar(from[k]);
  const std::u32string_view folded(window, n);
  e->taiwan_words += taiwan_words_.CountPrefixes(folded);
  e->mainland_words += mainland_words_.CountPrefixes(folded);
}

void ChineseFolder::FlagVariant(const Group& group, uint8_t phrase_flag,
                                uint8_t alone_flag, ChineseVariant variant,
                                PairFilter* pairs) {
  // Each character converted alone by the regional table (a character
  // that starts a longer key may still be turned by a later dictionary,
  // 著 -> 着 in tw2sp): the characters turned into each character, which
  // TSPhrases then reads, and those turned into the start of a TSPhrases
  // key or out of the tables.
  absl::flat_hash_map<char32_t, std::vector<char32_t>> sources;
  std::vector<bool> turned_into_phrase(kDenseEnd - kDenseBegin, false);
  std::vector<FoldedUnit> turned;
  for (char32_t cp = kDenseBegin; cp < kDenseEnd; ++cp) {
    turned.clear();
    Convert(group, std::u32string_view(&cp, 1), {FoldedUnit{cp, 0, 1}},
            &turned);
    if (turned.size() == 1 && turned[0].cp != cp) {
      sources[turned[0].cp].push_back(cp);
    }
    for (const FoldedUnit& u : turned) {
      if (u.cp != cp && (!InDense(u.cp) || ts_phrases_.LengthsAt(u.cp) != 0)) {
        turned_into_phrase[cp - kDenseBegin] = true;
      }
    }
  }
  auto with_sources = [&](char32_t c) {
    std::vector<char32_t> out = {c};
    auto it = sources.find(c);
    if (it != sources.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
    return out;
  };
  auto add_pair = [&](char32_t a, char32_t b) {
    pairs->Add(a, b);
    any_pairs_.Add(a, b);
    if (InDense(a)) flags_[a - kDenseBegin] |= phrase_flag;
  };
  for (const PhraseDict* d : group.dicts) {
    d->ForEach([&](const std::u32string& key, const std::u32string&) {
      if (key.size() >= 2) add_pair(key[0], key[1]);
    });
  }
  ts_phrases_.ForEach([&](const std::u32string& key, const std::u32string&) {
    if (key.size() < 2) return;
    for (char32_t a : with_sources(key[0])) {
      for (char32_t b : with_sources(key[1])) add_pair(a, b);
    }
  });
  // Alone: fold the character by itself and compare; and a character the
  // table turns into the start of a TSPhrases key is looked at in any case.
  std::vector<FoldedUnit> units;
  for (char32_t cp = kDenseBegin; cp < kDenseEnd; ++cp) {
    bool keyed = ts_phrases_.LengthsAt(cp) != 0;
    for (const PhraseDict* d : group.dicts) keyed |= d->LengthsAt(cp) != 0;
    if (!keyed) continue;
    units.clear();
    FoldRun(std::u32string_view(&cp, 1), variant, &units);
    if (units.size() != 1 || units[0].cp != FoldChar(cp) ||
        turned_into_phrase[cp - kDenseBegin]) {
      flags_[cp - kDenseBegin] |= alone_flag;
    }
  }
}

void ChineseFolder::BuildCells(Group* group) {
  group->cells.assign(kDenseEnd - kDenseBegin, 0);
  for (char32_t cp = kDenseBegin; cp < kDenseEnd; ++cp) {
    uint32_t cell = cp;  // no key: the code point itself
    for (const PhraseDict* d : group->dicts) {
      const uint32_t lengths = d->LengthsAt(cp);
      if (lengths == 0) continue;
      std::u32string_view value;
      if (lengths != 1 ||
          d->LongestPrefix(std::u32string_view(&cp, 1), &value) != 1 ||
          value.size() != 1) {
        cell = kSlow;
      } else {
        cell = value[0];
      }
      break;  // the first dictionary with a key here decides
    }
    group->cells[cp - kDenseBegin] = cell;
  }
}

void ChineseFolder::Convert(const Group& group, std::u32string_view in,
                            const std::vector<FoldedUnit>& in_units,
                            std::vector<FoldedUnit>* out) {
  size_t i = 0;
  while (i < in.size()) {
    if (InDense(in[i])) {
      const uint32_t cell = group.cells[in[i] - kDenseBegin];
      if ((cell & kSlow) == 0) {
        out->push_back(FoldedUnit{cell, in_units[i].begin, in_units[i].end});
        ++i;
        continue;
      }
    }
    size_t len = 0;
    std::u32string_view value;
    for (const PhraseDict* d : group.dicts) {
      len = d->LongestPrefix(in.substr(i), &value);
      if (len != 0) break;
    }
    if (len == 0) {
      out->push_back(in_units[i]);
      ++i;
      continue;
    }
    // The value's code points spread over the key's: code point j of m
    // stands for key code points [j*len/m, (j+1)*len/m), at least one.
    const size_t m = value.size();
    for (size_t j = 0; j < m; ++j) {
      const size_t lo = i + j * len / m;
      const size_t hi = std::max(i + (j + 1) * len / m, lo + 1);
      out->push_back(
          FoldedUnit{value[j], in_units[lo].begin, in_units[hi - 1].end});
    }
    i += len;
  }
}

void ChineseFolder::FoldRun(std::u32string_view run, ChineseVariant variant,
                            std::vector<FoldedUnit>* out) const {
  const uint32_t n = static_cast<uint32_t>(run.size());
  if (variant == ChineseVariant::kCharacters) {
    for (uint32_t i = 0; i < n; ++i) {
      out->push_back(FoldedUnit{FoldChar(run[i]), i, i + 1});
    }
    return;
  }
  const Group& regional =
      variant == ChineseVariant::kTaiwan ? taiwan_ : hong_kong_;
  // Scratch kept between calls: a document folds thousands of runs.
  thread_local std::vector<FoldedUnit> units, mid;
  thread_local std::u32string mid_cps;
  // Converts the segment [a, b) through both groups.
  auto convert = [&](uint32_t a, uint32_t b) {
    units.clear();
    for (uint32_t k = a; k < b; ++k)
      units.push_back(FoldedUnit{run[k], k, k + 1});
    mid.clear();
    Convert(regional, run.substr(a, b - a), units, &mid);
    mid_cps.clear();
    for (const FoldedUnit& u : mid) mid_cps.push_back(u.cp);
    Convert(simplified_, mid_cps, mid, out);
  };
  // (The scratch keeps its capacity for the next run, up to 64 Ki units.)
  struct Trim {
    ~Trim() {
      if (units.capacity() > (size_t{1} << 16)) {
        units = {};
        mid = {};
        mid_cps = {};
      }
    }
  } trim;
  // OpenCC's maximum-match segmentation by TSPhrases: each phrase found is
  // a segment, and so is each stretch between them.
  uint32_t start = 0, i = 0;
  while (i < n) {
    if (ts_phrases_.LengthsAt(run[i]) == 0) {
      ++i;
      continue;
    }
    std::u32string_view value;
    const uint32_t len =
        static_cast<uint32_t>(ts_phrases_.LongestPrefix(run.substr(i), &value));
    if (len == 0) {
      ++i;
      continue;
    }
    if (start < i) convert(start, i);
    convert(i, i + len);
    i += len;
    start = i;
  }
  if (start < n) convert(start, n);
}

ChineseEvidence ChineseFolder::Evidence(std::string_view utf8) const {
  ChineseEvidence e;
  SplitHanRuns(
      utf8,
      [&](std::u32string_view run) {
        for (size_t i = 0; i < run.size(); ++i) {
          const uint8_t f = Flags(run[i]);
          e.traditional += f & kTraditional ? 1 : 0;
          e.simplified += f & kSimplified ? 1 : 0;
          CountWordsAt(run.substr(i), &e);
        }
      },
      [](std::string_view) {});
  return e;
}

std::string ChineseFolder::FoldText(std::string_view utf8,
                                    ChineseVariant variant) const {
  std::string out;
  std::vector<FoldedUnit> units;
  SplitHanRuns(
      utf8,
      [&](std::u32string_view run) {
        units.clear();
        FoldRun(run, variant, &units);
        for (const FoldedUnit& u : units) AppendUtf8(u.cp, &out);
      },
      [&](std::string_view other) { out.append(other); });
  return out;
}

}  // namespace neardup::text
