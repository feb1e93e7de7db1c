// Token-hash streams for the passage tests: reproducible "words" from a
// large vocabulary (unrelated streams share no k-gram by chance), joining,
// and random word edits.

#ifndef NEARDUP_SERVICE_PASSAGES_TOKEN_STREAMS_H_
#define NEARDUP_SERVICE_PASSAGES_TOKEN_STREAMS_H_

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace neardup::passages {

// A reproducible stream of token hashes: fresh "words" from a large
// vocabulary, so unrelated sequences share no k-gram by chance.
class Words {
 public:
  explicit Words(uint64_t seed) : state_(seed) {}
  uint32_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state_ >> 33);
  }
  std::vector<uint32_t> Take(size_t n) {
    std::vector<uint32_t> v(n);
    for (auto& x : v) x = Next();
    return v;
  }

 private:
  uint64_t state_;
};

inline std::vector<uint32_t> Cat(
    std::initializer_list<std::vector<uint32_t>> parts) {
  std::vector<uint32_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Replaces, inserts or deletes about `rate` of the words of `v`.
inline std::vector<uint32_t> Edit(const std::vector<uint32_t>& v, double rate,
                                  Words* rng) {
  std::vector<uint32_t> out;
  for (uint32_t w : v) {
    const double u = (rng->Next() % 10000) / 10000.0;
    if (u < rate / 3) {
      out.push_back(rng->Next());  // replaced
    } else if (u < 2 * rate / 3) {
      out.push_back(rng->Next());  // inserted before
      out.push_back(w);
    } else if (u < rate) {
      continue;  // deleted
    } else {
      out.push_back(w);
    }
  }
  return out;
}

}  // namespace neardup::passages

#endif  // NEARDUP_SERVICE_PASSAGES_TOKEN_STREAMS_H_
