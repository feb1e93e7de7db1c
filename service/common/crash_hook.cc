#include "service/common/crash_hook.h"

#include <signal.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace neardup {

CrashHook::CrashHook(const char* env) {
  const char* v = std::getenv(env);
  if (v != nullptr) target_ = v;
}

void CrashHook::Check(std::string_view point) const {
  if (target_ == point) raise(SIGKILL);
}

void CrashHook::Check(std::string_view stage, uint64_t step) const {
  Check(absl::StrCat(absl::string_view(stage.data(), stage.size()), ":", step));
}

}  // namespace neardup
