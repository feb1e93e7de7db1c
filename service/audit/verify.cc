#include "service/audit/verify.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "service/audit/files.h"
#include "service/common/status_macros.h"
#include "service/sketch/fingerprint.h"
#include "service/text/shingle.h"

namespace neardup::audit {
namespace {

// A document's sketch as Score takes it.
absl::Status Load(const SignedCorpus& corpus, uint32_t doc,
                  sketch::Fingerprint* fp, std::vector<uint64_t>* shingles) {
  NEARDUP_ASSIGN_OR_RETURN(DocRecord r, corpus.Doc(doc));
  Sketch s;
  NEARDUP_RETURN_IF_ERROR(corpus.ReadSketch(doc, r, &s));
  fp->minhash = std::move(s.minhash);
  fp->bottom_k = std::move(s.bottom_k);
  fp->digest = {r.digest_low, r.digest_high};
  fp->shingle_count = r.shingles;
  fp->token_count = r.tokens;
  *shingles = std::move(s.shingle_set);
  return absl::OkStatus();
}

}  // namespace

std::string EdgePartPath(const std::string& dir, uint32_t part) {
  return absl::StrFormat("%s/verify/edges-%04u.bin", dir, part);
}

uint32_t VerifyParts(uint64_t candidates) {
  // Parts of about a million pairs: small enough to balance, and the part
  // count depends on nothing but the candidates, so neither do the
  // outputs.
  return static_cast<uint32_t>(std::max<uint64_t>(
      1, std::min<uint64_t>((candidates + (1 << 20) - 1) >> 20, 4096)));
}

absl::StatusOr<uint64_t> VerifyPart(const StageContext& ctx,
                                    const SignedCorpus& corpus,
                                    const std::vector<uint32_t>& order,
                                    const RandomAccessFile& candidates,
                                    uint32_t part,
                                    const std::function<void(uint64_t)>& done) {
  const uint64_t n = candidates.size() / sizeof(uint64_t);
  const uint32_t parts = VerifyParts(n);
  if (part >= parts) {
    return absl::InvalidArgumentError(
        absl::StrCat("verify part ", part, " of ", parts));
  }
  const double cutoff = ctx.params.threshold - 1e-9;
  const uint64_t begin = n * part / parts, end = n * (part + 1) / parts;
  RecordReader<uint64_t> pairs(&candidates, begin * 8, end * 8, 8192);
  NEARDUP_ASSIGN_OR_RETURN(FileWriter out,
                           FileWriter::Create(EdgePartPath(ctx.dir, part)));
  sketch::Fingerprint fa, fb;
  std::vector<uint64_t> sa, sb;
  uint32_t loaded = UINT32_MAX;
  uint64_t pair, count = 0, kept = 0;
  while (true) {
    NEARDUP_ASSIGN_OR_RETURN(bool more, pairs.Next(&pair));
    if (!more) break;
    const uint32_t a = static_cast<uint32_t>(pair >> 32);
    const uint32_t b = static_cast<uint32_t>(pair);
    if (a >= order.size() || b >= order.size()) {
      return absl::DataLossError(absl::StrCat("candidate pair (", a, ", ", b,
                                              ") names a rank past the last, ",
                                              order.size()));
    }
    if (a != loaded) {
      NEARDUP_RETURN_IF_ERROR(Load(corpus, order[a], &fa, &sa));
      loaded = a;
    }
    NEARDUP_RETURN_IF_ERROR(Load(corpus, order[b], &fb, &sb));
    // b is the query, a the stored document it may duplicate.
    sketch::Scores score = sketch::Score(fb, fa);
    if (ctx.params.exact) {
      const size_t shared = text::SharedCount(sb, sa);
      const size_t uni = sa.size() + sb.size() - shared;
      score.jaccard = uni ? double(shared) / uni : 0;
      score.containment = sb.empty() ? 0 : double(shared) / sb.size();
      score.reverse_containment = sa.empty() ? 0 : double(shared) / sa.size();
    }
    // Containment of the shorter text in the longer.
    const double measure = !ctx.params.containment ? score.jaccard
                           : fb.shingle_count <= fa.shingle_count
                               ? score.containment
                               : score.reverse_containment;
    if (measure >= cutoff) {
      NEARDUP_RETURN_IF_ERROR(out.AppendRecord(
          Edge{a, b, static_cast<float>(score.jaccard),
               static_cast<float>(score.containment),
               static_cast<float>(score.reverse_containment)}));
      ++kept;
    }
    if (++count % 65536 == 0) {
      NEARDUP_RETURN_IF_ERROR(ctx.CheckCancelled());
      if (done) done(65536);
    }
  }
  NEARDUP_RETURN_IF_ERROR(out.Close());
  return kept;
}

absl::Status Verify(const StageContext& ctx, const SignedCorpus& corpus,
                    Marker* stats) {
  const std::string dir = ctx.dir + "/verify";
  NEARDUP_RETURN_IF_ERROR(RemoveAll(dir));
  NEARDUP_RETURN_IF_ERROR(MakeDirs(dir));
  NEARDUP_ASSIGN_OR_RETURN(std::vector<uint32_t> order,
                           ReadVector<uint32_t>(ctx.dir + "/bucket/order.bin"));
  NEARDUP_ASSIGN_OR_RETURN(
      RandomAccessFile candidates,
      RandomAccessFile::Open(ctx.dir + "/bucket/candidates.bin"));
  const uint64_t n = candidates.size() / sizeof(uint64_t);
  const uint32_t parts = VerifyParts(n);
  ProgressReporter progress(ctx, "verify", "pairs");
  absl::Mutex mu;
  absl::Status failed;
  std::atomic<uint64_t> done{0}, edges{0};
  std::atomic<uint32_t> parts_done{0};
  ParallelFor(ctx.executor, parts, [&](size_t part) {
    absl::StatusOr<uint64_t> kept =
        VerifyPart(ctx, corpus, order, candidates, static_cast<uint32_t>(part),
                   [&](uint64_t pairs) {
                     const uint64_t d = done.fetch_add(pairs) + pairs;
                     absl::MutexLock lock(&mu);
                     progress.Update(d, n);
                   });
    absl::MutexLock lock(&mu);
    if (!kept.ok()) {
      if (failed.ok()) failed = kept.status();
    } else {
      edges.fetch_add(*kept);
    }
    CrashPoint("verify", parts_done.fetch_add(1) + 1);
  });
  NEARDUP_RETURN_IF_ERROR(failed);
  progress.Finish(n);
  stats->Add("parts", parts);
  stats->Add("edges", edges.load());
  return absl::OkStatus();
}

}  // namespace neardup::audit
