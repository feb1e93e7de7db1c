// Test hooks that kill the process with SIGKILL at a named point, so that
// crash tests stop it exactly there (audit stages, bulk import). A hook is
// armed by an environment variable, read once when it is made: the point
// named by its value ("STAGE:STEP", or "POINT") kills, every other point
// costs one test of an empty string. With NEARDUP_CRASH_ONCE=FILE as
// well, a point kills only the process that first creates FILE (for
// schedulers that run a task again after its worker died).
//
// Example:
//   static const CrashHook hook("NEARDUP_AUDIT_CRASH_AT");
//   hook.At("sign", chunk);  // dies here if NEARDUP_AUDIT_CRASH_AT=sign:3

#ifndef NEARDUP_SERVICE_COMMON_CRASH_HOOK_H_
#define NEARDUP_SERVICE_COMMON_CRASH_HOOK_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace neardup {

class CrashHook {
 public:
  explicit CrashHook(const char* env);

  bool armed() const { return !target_.empty(); }
  // Kills the process if the hook names `point`.
  void At(std::string_view point) const {
    if (armed()) Check(point);
  }
  // Kills the process if the hook names "STAGE:STEP".
  void At(std::string_view stage, uint64_t step) const {
    if (armed()) Check(stage, step);
  }

 private:
  void Check(std::string_view point) const;
  void Check(std::string_view stage, uint64_t step) const;

  std::string target_;
};

}  // namespace neardup

#endif  // NEARDUP_SERVICE_COMMON_CRASH_HOOK_H_
