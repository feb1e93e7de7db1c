// The audit in-process over a planted corpus: clusters, the chain split,
// the threshold held, identical outputs for any thread count and for each
// input format, and bad input.

#include "service/audit/audit.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/engine/pipeline.h"
#include "service/text/shingle.h"
#include "tests/testing/corpus.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/planted.h"
#include "tests/testing/status_matchers.h"

namespace neardup::audit {
namespace {

using ::neardup::testing::AuditClusters;
using ::neardup::testing::AuditResults;
using ::neardup::testing::ClusterOf;
using ::neardup::testing::IsOk;
using ::neardup::testing::MakePlantedCorpus;
using ::neardup::testing::PlantedCorpus;
using ::neardup::testing::PlantedFormat;
using ::neardup::testing::Slurp;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("audit");
    corpus_ = MakePlantedCorpus(3, 6, 20);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  absl::StatusOr<AuditSummary> Run(const std::string& input,
                                   const std::string& out, AuditParams p = {},
                                   int threads = 2) {
    AuditOptions o;
    o.inputs = {input};
    o.out_dir = dir_ + "/" + out;
    o.params = p;
    o.threads = threads;
    o.memory_limit = uint64_t{64} << 20;  // several chunks, spilled runs
    return RunAudit(o);
  }

  // Exact Jaccard of two planted documents, by name.
  double ExactJaccard(const std::string& x, const std::string& y) {
    engine::PipelineParams p;
    p.keep_shingle_set = true;
    const engine::Pipeline pipeline(p);
    auto set = [&](const std::string& name) {
      for (const auto& d : corpus_.docs) {
        if (d.name != name) continue;
        text::InputOptions in;
        in.content_type =
            d.html ? text::ContentType::kHtml : text::ContentType::kText;
        auto r = pipeline.Prepare(d.content, in);
        EXPECT_THAT(r, IsOk());
        return r.ok() ? r->shingle_set : std::vector<uint64_t>();
      }
      ADD_FAILURE() << name;
      return std::vector<uint64_t>();
    };
    return text::SetJaccard(set(x), set(y));
  }

