// GoogleMock matchers for absl::Status and absl::StatusOr (Debian 12's
// Abseil has none).
//
// Example:
//   EXPECT_THAT(store->Get("c", "x"), StatusIs(absl::StatusCode::kNotFound,
//                                              HasSubstr("x")));
//   EXPECT_THAT(store->Add(...), IsOk());
//   EXPECT_THAT(ParseInt("7"), IsOkAndHolds(7));

#ifndef NEARDUP_TESTS_TESTING_STATUS_MATCHERS_H_
#define NEARDUP_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace neardup::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + absl::StatusCodeToString(code) +
               " and a matching message") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(s.message()), result_listener);
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTING_STATUS_MATCHERS_H_
