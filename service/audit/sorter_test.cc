#include "service/audit/sorter.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "service/audit/files.h"
#include "service/common/hash.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::audit {
namespace {

using ::neardup::testing::IsOk;

// More runs than one pass merges: several passes, the same result, and
// the intermediate runs removed.
TEST(SorterTest, MergesManyRunsInPassesWithoutRepeats) {
  const std::string dir = neardup::testing::MakeScratchDir("sorter");
  RunWriter w(dir + "/r", 50);  // a run every 50 values
  std::set<uint64_t> want;
  uint64_t state = 7;
  for (int i = 0; i < 40000; ++i) {
    const uint64_t v = SplitMix64(&state) % 30000;  // with repeats
    want.insert(v);
    ASSERT_THAT(w.Add(v), IsOk());
  }
  absl::StatusOr<std::vector<std::string>> runs = w.Finish();
  ASSERT_THAT(runs, IsOk());
  ASSERT_GT(runs->size(), kFanIn * 2);
  absl::StatusOr<uint64_t> n = MergeRuns(*runs, dir + "/out");
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, want.size());
  absl::StatusOr<std::vector<uint64_t>> got =
      ReadVector<uint64_t>(dir + "/out");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(*got, std::vector<uint64_t>(want.begin(), want.end()));
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, runs->size() + 1);  // the runs and the output only
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace neardup::audit
