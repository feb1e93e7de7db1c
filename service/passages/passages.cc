#include "service/passages/passages.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "service/text/shingle.h"

namespace neardup::passages {
namespace {

using Range = std::pair<uint32_t, uint32_t>;

uint32_t Overlap(Range x, Range y) {
  const uint32_t b = std::max(x.first, y.first);
  const uint32_t e = std::min(x.second, y.second);
  return e > b ? e - b : 0;
}

// Two occurrences are the same copy of a passage when they overlap by at
// least half of the longer one.
bool SameCopy(Range x, Range y) {
  const uint32_t longer = std::max(x.second - x.first, y.second - y.first);
  return 2 * Overlap(x, y) >= longer;
}

std::vector<Range> Merged(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<Range> out;
  for (const Range& r : ranges) {
    if (!out.empty() && r.first <= out.back().second) {
      out.back().second = std::max(out.back().second, r.second);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

// Groups pairs of occurrences into passages: a pair joins the passage that
// already holds one of its copies. Occurrences are found by where they
// begin: one that is the same copy as x begins in [x.first - |x|, x.second)
// (it overlaps x by at least half of the longer of the two), so a lookup
// reads only nearby occurrences, not all of them.
std::vector<std::vector<Range>> Group(const std::vector<Alignment>& pairs) {
  struct Occurrence {
    Range r;
    size_t group;
  };
  std::vector<Occurrence> occ;
  std::multimap<uint32_t, size_t> by_begin;  // r.first -> index in occ
  size_t groups = 0;
  // The first occurrence that is the same copy as x, in `group` if given.
  auto find = [&](Range x,
                  std::optional<size_t> group) -> std::optional<size_t> {
    const uint32_t len = x.second - x.first;
    for (auto it = by_begin.lower_bound(x.first >= len ? x.first - len : 0);
         it != by_begin.end() && it->first < x.second; ++it) {
      const Occurrence& o = occ[it->second];
      if ((!group || o.group == *group) && SameCopy(o.r, x)) return it->second;
    }
    return std::nullopt;
  };
  for (const Alignment& p : pairs) {
    const Range x{p.a_begin, p.a_end}, y{p.b_begin, p.b_end};
    std::optional<size_t> found = find(x, std::nullopt);
    if (!found) found = find(y, std::nullopt);
    const size_t home = found ? occ[*found].group : groups++;
    for (const Range& r : {x, y}) {
      const std::optional<size_t> same = find(r, home);
      if (!same) {
        by_begin.emplace(r.first, occ.size());
        occ.push_back({r, home});
        continue;
      }
      Occurrence& o = occ[*same];
      const Range wider{std::min(o.r.first, r.first),
                        std::max(o.r.second, r.second)};
      if (wider.first != o.r.first) {
        auto [b, e] = by_begin.equal_range(o.r.first);
        for (auto it = b; it != e; ++it) {
          if (it->second == *same) {
            by_begin.erase(it);
            break;
          }
        }
        by_begin.emplace(wider.first, *same);
      }
      o.r = wider;
    }
  }
  std::vector<std::vector<Range>> out(groups);
  for (const Occurrence& o : occ) out[o.group].push_back(o.r);
  for (auto& g : out) {
    std::sort(g.begin(), g.end());
    // Widening may have made neighbours overlap: cut at the next start.
    for (size_t i = 0; i + 1 < g.size(); ++i) {
      g[i].second = std::min(g[i].second, g[i + 1].first);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool Substantial(const Alignment& al, absl::Span<const text::Token> a_tokens) {
  uint32_t chars = 0;
  for (uint32_t t = al.a_begin; t < al.a_end; ++t) {
    chars += a_tokens[t].cls == text::TokenClass::kChar;
  }
  const bool unsegmented = 2 * chars > al.a_end - al.a_begin;
  return al.matched >= (unsegmented ? kMinMatchedChars : kMinMatchedWords);
}

std::vector<Alignment> Reportable(std::vector<Alignment> aligned,
                                  absl::Span<const text::Token> a_tokens) {
  std::sort(aligned.begin(), aligned.end(),
            [](const Alignment& x, const Alignment& y) {
              return x.matched != y.matched ? x.matched > y.matched
                                            : ByPosition(x, y);
            });
  std::vector<Alignment> kept;
  for (const Alignment& al : aligned) {
    const Range r{al.a_begin, al.a_end};
    bool again = false;
    for (const Alignment& k : kept) {
      again = again ||
              2 * Overlap(r, {k.a_begin, k.a_end}) >= al.a_end - al.a_begin;
    }
    if (!again) kept.push_back(al);
  }
  std::sort(kept.begin(), kept.end(), ByPosition);
  std::vector<Alignment> merged;
  for (const Alignment& al : kept) {
    if (!merged.empty()) {
      Alignment& last = merged.back();
      if (al.a_begin >= last.a_end && al.b_begin >= last.b_end &&
          al.a_begin - last.a_end <= kMergeGap &&
          al.b_begin - last.b_end <= kMergeGap) {
        last.a_end = al.a_end;
        last.b_end = al.b_end;
        last.matched += al.matched;
        continue;
      }
    }
    merged.push_back(al);
  }
  std::vector<Alignment> out;
  for (const Alignment& al : merged) {
    if (Substantial(al, a_tokens)) out.push_back(al);
  }
  return out;
}

Span SpanOf(absl::Span<const text::Token> tokens, uint32_t begin,
            uint32_t end) {
  Span s;
  s.token_begin = begin;
  s.token_end = end;
  s.cp_start = tokens[begin].cp_start;
  s.cp_end = tokens[end - 1].cp_end;
  s.byte_start = tokens[begin].byte_start;
  s.byte_end = tokens[end - 1].byte_end;
  return s;
}

std::vector<uint32_t> TokenHashes32(absl::Span<const text::Token> tokens) {
  std::vector<uint32_t> out;
  out.reserve(tokens.size());
  for (const text::Token& t : tokens) {
    out.push_back(static_cast<uint32_t>(t.hash));
  }
  return out;
}

Repeats FindRepeats(std::string_view content, const text::Analysis& analysis,
                    const AlignParams& params) {
  const auto& tokens = analysis.text.tokens;
  Repeats out;
  std::vector<Alignment> pairs;
  for (const Alignment& al : SelfAlign(TokenHashes32(tokens), params)) {
    if (Substantial(al, tokens)) pairs.push_back(al);
  }
  const std::vector<std::vector<Range>> groups = Group(pairs);
  std::vector<Range> later;
  for (const auto& g : groups) {
    RepeatedPassage p;
    for (const Range& r : g) {
      if (r.second - r.first < params.min_tokens) continue;
      p.occurrences.push_back(SpanOf(tokens, r.first, r.second));
    }
    if (p.occurrences.size() < 2) continue;
    for (size_t i = 1; i < p.occurrences.size(); ++i) {
      later.push_back(
          {p.occurrences[i].token_begin, p.occurrences[i].token_end});
    }
    out.passages.push_back(std::move(p));
  }
  // Every occurrence but the first, merged: what collapsing removes.
  uint32_t removed = 0;
  std::vector<Range> bytes;
  for (const Range& r : Merged(std::move(later))) {
    removed += r.second - r.first;
    out.later.push_back({r.first, r.second});
    bytes.push_back(
        {tokens[r.first].byte_start, tokens[r.second - 1].byte_end});
  }
  out.repeated_fraction =
      tokens.empty() ? 0 : double(removed) / double(tokens.size());
  size_t pos = 0;
  out.collapsed.reserve(content.size());
  for (const Range& r : bytes) {
    out.collapsed.append(content.substr(pos, r.first - pos));
    pos = r.second;
  }
  out.collapsed.append(content.substr(std::min(pos, content.size())));
  return out;
}

Comparison Compare(const text::Analysis& a, const text::Analysis& b,
                   const AlignParams& params) {
  Comparison c;
  const auto& sa = a.shingle_set;
  const auto& sb = b.shingle_set;
  const size_t shared = text::SharedCount(sa, sb);
  const size_t uni = sa.size() + sb.size() - shared;
  c.jaccard = uni == 0 ? 0 : double(shared) / double(uni);
  c.containment_a = sa.empty() ? 0 : double(shared) / double(sa.size());
  c.containment_b = sb.empty() ? 0 : double(shared) / double(sb.size());
  for (const Alignment& al :
       Reportable(Align(TokenHashes32(a.text.tokens),
                        TokenHashes32(b.text.tokens), params),
                  a.text.tokens)) {
    MatchedPassage m;
    m.a = SpanOf(a.text.tokens, al.a_begin, al.a_end);
    m.b = SpanOf(b.text.tokens, al.b_begin, al.b_end);
    m.matched_tokens = al.matched;
    c.passages.push_back(m);
  }
  return c;
}

}  // namespace neardup::passages
