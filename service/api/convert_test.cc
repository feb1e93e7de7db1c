#include "service/api/convert.h"

#include "gtest/gtest.h"
#include "service/api/grpc_status.h"

namespace neardup::api {
namespace {

TEST(ConvertTest, CheckResultToProto) {
  index::CheckResult r;
  r.added = true;
  r.stats = {10, 3, 2, 0xabcdef, "GB18030", true};
  index::Match m;
  m.id = "x";
  m.scores = {0.9, 0.95, 0.85, 4, false};
  m.metadata = {{"k", "v"}};
  r.matches.push_back(m);
  v1::CheckAndAddResponse p;
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
  EXPECT_EQ(p.stats().charset(), "GB18030");
  EXPECT_TRUE(p.stats().html());
}

TEST(ConvertTest, DocumentContentTypeAndCharset) {
  v1::Document d;
  d.set_content("x");
  d.set_content_type("text/html; charset=\"gbk\"");
  auto in = FromProto(d);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->input.content_type, text::ContentType::kHtml);
  EXPECT_EQ(in->input.charset, "gbk");
  EXPECT_TRUE(in->input.main_content);
  d.set_content_type("text/plain");
  d.set_charset("big5");
  d.set_main_content(false);
  in = FromProto(d);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->input.content_type, text::ContentType::kText);
  EXPECT_EQ(in->input.charset, "big5");
  EXPECT_FALSE(in->input.main_content);
  d.set_content_type("application/pdf");
  EXPECT_EQ(FromProto(d).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ConvertTest, StatusKeepsCodeAndMessage) {
  grpc::Status g = ToGrpcStatus(absl::NotFoundError("collection not found: x"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(g.error_message(), "collection not found: x");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace neardup::api
