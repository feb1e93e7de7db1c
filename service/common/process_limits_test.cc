#include "service/common/process_limits.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace neardup {
namespace {

TEST(ProcessLimitsTest, SoftLimitOfOpenFilesIsRaisedToTheHardLimit) {
  struct rlimit r;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &r), 0);
  if (r.rlim_max < 2) GTEST_SKIP() << "hard limit of open files too low";
  const struct rlimit saved = r;
  r.rlim_cur = r.rlim_max / 2;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &r), 0);
  EXPECT_EQ(OpenFileLimit(), r.rlim_max / 2);
  EXPECT_EQ(RaiseOpenFileLimit(), static_cast<uint64_t>(r.rlim_max));
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

TEST(ProcessLimitsTest, CountsOpenFiles) {
  const uint64_t before = OpenFileCount();
  ASSERT_GT(before, 0u);
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(OpenFileCount(), before + 1);
  close(fd);
  EXPECT_EQ(OpenFileCount(), before);
}

}  // namespace
}  // namespace neardup
