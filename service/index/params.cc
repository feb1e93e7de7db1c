#include "service/index/params.h"

#include "absl/strings/str_cat.h"

namespace neardup::index {

absl::Status CheckParam(const UintParam& param, uint32_t value) {
  if (value >= param.min && value <= param.max) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      param.name, " must be in [", param.min, ", ", param.max, "]: ", value));
}

absl::Status CheckThreshold(double threshold) {
  if (threshold > 0 && threshold <= 1) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("threshold must be in (0, 1]: ", threshold));
}

}  // namespace neardup::index
