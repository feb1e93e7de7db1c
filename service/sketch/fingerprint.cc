#include "service/sketch/fingerprint.h"

#include <algorithm>

#include "service/sketch/simhash.h"

namespace neardup::sketch {

Fingerprint ComputeFingerprint(const text::Analysis& analysis,
                               const MinHasher& hasher) {
  Fingerprint fp;
  fp.minhash = hasher.Signature(analysis.shingle_set);
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
  const double q = static_cast<double>(query.shingle_count);
  const double d = static_cast<double>(stored.shingle_count);
  const double inter = s.jaccard * (q + d) / (1 + s.jaccard);
  s.containment = q > 0 ? std::clamp(inter / q, 0.0, 1.0) : 0.0;
  s.reverse_containment = d > 0 ? std::clamp(inter / d, 0.0, 1.0) : 0.0;
  return s;
}

}  // namespace neardup::sketch
