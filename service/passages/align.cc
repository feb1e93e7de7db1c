#include "service/passages/align.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "service/common/hash.h"

namespace neardup::passages {
namespace {

// (hash of the k-gram starting at `pos`, pos), for every k-gram.
struct Gram {
  uint64_t hash;
  uint32_t pos;
};

std::vector<Gram> Grams(absl::Span<const uint32_t> tokens, uint32_t k) {
  std::vector<Gram> out;
  if (k == 0 || tokens.size() < k) return out;
  out.reserve(tokens.size() - k + 1);
  for (uint32_t p = 0; p + k <= tokens.size(); ++p) {
    uint64_t h = k;
    for (uint32_t i = 0; i < k; ++i) h = Mix64(h ^ tokens[p + i]);
    out.push_back({h, p});
  }
  return out;
}

// b's k-grams grouped by hash: `where` maps a hash to the range [first,
// last) of `pos` holding its positions, in increasing order. k-grams that
// occur more than `max` times are left out. Built by counting (two passes
// over the k-grams and one over the distinct hashes), not by sorting: the
// sort was 43% of Repeats (docs/BENCHMARKS.md, "Passages").
struct GramIndex {
  absl::flat_hash_map<uint64_t, std::pair<uint32_t, uint32_t>> where;
  std::vector<uint32_t> pos;
  bool capped = false;  // some k-grams were left out
};

GramIndex IndexGrams(const std::vector<Gram>& grams, uint32_t max) {
  GramIndex index;
  index.where.reserve(grams.size());
  for (const Gram& g : grams) ++index.where[g.hash].second;  // counts
  uint32_t next = 0;
  for (auto it = index.where.begin(); it != index.where.end();) {
    const uint32_t count = it->second.second;
    if (count > max) {
      index.capped = true;
      index.where.erase(it++);
      continue;
    }
    it->second = {next, next};  // filled below, `second` moving to the end
    next += count;
    ++it;
  }
  index.pos.resize(next);
  for (const Gram& g : grams) {
    auto it = index.where.find(g.hash);
    if (it != index.where.end()) index.pos[it->second.second++] = g.pos;
  }
  return index;
}

constexpr uint32_t kNone = UINT32_MAX;

// For self-alignment: the position of the next occurrence of each k-gram
// that `index` left out for occurring too often (kNone for the others and
// for last occurrences); empty if it left none out. One seed per occurrence, to
// the next one, finds a passage copied hundreds of times, in O(n).
std::vector<uint32_t> NextOccurrences(const std::vector<Gram>& grams,
                                      const GramIndex& index) {
  if (!index.capped) return {};  // none left out
  std::vector<uint32_t> next(grams.size(), kNone);
  absl::flat_hash_map<uint64_t, uint32_t> later;  // hash -> next position
  for (size_t t = grams.size(); t-- > 0;) {
    const Gram& g = grams[t];
    if (index.where.contains(g.hash)) continue;
    auto [it, fresh] = later.try_emplace(g.hash, g.pos);
    if (!fresh) {
      next[g.pos] = it->second;
      it->second = g.pos;
    }
  }
  return next;
}

// Runs of seeds on one diagonal. A seed (i, j) says a's k-gram at i equals
// b's at j (b's k-grams are `b`). a's k-grams are visited by increasing
// position, so each diagonal's seeds arrive by increasing i and a run is
// extended or closed as they come: no sort of the seeds. `next` is given
// when a and b are one text (NextOccurrences): then only seeds with j > i,
// and the too-frequent k-grams seed to their next occurrence.
std::vector<Alignment> DiagonalRuns(const std::vector<Gram>& ga,
                                    const GramIndex& b,
                                    const std::vector<uint32_t>* next,
                                    const AlignParams& p) {
  std::vector<Alignment> runs;
  absl::flat_hash_map<int64_t, Alignment> open;  // diagonal -> its run
  auto seed = [&](uint32_t i, uint32_t j) {
    const int64_t d = int64_t{j} - i;
    auto [run, fresh] = open.try_emplace(d);
    Alignment& r = run->second;
    if (!fresh && i > r.a_end + p.max_gap) {
      runs.push_back(r);
      fresh = true;
    }
    if (fresh) {
      r.a_begin = i;
      r.a_end = i + p.k;
      r.b_begin = j;
      r.b_end = j + p.k;
      r.matched = p.k;
      return;
    }
    r.matched += i + p.k - std::max(r.a_end, i);
    r.a_end = i + p.k;
    r.b_end = j + p.k;
  };
  for (const Gram& g : ga) {  // by increasing position
    const uint32_t i = g.pos;
    auto it = b.where.find(g.hash);
    if (it == b.where.end()) {
      if (next != nullptr && !next->empty() && (*next)[i] != kNone) {
        seed(i, (*next)[i]);
      }
      continue;
    }
    for (uint32_t t = it->second.first; t < it->second.second; ++t) {
      const uint32_t j = b.pos[t];
      if (next == nullptr || j > i) seed(i, j);
    }
  }
  for (const auto& [d, r] : open) runs.push_back(r);
  return runs;
}

int64_t Diag(const Alignment& r) {
  return int64_t{r.b_begin} - int64_t{r.a_begin};
}

// Chains runs that follow each other in both texts with bounded gaps.
std::vector<Alignment> Chain(std::vector<Alignment> runs,
                             const AlignParams& p) {
  std::sort(runs.begin(), runs.end(), ByPosition);
  struct Open {
    Alignment chain;
    int64_t last_diag;
  };
  std::vector<Open> open;
  std::vector<Alignment> done;
  const int64_t gap = p.max_gap;
  for (const Alignment& r : runs) {
    // Chains that can no longer be extended are finished.
    for (size_t c = 0; c < open.size();) {
      if (int64_t{open[c].chain.a_end} + gap < r.a_begin) {
        done.push_back(open[c].chain);
        open[c] = open.back();
        open.pop_back();
      } else {
        ++c;
      }
    }
    Open* best = nullptr;
    int64_t best_shift = 0;
    for (Open& o : open) {
      const Alignment& c = o.chain;
      if (r.b_begin < c.b_begin ||
          int64_t{r.b_begin} > int64_t{c.b_end} + gap) {
        continue;
      }
      const int64_t shift = std::llabs(Diag(r) - o.last_diag);
      if (shift > int64_t{p.max_shift}) continue;
      if (best == nullptr || shift < best_shift) best = &o, best_shift = shift;
    }
    if (best == nullptr) {
      open.push_back({r, Diag(r)});
      continue;
    }
    Alignment& c = best->chain;
    c.matched += r.a_end > c.a_end ? r.a_end - std::max(c.a_end, r.a_begin) : 0;
    c.a_end = std::max(c.a_end, r.a_end);
    c.b_end = std::max(c.b_end, r.b_end);
    best->last_diag = Diag(r);
  }
  for (const Open& o : open) done.push_back(o.chain);
  return done;
}

// Walks from a[i], b[j] in direction `step` (+1 or -1) while the texts
// still agree: a match scores +1; a replaced, inserted or deleted token
// (whichever makes the next token match) scores -1. Returns how far each
// side moved at the best score; the walk stops 4 below it.
struct Reach {
  uint32_t a = 0;
  uint32_t b = 0;
  uint32_t matches = 0;  // tokens matched on the way
};
Reach Walk(absl::Span<const uint32_t> a, absl::Span<const uint32_t> b,
           int64_t i, int64_t j, int step) {
  constexpr int kDrop = 4;
  const int64_t na = a.size(), nb = b.size();
  auto in = [&](int64_t x, int64_t n) { return x >= 0 && x < n; };
  auto same = [&](int64_t x, int64_t y) {
    return in(x, na) && in(y, nb) && a[x] == b[y];
  };
  Reach best;
  int score = 0, best_score = 0;
  uint32_t matches = 0;
  int64_t x = i, y = j;
  while (in(x, na) && in(y, nb) && score > best_score - kDrop) {
    if (a[x] == b[y]) {
      score += 1;
      ++matches;
    } else if (same(x + step, y + step)) {
      score -= 1;  // replaced; the next pair matches
    } else if (same(x + step, y)) {
      score -= 1, x += step;  // a token only in a
    } else if (same(x, y + step)) {
      score -= 1, y += step;  // a token only in b
    } else {
      score -= 1;
    }
    x += step, y += step;
    if (score > best_score) {
      best_score = score;
      best.a = static_cast<uint32_t>((x - i) * step);
      best.b = static_cast<uint32_t>((y - j) * step);
      best.matches = matches;
    }
  }
  return best;
}

// Extends a chain beyond its first and last seeds: a word edited near the
// end of a passage breaks the k-grams there, but the words after it still
// match. The words matched on the way count as matched.
void Extend(absl::Span<const uint32_t> a, absl::Span<const uint32_t> b,
            Alignment* c) {
  const Reach right = Walk(a, b, c->a_end, c->b_end, +1);
  c->a_end += right.a;
  c->b_end += right.b;
  c->matched += right.matches;
  const Reach left =
      Walk(a, b, int64_t{c->a_begin} - 1, int64_t{c->b_begin} - 1, -1);
  c->a_begin -= left.a;
  c->b_begin -= left.b;
  c->matched += left.matches;
}

bool Inside(const Alignment& x, const Alignment& y) {
  return x.a_begin >= y.a_begin && x.a_end <= y.a_end &&
         x.b_begin >= y.b_begin && x.b_end <= y.b_end;
}

// Drops chains whose seeds cover less than min_matched of them: scattered
// common phrases. Judged before Extend, which lengthens a chain through
// edits by its own scoring.
std::vector<Alignment> Dense(std::vector<Alignment> chains,
                             const AlignParams& p) {
  std::vector<Alignment> kept;
  for (const Alignment& c : chains) {
    const uint32_t shorter = std::min(c.a_end - c.a_begin, c.b_end - c.b_begin);
    if (c.matched >= p.min_matched * shorter) kept.push_back(c);
  }
  return kept;
}

// Keeps chains long enough on both sides, drops those inside a longer one,
// and sorts by a_begin.
std::vector<Alignment> Finish(std::vector<Alignment> chains,
                              const AlignParams& p) {
  std::vector<Alignment> kept;
  for (const Alignment& c : chains) {
    const uint32_t shorter = std::min(c.a_end - c.a_begin, c.b_end - c.b_begin);
    if (shorter >= p.min_tokens) kept.push_back(c);
  }
  std::sort(kept.begin(), kept.end(),
            [](const Alignment& x, const Alignment& y) {
              return x.a_end - x.a_begin > y.a_end - y.a_begin;
            });
  // Longest first, so a chain can only lie inside one already kept, which
  // begins (in a) at most `longest` before it ends: only those are read.
  const uint32_t longest =
      kept.empty() ? 0 : kept.front().a_end - kept.front().a_begin;
  std::vector<Alignment> out;
  std::multimap<uint32_t, size_t> by_begin;  // a_begin -> index in out
  for (const Alignment& c : kept) {
    bool inside = false;
    for (auto it =
             by_begin.lower_bound(c.a_end >= longest ? c.a_end - longest : 0);
         !inside && it != by_begin.end() && it->first <= c.a_begin; ++it) {
      inside = Inside(c, out[it->second]);
    }
    if (inside) continue;
    by_begin.emplace(c.a_begin, out.size());
    out.push_back(c);
  }
  std::sort(out.begin(), out.end(), ByPosition);
  return out;
}

}  // namespace

bool ByPosition(const Alignment& x, const Alignment& y) {
  return x.a_begin != y.a_begin ? x.a_begin < y.a_begin : x.b_begin < y.b_begin;
}

std::vector<Alignment> Align(absl::Span<const uint32_t> a,
                             absl::Span<const uint32_t> b,
                             const AlignParams& params) {
  const GramIndex gb = IndexGrams(Grams(b, params.k), params.max_occurrences);
  std::vector<Alignment> chains = Dense(
      Chain(DiagonalRuns(Grams(a, params.k), gb, nullptr, params), params),
      params);
  for (Alignment& c : chains) Extend(a, b, &c);
  return Finish(std::move(chains), params);
}

std::vector<Alignment> SelfAlign(absl::Span<const uint32_t> a,
                                 const AlignParams& params) {
  const std::vector<Gram> grams = Grams(a, params.k);
  const GramIndex index = IndexGrams(grams, params.max_occurrences);
  const std::vector<uint32_t> next = NextOccurrences(grams, index);
  std::vector<Alignment> chains =
      Dense(Chain(DiagonalRuns(grams, index, &next, params), params), params);
  std::vector<Alignment> pairs;
  std::vector<Alignment> runs;  // chains that overlap themselves
  for (Alignment& c : chains) {
    Extend(a, a, &c);
    if (c.a_end <= c.b_begin) {
      pairs.push_back(c);
    } else if (c.b_begin - c.a_begin < params.min_tokens) {
      // A period too short to be a passage: one pair, which Finish drops.
      const uint32_t period = c.b_begin - c.a_begin;
      c.a_end = c.b_begin;
      c.b_end = std::min(c.b_end, c.b_begin + period);
      c.matched = std::min(c.matched, period);
      pairs.push_back(c);
    } else {
      runs.push_back(c);
    }
  }
  // A run that matches itself shifted by `period` is [a_begin, b_end),
  // copies of one period back to back. It also matches itself shifted by
  // twice the period, and so on: of the runs over one stretch, the
  // shortest period is the passage.
  std::sort(runs.begin(), runs.end(),
            [](const Alignment& x, const Alignment& y) {
              return x.b_begin - x.a_begin < y.b_begin - y.a_begin;
            });
  // Stretches taken, by where they begin; only those that can overlap c
  // (beginning at most `widest` before it) are read.
  std::multimap<uint32_t, uint32_t> taken;  // begin -> end
  uint32_t widest = 0;
  std::vector<Alignment> periodic;
  for (const Alignment& c : runs) {
    bool covered = false;
    for (auto it =
             taken.lower_bound(c.a_begin >= widest ? c.a_begin - widest : 0);
         !covered && it != taken.end() && it->first < c.b_end; ++it) {
      const uint32_t lo = std::max(it->first, c.a_begin);
      const uint32_t hi = std::min(it->second, c.b_end);
      covered = hi > lo && 2 * (hi - lo) >= c.b_end - c.a_begin;
    }
    if (covered) continue;
    taken.emplace(c.a_begin, c.b_end);
    widest = std::max(widest, c.b_end - c.a_begin);
    // Each copy with the next. Past kMaxListedCopies the last pair's
    // second copy is all the rest, so what repeats is still all covered.
    const uint32_t period = c.b_begin - c.a_begin;
    uint32_t s = c.a_begin;
    for (uint32_t n = 1; s + 2 * period <= c.b_end; ++n, s += period) {
      const uint32_t end = n + 1 >= kMaxListedCopies ? c.b_end : s + 2 * period;
      periodic.push_back({s, s + period, s + period, end, period});
      if (end == c.b_end) break;
    }
  }
  // Periodic pairs are of full periods, none inside another: not through
  // Finish, whose check for that is quadratic.
  std::vector<Alignment> out = Finish(std::move(pairs), params);
  out.insert(out.end(), periodic.begin(), periodic.end());
  std::sort(out.begin(), out.end(), ByPosition);
  return out;
}

}  // namespace neardup::passages
