#include "service/passages/fingerprints.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "service/common/hash.h"
#include "service/sketch/winnow.h"

namespace neardup::passages {

std::vector<PassageFingerprint> PassageFingerprints(
    absl::Span<const uint32_t> tokens) {
  std::vector<PassageFingerprint> out;
  if (tokens.size() < kPassageGram) return out;
  std::vector<uint64_t> grams(tokens.size() - kPassageGram + 1);
  for (size_t p = 0; p < grams.size(); ++p) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (uint32_t i = 0; i < kPassageGram; ++i) h = Mix64(h ^ tokens[p + i]);
    grams[p] = h;
  }
  for (const sketch::WinnowFingerprint& f :
       sketch::Winnow(grams, kPassageWindow)) {
    // The low half: winnowing picked small values, so the high half of a
    // selected hash is biased towards zero and would collide more often.
    out.push_back({static_cast<uint32_t>(f.hash), f.position});
  }
  return out;
}

std::vector<uint32_t> DistinctHashes(absl::Span<const PassageFingerprint> fps) {
  std::vector<uint32_t> out;
  out.reserve(fps.size());
  for (const PassageFingerprint& f : fps) out.push_back(f.hash);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void MaskTokens(absl::Span<const PassageFingerprint> ignored,
                std::vector<uint32_t>* tokens) {
  const uint32_t n = static_cast<uint32_t>(tokens->size());
  uint32_t masked_to = 0;  // tokens before this are masked already
  for (size_t i = 0; i < ignored.size(); ++i) {
    uint32_t begin = ignored[i].position;
    uint32_t end = std::min(n, begin + kPassageGram);
    if (i + 1 < ignored.size() &&
        ignored[i + 1].position - begin <= kPassageWindow) {
      end = std::min(n, std::max(end, ignored[i + 1].position));
    }
    for (uint32_t t = std::max(begin, masked_to); t < end; ++t) {
      // Unlikely to equal a real token hash; never equal to each other.
      (*tokens)[t] = 0x5bd1e995u * (t + 1) ^ 0xa5a5a5a5u;
    }
    masked_to = std::max(masked_to, end);
  }
}

}  // namespace neardup::passages
