// The audit as tasks (tasks.h), run in this process in scrambled orders:
// the same outputs as RunAudit for every input format, shard size and
// partition count; tasks that find their marker do nothing; a task run
// before its inputs are ready says which are missing.

#include "service/audit/tasks.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/planted.h"
#include "tests/testing/status_matchers.h"

namespace neardup::audit::tasks {
namespace {

using ::neardup::testing::AuditResults;
using ::neardup::testing::IsOk;
using ::neardup::testing::MakePlantedCorpus;
using ::neardup::testing::PlantedCorpus;
using ::neardup::testing::PlantedFormat;
using ::neardup::testing::StatusIs;
using ::neardup::testing::WritePlanted;
using ::testing::HasSubstr;

class TasksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("tasks");
    corpus_ = MakePlantedCorpus(5, 6, 30);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  AuditOptions Options(const std::string& input, const std::string& out) {
    AuditOptions o;
    o.inputs = {input};
    o.out_dir = dir_ + "/" + out;
    o.threads = 2;
    o.memory_limit = uint64_t{64} << 20;
    return o;
  }

  // Runs every task of the audit planned in `dir`, each step's tasks in
  // an order drawn from `seed`; counts the tasks that did work.
  int RunAll(const std::string& dir, uint32_t seed) {
    std::mt19937 rng(seed);
    int ran = 0;
    auto each = [&](uint32_t n, auto task) {
      std::vector<uint32_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      for (uint32_t i : order) {
        absl::StatusOr<TaskResult> r = task(i);
        EXPECT_THAT(r, IsOk()) << i;
        if (r.ok() && !r->skipped) ++ran;
      }
    };
    auto one = [&](absl::StatusOr<TaskResult> r) {
      EXPECT_THAT(r, IsOk());
      if (r.ok() && !r->skipped) ++ran;
    };
    absl::StatusOr<PlanView> plan = ReadPlan(dir);
    EXPECT_THAT(plan, IsOk());
    if (!plan.ok()) return ran;
    each(static_cast<uint32_t>(plan->shards.size()),
         [&](uint32_t s) { return SignShard(dir, s); });
    one(FinishSign(dir));
    one(Rank(dir));
    absl::StatusOr<uint32_t> partitions = BucketPartitions(dir);
    EXPECT_THAT(partitions, IsOk());
    each(partitions.value_or(0),
         [&](uint32_t p) { return BucketPartition(dir, p); });
    one(FinishBucket(dir));
    absl::StatusOr<uint32_t> parts = VerifyPartCount(dir);
    EXPECT_THAT(parts, IsOk());
    each(parts.value_or(0), [&](uint32_t p) { return VerifyPart(dir, p); });
    one(FinishVerify(dir));
    one(Cluster(dir));
    one(Report(dir));
    return ran;
  }

  std::string dir_;
  PlantedCorpus corpus_;
};

TEST_F(TasksTest, SameOutputsAsTheLocalAuditForEveryFormat) {
  for (PlantedFormat f : {PlantedFormat::kJsonl, PlantedFormat::kFiles,
                          PlantedFormat::kJsonlGz, PlantedFormat::kWarc}) {
    const std::string sub = absl::StrCat("f", static_cast<int>(f));
    const std::string input = WritePlanted(corpus_, dir_ + "/" + sub, f);
    AuditOptions local = Options(input, sub + "-local");
    local.params.components = true;
    ASSERT_THAT(RunAudit(local), IsOk()) << sub;

    AuditOptions o = Options(input, sub + "-tasks");
    o.params.components = true;
    PlanOptions p;
    p.shard_bytes = 2048;  // many shards; JSON Lines cut inside the file
    p.partitions = 3;
    absl::StatusOr<TaskResult> plan = Plan(o, p);
    ASSERT_THAT(plan, IsOk()) << sub;
    // A .gz or WARC file is one shard; files and plain JSON Lines many.
    if (f == PlantedFormat::kJsonl || f == PlantedFormat::kFiles) {
      EXPECT_GT(plan->stats.Int("shards"), 3u) << sub;
    }
    RunAll(o.out_dir, 7);
    EXPECT_EQ(AuditResults(o.out_dir), AuditResults(local.out_dir)) << sub;
  }
}

TEST_F(TasksTest, AnyShardSizeAndPartitionCountGiveTheSameOutputs) {
  const std::string input =
      WritePlanted(corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  AuditOptions local = Options(input, "local");
  local.params.keep = Keep::kId;
  ASSERT_THAT(RunAudit(local), IsOk());
  int n = 0;
  for (uint64_t shard_bytes :
       {uint64_t{1}, uint64_t{5000}, uint64_t{1} << 30}) {
    for (uint32_t partitions : {1u, 2u, 5u}) {
      AuditOptions o = Options(input, absl::StrCat("t", ++n));
      o.params.keep = Keep::kId;
      ASSERT_THAT(Plan(o, {shard_bytes, partitions}), IsOk());
      RunAll(o.out_dir, n);
      EXPECT_EQ(AuditResults(o.out_dir), AuditResults(local.out_dir))
          << shard_bytes << " " << partitions;
    }
  }
}

TEST_F(TasksTest, DoneTasksAreSkippedAndAGapIsNamed) {
  const std::string input =
      WritePlanted(corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  AuditOptions o = Options(input, "out");
  absl::StatusOr<TaskResult> plan = Plan(o, {4096, 2});
  ASSERT_THAT(plan, IsOk());
  ASSERT_GE(plan->stats.Int("shards"), 2u);
  ASSERT_THAT(SignShard(o.out_dir, 0), IsOk());
  EXPECT_THAT(FinishSign(o.out_dir),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("sign shards not done yet: 1")));
  absl::StatusOr<TaskResult> again = SignShard(o.out_dir, 0);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->skipped);
  EXPECT_THAT(SignShard(o.out_dir, 1000),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Everything but shard 0 runs once; a second pass runs nothing.
  const int first = RunAll(o.out_dir, 1);
  EXPECT_GT(first, 5);
  EXPECT_EQ(RunAll(o.out_dir, 2), 0);
  // The plan of a finished audit is kept; other parameters are refused.
  absl::StatusOr<TaskResult> replan = Plan(o, {1, 9});
  ASSERT_THAT(replan, IsOk());
  EXPECT_TRUE(replan->skipped);
  o.params.threshold = 0.5;
  EXPECT_THAT(Plan(o, {}), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(TasksTest, StandardInputIsRefused) {
  AuditOptions o = Options("-", "out");
  EXPECT_THAT(Plan(o, {}), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("standard input")));
}

}  // namespace
}  // namespace neardup::audit::tasks
