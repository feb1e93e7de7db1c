#include "service/api/convert.h"

#include "gtest/gtest.h"
#include "service/api/grpc_status.h"

namespace neardup::api {
namespace {

TEST(ConvertTest, CheckResultToProto) {
  index::CheckResult r;
  r.added = true;
  r.stats = {10, 3, 2, 0xabcdef};
  index::Match m;
  m.id = "x";
  m.scores = {0.9, 0.95, 0.85, 4, false};
  m.metadata = {{"k", "v"}};
  r.matches.push_back(m);
  v1::CheckResponse p;
  ToProto(r, &p);
  ASSERT_EQ(p.matches_size(), 1);
  EXPECT_EQ(p.matches(0).id(), "x");
  EXPECT_DOUBLE_EQ(p.matches(0).jaccard(), 0.9);
  EXPECT_DOUBLE_EQ(p.matches(0).containment(), 0.95);
  EXPECT_DOUBLE_EQ(p.matches(0).reverse_containment(), 0.85);
  EXPECT_EQ(p.matches(0).hamming_distance(), 4u);
  EXPECT_EQ(p.matches(0).metadata().at("k"), "v");
  EXPECT_TRUE(p.added());
  EXPECT_EQ(p.stats().simhash(), 0xabcdefu);
}

TEST(ConvertTest, StatusKeepsCodeAndMessage) {
  grpc::Status g = ToGrpcStatus(absl::NotFoundError("collection not found: x"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(g.error_message(), "collection not found: x");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace neardup::api
