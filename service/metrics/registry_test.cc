#include "service/metrics/registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace neardup::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RegistryTest, HistogramsAreCumulativeWithSumAndCount) {
  Registry r;
  r.ObserveCall("Check", "OK", 0.0008);
  r.ObserveCall("Check", "OK", 0.003);
  r.ObserveCall("Check", "OK", 20);  // past the last bucket
  r.ObserveCall("Add", "INVALID_ARGUMENT", 0.0001);
  const std::string page = r.Render();
  EXPECT_THAT(page, HasSubstr("# TYPE neardup_rpc_duration_seconds histogram"));
  const std::string check =
      "neardup_rpc_duration_seconds_bucket{method=\"Check\",code=\"OK\",";
  EXPECT_THAT(page, HasSubstr(check + "le=\"0.0005\"} 0\n"));
  EXPECT_THAT(page, HasSubstr(check + "le=\"0.001\"} 1\n"));
  EXPECT_THAT(page, HasSubstr(check + "le=\"0.005\"} 2\n"));
  EXPECT_THAT(page, HasSubstr(check + "le=\"10\"} 2\n"));
  EXPECT_THAT(page, HasSubstr(check + "le=\"+Inf\"} 3\n"));
  EXPECT_THAT(page,
              HasSubstr("neardup_rpc_duration_seconds_count{method=\"Check\","
                        "code=\"OK\"} 3\n"));
  EXPECT_THAT(page,
              HasSubstr("neardup_rpc_duration_seconds_bucket{method=\"Add\","
                        "code=\"INVALID_ARGUMENT\",le=\"0.00025\"} 1\n"));
}

TEST(RegistryTest, ValuesAreReadWhenRendered) {
  Registry r;
  double queued = 3;
  r.AddValue("neardup_queued_calls", "Calls waiting.", "gauge",
             [&] { return queued; });
  r.AddLabeled("neardup_documents", "Documents stored.", "gauge", "collection",
               [] {
                 return Registry::Labeled{{"pages", 10}, {"a\"b", 1.5}};
               });
  EXPECT_THAT(r.Render(), HasSubstr("neardup_queued_calls 3\n"));
  queued = 7;
  const std::string page = r.Render();
  EXPECT_THAT(page, HasSubstr("# TYPE neardup_queued_calls gauge\n"));
  EXPECT_THAT(page, HasSubstr("neardup_queued_calls 7\n"));
  EXPECT_THAT(page, Not(HasSubstr("neardup_queued_calls 3\n")));
  EXPECT_THAT(page, HasSubstr("neardup_documents{collection=\"pages\"} 10\n"));
  EXPECT_THAT(page,
              HasSubstr("neardup_documents{collection=\"a\\\"b\"} 1.5\n"));
}

}  // namespace
}  // namespace neardup::metrics
