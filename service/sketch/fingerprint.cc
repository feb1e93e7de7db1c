#include "service/sketch/fingerprint.h"

#include <algorithm>

#include "service/sketch/bottom_k.h"
#include "service/sketch/simhash.h"

namespace neardup::sketch {

Fingerprint ComputeFingerprint(const text::Analysis& analysis,
                               const MinHasher& hasher) {
  Fingerprint fp;
  fp.minhash = hasher.Signature(analysis.shingle_set);
  fp.bottom_k = BottomK(analysis.shingle_set, hasher.num_perm());
  fp.simhash = SimHash(analysis.shingle_set);
  fp.digest = analysis.text.digest;
  fp.shingle_count = analysis.shingle_set.size();
  fp.token_count = analysis.text.tokens.size();
  return fp;
}

Scores Score(const Fingerprint& query, const Fingerprint& stored) {
  Scores s;
  s.exact = query.digest == stored.digest;
  s.jaccard = s.exact ? 1.0 : EstimateJaccard(query.minhash, stored.minhash);
  s.hamming_distance = HammingDistance(query.simhash, stored.simhash);
  if (s.exact) {
    s.containment = s.reverse_containment = 1.0;
  } else if (!query.bottom_k.empty() && !stored.bottom_k.empty()) {
    const uint32_t k = static_cast<uint32_t>(
        std::max(query.minhash.size(), stored.minhash.size()));
    s.containment = BottomKContainment(query.bottom_k, stored.bottom_k, k);
    s.reverse_containment =
        BottomKContainment(stored.bottom_k, query.bottom_k, k);
  } else {
    const double q = static_cast<double>(query.shingle_count);
    const double d = static_cast<double>(stored.shingle_count);
    const double inter = s.jaccard * (q + d) / (1 + s.jaccard);
    s.containment = q > 0 ? std::clamp(inter / q, 0.0, 1.0) : 0.0;
    s.reverse_containment = d > 0 ? std::clamp(inter / d, 0.0, 1.0) : 0.0;
  }
  return s;
}

}  // namespace neardup::sketch
