// Accuracy of the sketch estimators on synthetic sets with known answers
// (fixed seeds, so the output is the same on every run):
//
//   build/release/bench/sketch_accuracy
//
// 1. Jaccard from MinHash signatures, K = 128: one-permutation hashing
//    with optimal densification against the classic K-hash scheme, by set
//    size, over pairs with J spread evenly over [0, 1].
// 2. Containment |Q∩D|/|Q| of a query in a stored document of another
//    size: (a) from the Jaccard estimate and both set sizes, (b) from
//    bottom-k sketches (k = 128 smallest hashes, BottomKContainment), as
//    Score reports it.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "service/sketch/bottom_k.h"
#include "service/sketch/fingerprint.h"
#include "service/sketch/minhash.h"

namespace neardup::sketch {
namespace {

struct Pair {
  std::vector<uint64_t> q, d;
  double jaccard, containment;
};

// Q and D with |Q| = q_size, |D| = d_size and |Q∩D| = common.
Pair MakePair(uint64_t* rng, size_t q_size, size_t d_size, size_t common) {
  Pair p;
  for (size_t i = 0; i < common; ++i) {
    const uint64_t x = SplitMix64(rng);
    p.q.push_back(x);
    p.d.push_back(x);
  }
  while (p.q.size() < q_size) p.q.push_back(SplitMix64(rng));
  while (p.d.size() < d_size) p.d.push_back(SplitMix64(rng));
  p.jaccard = static_cast<double>(common) / (q_size + d_size - common);
  p.containment = static_cast<double>(common) / q_size;
  return p;
}

struct Errors {
  double abs = 0, sum = 0, max = 0;
  int n = 0;
  void Add(double e) {
    abs += std::fabs(e), sum += e, max = std::max(max, std::fabs(e)), ++n;
  }
};

void JaccardTable() {
  std::printf("Jaccard, K = 128, 2,000 pairs per row, J uniform in [0, 1]\n");
  std::printf(
      "| union size | one-permutation MAE | bias | classic MAE | bias |\n");
  std::printf("|---|---|---|---|---|\n");
  const MinHasher oph(128, kMinHashSeed);
  const MinHasher classic(128, kMinHashSeed, MinHashScheme::kClassic);
  for (size_t total : {10u, 50u, 200u, 1000u, 10000u}) {
    uint64_t rng = 1000 + total;
    Errors eo, ec;
    const int kPairs = 2000;
    for (int i = 0; i < kPairs; ++i) {
      const double j = (i + 0.5) / kPairs;
      // |Q| = |D|, |Q∪D| = total.
      const size_t common =
          static_cast<size_t>(std::lround(2 * j * total / (1 + j)));
      const size_t size = (total + common) / 2;
      const Pair p = MakePair(&rng, size, size, std::min(common, size));
      eo.Add(EstimateJaccard(oph.Signature(p.q), oph.Signature(p.d)) -
             p.jaccard);
      ec.Add(EstimateJaccard(classic.Signature(p.q), classic.Signature(p.d)) -
             p.jaccard);
    }
    std::printf("| %zu | %.4f | %+.4f | %.4f | %+.4f |\n", total, eo.abs / eo.n,
                eo.sum / eo.n, ec.abs / ec.n, ec.sum / ec.n);
  }
}

void ContainmentTable() {
  std::printf(
      "\nContainment |Q∩D|/|Q|, K = 128 (one permutation) vs bottom-128, "
      "500 pairs per row, |Q| = 500\n");
  std::printf(
      "| |D| / |Q| | true containment | from Jaccard + sizes: MAE | max | "
      "bottom-k: MAE | max |\n");
  std::printf("|---|---|---|---|---|---|\n");
  const MinHasher oph(128, kMinHashSeed);
  for (size_t ratio : {1u, 2u, 5u, 10u}) {
    for (double c : {0.2, 0.5, 0.9, 1.0}) {
      uint64_t rng = 77 + ratio * 100 + static_cast<uint64_t>(c * 10);
      Errors ej, eb;
      for (int i = 0; i < 500; ++i) {
        const size_t q_size = 500, d_size = 500 * ratio;
        const Pair p = MakePair(&rng, q_size, d_size,
                                static_cast<size_t>(std::lround(c * q_size)));
        Fingerprint fq, fd;
        fq.minhash = oph.Signature(p.q);
        fd.minhash = oph.Signature(p.d);
        fq.shingle_count = p.q.size();
        fd.shingle_count = p.d.size();
        fq.digest = text::Digest128{1, 0};
        // Without bottom-k sketches Score derives containment from J.
        ej.Add(Score(fq, fd).containment - p.containment);
        fq.bottom_k = BottomK(p.q, 128);
        fd.bottom_k = BottomK(p.d, 128);
        eb.Add(Score(fq, fd).containment - p.containment);
      }
      std::printf("| %zu | %.1f | %.3f | %.3f | %.3f | %.3f |\n", ratio, c,
                  ej.abs / ej.n, ej.max, eb.abs / eb.n, eb.max);
    }
  }
}

}  // namespace
}  // namespace neardup::sketch

int main() {
  neardup::sketch::JaccardTable();
  neardup::sketch::ContainmentTable();
  return 0;
}
