#include "service/audit/stage.h"

#include <string>

#include "service/common/crash_hook.h"

namespace neardup::audit {

absl::Status StageContext::CheckCancelled() const {
  if (cancelled && cancelled()) {
    return absl::CancelledError("the audit was cancelled");
  }
  return absl::OkStatus();
}

ProgressReporter::ProgressReporter(const StageContext& ctx,
                                   std::string_view stage,
                                   std::string_view unit)
    : fn_(ctx.progress), start_(absl::Now()), last_(start_) {
  p_.stage = stage;
  p_.unit = unit;
}

void ProgressReporter::Update(uint64_t done, uint64_t total, uint64_t bytes,
                              uint64_t total_bytes) {
  p_.done = done;
  p_.total = total;
  p_.bytes = bytes;
  p_.total_bytes = total_bytes;
  if (!fn_) return;
  const absl::Time now = absl::Now();
  if (now - last_ < absl::Milliseconds(500)) return;
  last_ = now;
  Report(false);
}

void ProgressReporter::Finish(uint64_t done) {
  p_.done = done;
  if (p_.total != 0) p_.total = done;
  if (fn_) Report(true);
}

double ProgressReporter::Seconds() const {
  return absl::ToDoubleSeconds(absl::Now() - start_);
}

void ProgressReporter::Report(bool finished) {
  p_.seconds = Seconds();
  p_.finished = finished;
  fn_(p_);
}

void CrashPoint(std::string_view stage, uint64_t step) {
  static const CrashHook* const hook = new CrashHook("NEARDUP_AUDIT_CRASH_AT");
  hook->At(stage, step);
}

}  // namespace neardup::audit
