#include "service/common/crash_hook.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace neardup {

CrashHook::CrashHook(const char* env) {
  const char* v = std::getenv(env);
  if (v != nullptr) target_ = v;
}

void CrashHook::Check(std::string_view point) const {
  if (target_ != point) return;
  // With NEARDUP_CRASH_ONCE=FILE, only the process that creates FILE
  // dies: a task run again after the crash (on a restarted worker) goes
  // through.
  if (const char* once = std::getenv("NEARDUP_CRASH_ONCE"); once != nullptr) {
    const int fd = ::open(once, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return;
    ::close(fd);
  }
  raise(SIGKILL);
}

void CrashHook::Check(std::string_view stage, uint64_t step) const {
  Check(absl::StrCat(absl::string_view(stage.data(), stage.size()), ":", step));
}

}  // namespace neardup
