#include "service/api/admission.h"

#include <memory>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace neardup::api {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

TEST(AdmissionTest, LargeRequestsGoToTheirOwnPool) {
  Executor small({1, 8}), large({1, 8});
  Admission admission(&small, &large,
                      {/*large_request_bytes=*/100,
                       /*max_inflight_bytes=*/1000, absl::Seconds(2)});
  absl::Notification block, blocked;
  // The large pool's thread is held: a small call still runs.
  ASSERT_THAT(admission.Submit(100,
                               [&] {
                                 blocked.Notify();
                                 block.WaitForNotification();
                               }),
              IsOk());
  blocked.WaitForNotification();
  absl::Notification ran;
  ASSERT_THAT(admission.Submit(99, [&] { ran.Notify(); }), IsOk());
  ran.WaitForNotification();  // would wait forever on the large pool
  EXPECT_GE(admission.inflight_bytes(), 100u);  // the large call's, at least
  block.Notify();
}

TEST(AdmissionTest, BytesInFlightAreBoundedAndGivenBack) {
  auto small = std::make_unique<Executor>(Executor::Options{1, 8});
  auto large = std::make_unique<Executor>(Executor::Options{1, 8});
  Admission admission(small.get(), large.get(), {100, 1000, absl::Seconds(2)});
  absl::Notification block, blocked;
  ASSERT_THAT(admission.Submit(600,
                               [&] {
                                 blocked.Notify();
                                 block.WaitForNotification();
                               }),
              IsOk());
  blocked.WaitForNotification();
  EXPECT_THAT(admission.Submit(401, [] {}),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("retry in 2000 ms")));
  EXPECT_EQ(admission.refused_for_bytes(), 1u);
  EXPECT_THAT(admission.Submit(400, [] {}), IsOk());  // up to the bound
  EXPECT_EQ(admission.inflight_bytes(), 1000u);
  block.Notify();
  // The pools run what they hold before they go: every byte is back.
  small.reset();
  large.reset();
  EXPECT_EQ(admission.inflight_bytes(), 0u);
}

TEST(AdmissionTest, AFullQueueIsRefusedAndReleasesItsBytes) {
  Executor small({1, 0}), large({1, 0});  // nothing may wait
  Admission admission(&small, &large, {100, 1000, absl::Seconds(1)});
  EXPECT_THAT(admission.Submit(10, [] {}),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("worker threads; retry in 1000 ms")));
  EXPECT_EQ(admission.inflight_bytes(), 0u);
}

}  // namespace
}  // namespace neardup::api
