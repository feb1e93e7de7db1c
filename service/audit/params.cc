#include "service/audit/params.h"

#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"
#include "service/sketch/fingerprint.h"

namespace neardup::audit {

const char* KeepName(Keep keep) {
  switch (keep) {
    case Keep::kLongest:
      return "longest";
    case Keep::kFirst:
      return "first";
    case Keep::kId:
      return "id";
  }
  return "longest";
}

absl::StatusOr<Keep> ParseKeep(std::string_view name) {
  for (Keep k : {Keep::kLongest, Keep::kFirst, Keep::kId}) {
    if (name == KeepName(k)) return k;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--keep is longest, first or id: ",
                   absl::string_view(name.data(), name.size())));
}

absl::Status ValidateParams(const AuditParams& p) {
  NEARDUP_RETURN_IF_ERROR(index::CheckThreshold(p.threshold));
  NEARDUP_RETURN_IF_ERROR(
      index::CheckParam(index::kNumPermParam, p.pipeline.num_perm));
  NEARDUP_RETURN_IF_ERROR(index::CheckParam(index::kWordShingleParam,
                                            p.pipeline.text.shingle.word_size));
  NEARDUP_RETURN_IF_ERROR(index::CheckParam(index::kCharShingleParam,
                                            p.pipeline.text.shingle.char_size));
  return absl::OkStatus();
}

sketch::LshParams AuditLsh(const AuditParams& p) {
  const double jaccard =
      p.containment ? p.threshold / (3 - p.threshold) : p.threshold;
  return sketch::OptimalLshParams(jaccard, p.pipeline.num_perm);
}

std::string ParamsJson(const AuditParams& p) {
  const sketch::LshParams lsh = AuditLsh(p);
  const engine::PipelineParams& e = p.pipeline;
  return absl::StrCat(
      "{\"bands\":", lsh.bands, ",\"bucket_fanout\":", kBucketFanout,
      ",\"char_shingle_size\":", e.text.shingle.char_size,
      ",\"collapse_repeats\":", e.collapse_repeats ? "true" : "false",
      ",\"components\":", p.components ? "true" : "false",
      ",\"containment\":", p.containment ? "true" : "false",
      ",\"exact\":", p.exact ? "true" : "false",
      ",\"fingerprint_version\":", sketch::kFingerprintVersion,
      ",\"fold_traditional\":", e.text.fold_traditional ? "true" : "false",
      ",\"keep\":\"", KeepName(p.keep), "\",\"minhash_seed\":", e.minhash_seed,
      ",\"num_perm\":", e.num_perm, ",\"rows\":", lsh.rows,
      ",\"shingle_seed\":", e.text.shingle.seed, ",\"threshold\":", p.threshold,
      ",\"word_shingle_size\":", e.text.shingle.word_size, "}");
}

}  // namespace neardup::audit
