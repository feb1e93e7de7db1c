#include "service/common/executor.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace neardup {
namespace {

TEST(ExecutorTest, RunsEveryTaskBeforeItIsDestroyed) {
  std::atomic<int> ran{0};
  {
    Executor pool({/*threads=*/2, /*max_queued=*/1000});
    EXPECT_EQ(pool.threads(), 2);
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(pool.TrySubmit([&] { ran.fetch_add(1); }));
    }
  }
  EXPECT_EQ(ran.load(), 500);
}

TEST(ExecutorTest, RefusesWhenTheQueueIsFull) {
  absl::Notification started, release;
  std::atomic<int> ran{0};
  Executor pool({/*threads=*/1, /*max_queued=*/2});
  // The one thread is busy until `release`; two tasks may wait.
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();
  EXPECT_TRUE(pool.TrySubmit([&] { ran.fetch_add(1); }));
  EXPECT_TRUE(pool.TrySubmit([&] { ran.fetch_add(1); }));
  EXPECT_EQ(pool.queued(), 2u);
  EXPECT_FALSE(pool.TrySubmit([&] { ran.fetch_add(100); }));
  EXPECT_EQ(pool.rejected(), 1u);
  release.Notify();
  // Submit waits for room instead of refusing.
  pool.Submit([&] { ran.fetch_add(1); });
  ParallelFor(&pool, 1, [](size_t) {});  // all queued tasks ran before it
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(pool.queued(), 0u);
  EXPECT_EQ(pool.peak_queued(), 2u);  // the high-water mark stays
}

TEST(ExecutorTest, ParallelForVisitsEachIndexOnce) {
  Executor pool({/*threads=*/3, /*max_queued=*/4});
  std::vector<std::atomic<int>> seen(10000);
  ParallelFor(&pool, seen.size(), [&](size_t i) { seen[i].fetch_add(1); });
  for (const auto& s : seen) ASSERT_EQ(s.load(), 1);
  ParallelFor(&pool, 0, [](size_t) { FAIL(); });
  EXPECT_GE(AvailableCores(), 1);
}

TEST(ExecutorTest, ThreadsRunAtTheNicenessAsked) {
  errno = 0;
  const int base = getpriority(PRIO_PROCESS, gettid());
  ASSERT_EQ(errno, 0);
  std::atomic<int> seen{-100};
  {
    Executor pool({/*threads=*/1, /*max_queued=*/4, /*nice=*/5});
    pool.Submit([&] { seen = getpriority(PRIO_PROCESS, gettid()); });
  }
  // Capped at 19, the lowest priority there is.
  EXPECT_EQ(seen.load(), std::min(base + 5, 19));
}

}  // namespace
}  // namespace neardup
