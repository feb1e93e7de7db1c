#include "service/sketch/lsh.h"

#include <xxhash.h>

#include <cmath>
#include <limits>

#include "service/common/check.h"

namespace neardup::sketch {
namespace {

// Integrates `f` over [lo, hi] with Simpson's rule on `n` (even) intervals.
template <typename F>
double Integrate(F f, double lo, double hi, int n = 200) {
  if (hi <= lo) return 0;
  const double h = (hi - lo) / n;
  double sum = f(lo) + f(hi);
  for (int i = 1; i < n; ++i) sum += f(lo + i * h) * (i % 2 ? 4 : 2);
  return sum * h / 3;
}

}  // namespace

double CandidateProbability(double s, LshParams params) {
  return 1.0 - std::pow(1.0 - std::pow(s, params.rows), params.bands);
}

LshParams OptimalLshParams(double threshold, uint32_t num_perm,
                           double fp_weight, double fn_weight) {
  NEARDUP_CHECK(threshold > 0 && threshold <= 1 && num_perm >= 1);
  LshParams best{1, num_perm};
  double best_error = std::numeric_limits<double>::infinity();
  for (uint32_t b = 1; b <= num_perm; ++b) {
    for (uint32_t r = 1; b * r <= num_perm; ++r) {
      const LshParams p{b, r};
      const double fp = Integrate(
          [p](double s) { return CandidateProbability(s, p); }, 0, threshold);
      const double fn =
          Integrate([p](double s) { return 1 - CandidateProbability(s, p); },
                    threshold, 1);
      const double error = fp_weight * fp + fn_weight * fn;
      if (error < best_error) best_error = error, best = p;
    }
  }
  return best;
}

std::vector<uint64_t> BandKeys(absl::Span<const uint32_t> signature,
                               LshParams params) {
  NEARDUP_CHECK(params.bands * params.rows <= signature.size());
  std::vector<uint64_t> keys(params.bands);
  std::vector<unsigned char> buf(params.rows * 4);
  for (uint32_t band = 0; band < params.bands; ++band) {
    for (uint32_t r = 0; r < params.rows; ++r) {
      const uint32_t v = signature[band * params.rows + r];
      for (int byte = 0; byte < 4; ++byte) {
        buf[r * 4 + byte] = static_cast<unsigned char>(v >> (8 * byte));
      }
    }
    keys[band] = XXH3_64bits_withSeed(buf.data(), buf.size(), band);
  }
  return keys;
}

}  // namespace neardup::sketch
