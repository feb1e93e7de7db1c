// NEARDUP_CHECK: crash with a message when an invariant is broken. Bugs are
// not errors: use this for conditions that no input can cause, and return an
// absl::Status for everything else. Active in every build type.

#ifndef NEARDUP_SERVICE_COMMON_CHECK_H_
#define NEARDUP_SERVICE_COMMON_CHECK_H_

namespace neardup::internal {

// Prints "file:line: check failed: condition" to stderr and aborts.
[[noreturn]] void CheckFailed(const char* file, int line,
                              const char* condition);

}  // namespace neardup::internal

#define NEARDUP_CHECK(condition)                                        \
  do {                                                                  \
    if (!(condition)) {                                                 \
      ::neardup::internal::CheckFailed(__FILE__, __LINE__, #condition); \
    }                                                                   \
  } while (0)

#endif  // NEARDUP_SERVICE_COMMON_CHECK_H_
