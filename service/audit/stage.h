// What every stage of an audit shares: the directory, the parameters, the
// threads, the memory budget and progress reporting, and the crash hook
// that the resume tests use.

#ifndef NEARDUP_SERVICE_AUDIT_STAGE_H_
#define NEARDUP_SERVICE_AUDIT_STAGE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/audit/params.h"
#include "service/common/executor.h"
#include "service/sketch/lsh.h"

namespace neardup::audit {

// Progress of a running audit.
struct Progress {
  std::string_view stage;  // "sign", "bucket", "verify", "cluster", "report"
  std::string_view unit;   // what `done` counts: "documents", "pairs", ...
  uint64_t done = 0;
  uint64_t total = 0;  // 0: not known
  uint64_t bytes = 0;  // sign: input bytes read so far, of total_bytes
  uint64_t total_bytes = 0;
  double seconds = 0;     // since the stage began
  bool finished = false;  // the stage's last report
  bool resumed = false;   // finished by an earlier run: skipped
};
using ProgressFn = std::function<void(const Progress&)>;

struct StageContext {
  std::string dir;  // the audit directory
  AuditParams params;
  sketch::LshParams lsh;
  Executor* executor = nullptr;
  int threads = 1;
  uint64_t memory_limit = uint64_t{2} << 30;
  ProgressFn progress;  // may be empty
  // True when the audit should stop (its client went away); may be empty.
  std::function<bool()> cancelled;

  // CANCELLED if `cancelled` says so: stages call it between steps.
  absl::Status CheckCancelled() const;
};

// Reports a stage's progress at most every half second, and always its
// end.
class ProgressReporter {
 public:
  ProgressReporter(const StageContext& ctx, std::string_view stage,
                   std::string_view unit);
  // Reports `done` (of `total`) if half a second has passed since the last
  // report.
  void Update(uint64_t done, uint64_t total = 0, uint64_t bytes = 0,
              uint64_t total_bytes = 0);
  void Finish(uint64_t done);
  double Seconds() const;

 private:
  void Report(bool finished);
  const ProgressFn& fn_;
  Progress p_;
  absl::Time start_;
  absl::Time last_;
};

// The test hook behind the resume tests: with the environment variable
// NEARDUP_AUDIT_CRASH_AT=STAGE:N, the process kills itself with SIGKILL
// (no cleanup, as kill -9 from outside) when stage STAGE reaches step N
// (a chunk signed, a band bucketed, a part verified, a cluster written).
void CrashPoint(std::string_view stage, uint64_t step);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_STAGE_H_
