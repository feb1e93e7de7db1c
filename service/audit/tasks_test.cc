// The audit as tasks (tasks.h), run in this process in scrambled orders:
// the same outputs as RunAudit for every input format, shard size and
// partition count; tasks that find their marker do nothing; a task run
// before its inputs are ready says which are missing.

#include "service/audit/tasks.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/corpus.h"
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
        if (!tolerate_errors_) {
          EXPECT_THAT(r, IsOk()) << i;
        }
        if (r.ok() && !r->skipped) ++ran;
      }
    };
    auto one = [&](absl::StatusOr<TaskResult> r) {
      if (!tolerate_errors_) {
        EXPECT_THAT(r, IsOk());
      }
      if (r.ok() && !r->skipped) ++ran;
    };
    absl::StatusOr<PlanView> plan = ReadPlan(dir);
    EXPECT_THAT(plan, IsOk());  // (Plan ran before the runners started)
    if (!plan.ok()) return ran;
    each(static_cast<uint32_t>(plan->shards.size()),
         [&](uint32_t s) { return SignShard(dir, s); });
    one(FinishSign(dir));
    one(Rank(dir));
    absl::StatusOr<uint32_t> partitions = BucketPartitions(dir);
    if (!tolerate_errors_) {
      EXPECT_THAT(partitions, IsOk());
    }
    each(partitions.value_or(0),
         [&](uint32_t p) { return BucketPartition(dir, p); });
    one(FinishBucket(dir));
    absl::StatusOr<uint32_t> parts = VerifyPartCount(dir);
    if (!tolerate_errors_) {
      EXPECT_THAT(parts, IsOk());
    }
    each(parts.value_or(0), [&](uint32_t p) { return VerifyPart(dir, p); });
    one(FinishVerify(dir));
    if (single_cluster_task_) {
      one(Cluster(dir));
    } else {
      absl::StatusOr<bool> stars = ComponentsByStars(dir);
      absl::StatusOr<uint32_t> groups = ClusterPartitions(dir);
      if (!tolerate_errors_) {
        EXPECT_THAT(stars, IsOk());
        EXPECT_THAT(groups, IsOk());
      }
      if (!stars.value_or(false)) {
        one(UnionFind(dir));
      } else {
        absl::StatusOr<uint32_t> sources = StarSources(dir);
        if (!tolerate_errors_) {
          EXPECT_THAT(sources, IsOk());
        }
        each(sources.value_or(0),
             [&](uint32_t s) { return StarInput(dir, s); });
        uint32_t round = 0;
        for (;; ++round) {
          each(groups.value_or(0),
               [&](uint32_t t) { return StarRound(dir, round, t); });
          absl::StatusOr<bool> converged = StarConverged(dir, round);
          if (!tolerate_errors_) {
            EXPECT_THAT(converged, IsOk());
          }
          if (!converged.ok() || *converged || round > 100) break;
        }
        rounds_ = round;
        one(StarLabels(dir, round));
      }
      each(groups.value_or(0),
           [&](uint32_t g) { return ClusterGroup(dir, g); });
      one(FinishCluster(dir));
    }
    one(Report(dir));
    return ran;
  }

  std::string dir_;
  PlantedCorpus corpus_;
  bool single_cluster_task_ = false;
  // Two runners at once: a task may fail because the other's copy of it
  // removed what it read (a scheduler runs it again), never by reading a
  // half-written file.
  bool tolerate_errors_ = false;
  std::atomic<uint32_t> rounds_{0};  // of the last star components
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
    p.cluster_partitions = 3;
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
      PlanOptions p;
      p.shard_bytes = shard_bytes;
      p.partitions = partitions;
      p.cluster_partitions = partitions;
      single_cluster_task_ = n % 3 == 0;
      ASSERT_THAT(Plan(o, p), IsOk());
      RunAll(o.out_dir, n);
      EXPECT_EQ(AuditResults(o.out_dir), AuditResults(local.out_dir))
          << shard_bytes << " " << partitions;
    }
  }
}

// The components found by star rounds, with the clusters and components
// split into groups, are those of the local audit's union-find.
TEST_F(TasksTest, StarRoundsFindTheComponentsOfUnionFind) {
  const std::string input =
      WritePlanted(corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  AuditOptions local = Options(input, "local");
  local.params.components = true;
  local.params.threshold = 0.6;  // larger components, longer chains
  ASSERT_THAT(RunAudit(local), IsOk());
  for (uint32_t groups : {1u, 2u, 7u}) {
    AuditOptions o = Options(input, absl::StrCat("stars", groups));
    o.params.components = true;
    o.params.threshold = 0.6;
    PlanOptions p;
    p.shard_bytes = 3000;
    p.cluster_partitions = groups;
    p.components = PlanOptions::Components::kStars;
    ASSERT_THAT(Plan(o, p), IsOk());
    RunAll(o.out_dir, groups);
    EXPECT_GE(rounds_, 2u);
    EXPECT_EQ(AuditResults(o.out_dir), AuditResults(local.out_dir)) << groups;
    EXPECT_EQ(
        neardup::testing::Slurp(o.out_dir + "/cluster/components.bin"),
        neardup::testing::Slurp(local.out_dir + "/cluster/components.bin"))
        << groups;
  }
}

// A scheduler may run a task twice at once (a worker it took for dead was
// still running): two runners of every task over one directory, then one
// pass that runs again what failed; the outputs are the local audit's.
TEST_F(TasksTest, TwoRunnersAtOnceGiveTheSameOutputs) {
  const std::string input =
      WritePlanted(corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  AuditOptions local = Options(input, "local");
  local.params.components = true;
  ASSERT_THAT(RunAudit(local), IsOk());
  for (auto components :
       {PlanOptions::Components::kUnionFind, PlanOptions::Components::kStars}) {
    AuditOptions o =
        Options(input, absl::StrCat("twice", static_cast<int>(components)));
    o.params.components = true;
    PlanOptions p;
    p.shard_bytes = 3000;
    p.partitions = 2;
    p.cluster_partitions = 3;
    p.components = components;
    ASSERT_THAT(Plan(o, p), IsOk());
    tolerate_errors_ = true;
    std::thread other([&] { RunAll(o.out_dir, 11); });
    RunAll(o.out_dir, 12);
    other.join();
    tolerate_errors_ = false;
    RunAll(o.out_dir, 13);
    EXPECT_EQ(AuditResults(o.out_dir), AuditResults(local.out_dir));
    // No temporary file is left behind.
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(o.out_dir)) {
      EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
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
