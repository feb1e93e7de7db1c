// Status propagation macros. Debian 12's Abseil (20220623) has none of its
// own; swap these for Abseil's when the project moves to a newer release.
//
// Example:
//   absl::StatusOr<Config> Load(std::string_view path) {
//     NEARDUP_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
//     NEARDUP_RETURN_IF_ERROR(Validate(bytes));
//     return Parse(bytes);
//   }

#ifndef NEARDUP_SERVICE_COMMON_STATUS_MACROS_H_
#define NEARDUP_SERVICE_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function if it is not OK.
#define NEARDUP_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::absl::Status neardup_status_ = (expr);           \
    if (!neardup_status_.ok()) return neardup_status_; \
  } while (0)

#define NEARDUP_STATUS_CONCAT_INNER_(a, b) a##b
#define NEARDUP_STATUS_CONCAT_(a, b) NEARDUP_STATUS_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status from
// the enclosing function, otherwise moves the value into `lhs`, which may be
// a declaration (`auto x`) or an existing variable.
#define NEARDUP_ASSIGN_OR_RETURN(lhs, rexpr) \
  NEARDUP_ASSIGN_OR_RETURN_IMPL_(            \
      NEARDUP_STATUS_CONCAT_(neardup_statusor_, __LINE__), lhs, rexpr)

#define NEARDUP_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()

#endif  // NEARDUP_SERVICE_COMMON_STATUS_MACROS_H_