  std::string dir_;
  PlantedCorpus corpus_;
};

TEST_F(AuditTest, PlantedCopiesClusterAndUnrelatedTextsDoNot) {
  const std::string input =
      WritePlanted(corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  absl::StatusOr<AuditSummary> s = Run(input, "out");
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->documents, corpus_.docs.size());
  const std::map<std::string, int> cluster = ClusterOf(dir_ + "/out");
  // Every pair of exact Jaccard >= 0.9 ends in one cluster; no unrelated
  // text is in any.
  for (size_t i = 0; i < corpus_.docs.size(); ++i) {
    const auto& x = corpus_.docs[i];
    if (x.family.empty()) {
      EXPECT_EQ(cluster.count(x.name), 0u) << x.name;
      continue;
    }
    for (size_t j = i + 1; j < corpus_.docs.size(); ++j) {
      const auto& y = corpus_.docs[j];
      if (y.family.empty() || ExactJaccard(x.name, y.name) < 0.9) continue;
      ASSERT_TRUE(cluster.count(x.name) && cluster.count(y.name))
          << x.name << " " << y.name;
      EXPECT_EQ(cluster.at(x.name), cluster.at(y.name))
          << x.name << " " << y.name;
    }
  }
  // Traditional and Simplified: one text after folding.
  EXPECT_EQ(cluster.at("zh-simplified"), cluster.at("zh-traditional"));
  EXPECT_EQ(s->clusters, 7u);          // six families and the Chinese pair
  EXPECT_GT(s->exact_duplicates, 6u);  // re-wrapped copies at least
  for (const auto& d : corpus_.docs) {
    if (d.family.empty() || d.family == "chain") continue;
    EXPECT_EQ(cluster.count(d.name), 1u) << d.name;
  }
  EXPECT_EQ(s->exact_duplicates + s->near_duplicates, 6u * 4 + 1);
  const std::string report = Slurp(dir_ + "/out/report.html");
  EXPECT_THAT(report, HasSubstr("<svg class=\"histogram\""));
  EXPECT_THAT(report, HasSubstr("least similar member"));
  EXPECT_THAT(Slurp(dir_ + "/out/duplicates.tsv"),
              HasSubstr("id\tduplicate_of\tcluster\t"));
}

TEST_F(AuditTest, AChainIsSplitAndMembersHoldTheThreshold) {
  const std::string input =
      WritePlanted(corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  AuditParams p;
  p.threshold = 0.65;
  p.exact = true;
  p.components = true;
  ASSERT_GE(ExactJaccard("chain-a", "chain-b"), 0.65);
  ASSERT_GE(ExactJaccard("chain-b", "chain-c"), 0.65);
  ASSERT_LT(ExactJaccard("chain-a", "chain-c"), 0.65);
  absl::StatusOr<AuditSummary> s = Run(input, "out", p);
  ASSERT_THAT(s, IsOk());
  const std::map<std::string, int> cluster = ClusterOf(dir_ + "/out");
  ASSERT_TRUE(cluster.count("chain-a") && cluster.count("chain-b"));
  EXPECT_EQ(cluster.at("chain-a"), cluster.at("chain-b"));
  EXPECT_TRUE(!cluster.count("chain-c") ||
              cluster.at("chain-c") != cluster.at("chain-a"));
  // Connected components chain them all together.
  EXPECT_GT(s->largest_component, 0u);
  EXPECT_EQ(s->components, s->clusters - (cluster.count("chain-c") ? 1 : 0));
  // Every member is within the threshold of its representative, exactly.
  for (const std::vector<std::string>& ids : AuditClusters(dir_ + "/out")) {
    for (size_t i = 1; i < ids.size(); ++i) {
      EXPECT_GE(ExactJaccard(ids[0], ids[i]), 0.65) << ids[0] << " " << ids[i];
    }
  }
}

TEST_F(AuditTest, OutputsAreTheSameForAnyThreadCountAndFormat) {
  const std::string jsonl =
      WritePlanted(corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  ASSERT_THAT(Run(jsonl, "one", {}, 1), IsOk());
  ASSERT_THAT(Run(jsonl, "three", {}, 3), IsOk());
  EXPECT_EQ(AuditResults(dir_ + "/one"), AuditResults(dir_ + "/three"));
  // The same clusters from every format (ids differ by format).
  const std::map<std::string, int> base = ClusterOf(dir_ + "/one");
  for (PlantedFormat f : {PlantedFormat::kFiles, PlantedFormat::kJsonlGz,
                          PlantedFormat::kWarc, PlantedFormat::kWarcGz}) {
    const std::string sub = absl::StrCat("f", static_cast<int>(f));
    const std::string input = WritePlanted(corpus_, dir_ + "/" + sub, f);
    ASSERT_THAT(Run(input, sub + "-out"), IsOk());
    const std::map<std::string, int> got = ClusterOf(dir_ + "/" + sub + "-out");
    EXPECT_EQ(got.size(), base.size()) << sub;
    for (const auto& d : corpus_.docs) {
      const std::string id = PlantedId(d, dir_ + "/" + sub, f);
      EXPECT_EQ(got.count(id), base.count(d.name)) << id;
    }
  }
  // A finished audit run again changes nothing.
  const std::string before = Slurp(dir_ + "/one/clusters.jsonl");
  absl::StatusOr<AuditSummary> again = Run(jsonl, "one", {}, 1);
  ASSERT_THAT(again, IsOk());
  for (const StageRun& r : again->stages) EXPECT_TRUE(r.resumed) << r.name;
  EXPECT_EQ(Slurp(dir_ + "/one/clusters.jsonl"), before);
  // Other parameters over the same directory are refused.
  AuditParams other;
  other.threshold = 0.7;
  EXPECT_THAT(Run(jsonl, "one", other),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("holds an audit of other inputs")));
}

TEST_F(AuditTest, BadDocumentsAreNamedOrCounted) {
  std::filesystem::create_directories(dir_ + "/bad");
  std::ofstream(dir_ + "/bad/d.jsonl")
      << "{\"id\":\"a\",\"text\":\"" << neardup::testing::GeneratedText(1, 80)
      << "\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"text\":\"   \"}\n";
  EXPECT_THAT(Run(dir_ + "/bad/d.jsonl", "strict"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("d.jsonl:2: no \"text\" field")));
  AuditOptions o;
  o.inputs = {dir_ + "/bad/d.jsonl"};
  o.out_dir = dir_ + "/lenient";
  o.reader.skip_bad = true;
  absl::StatusOr<AuditSummary> s = RunAudit(o);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->documents, 3u);
  EXPECT_EQ(s->bad_documents, 2u);
  ASSERT_EQ(s->problems.size(), 2u);
  EXPECT_THAT(s->problems[1], HasSubstr("d.jsonl:3: no text"));
}

}  // namespace
}  // namespace neardup::audit
