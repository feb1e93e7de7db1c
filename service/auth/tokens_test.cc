#include "service/auth/tokens.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace neardup::auth {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kFile[] = R"(# name  token  grants
crawler  crawler-token-0123456789  write:pages read:*
editors  editors-token-0123456789  read:news-*   # a comment
ops      ops-token-0123456789abcd  admin:*

)";

TEST(TokensTest, ScopesIncludeTheLowerOnesAndPatternsMatch) {
  auto table = TokenTable::Parse(kFile);
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->size(), 3u);
  const Principal* crawler = table->Find("crawler-token-0123456789");
  ASSERT_NE(crawler, nullptr);
  EXPECT_EQ(crawler->name, "crawler");
  EXPECT_TRUE(crawler->Allows("pages", Scope::kWrite));
  EXPECT_TRUE(crawler->Allows("pages", Scope::kRead));
  EXPECT_FALSE(crawler->Allows("pages", Scope::kAdmin));
  EXPECT_TRUE(crawler->Allows("other", Scope::kRead));
  EXPECT_FALSE(crawler->Allows("other", Scope::kWrite));
  EXPECT_FALSE(crawler->Allows("pages2", Scope::kWrite));

  const Principal* editors = table->Find("editors-token-0123456789");
  ASSERT_NE(editors, nullptr);
  EXPECT_TRUE(editors->Allows("news-de", Scope::kRead));
  EXPECT_FALSE(editors->Allows("news-de", Scope::kWrite));
  EXPECT_FALSE(editors->Allows("pages", Scope::kRead));

  const Principal* ops = table->Find("ops-token-0123456789abcd");
  ASSERT_NE(ops, nullptr);
  EXPECT_TRUE(ops->Allows("anything", Scope::kAdmin));

  EXPECT_EQ(table->Find("unknown-token-0123456789"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
}

TEST(TokensTest, MalformedFilesNameTheLine) {
  EXPECT_THAT(TokenTable::Parse("a short-token read:*"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 1: the token of a is shorter")));
  EXPECT_THAT(TokenTable::Parse("\na long-enough-token-123 read"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2: grant read is not SCOPE")));
  EXPECT_THAT(TokenTable::Parse("a long-enough-token-123 own:*"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown scope own")));
  EXPECT_THAT(TokenTable::Parse("a long-enough-token-123"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected NAME TOKEN")));
  EXPECT_THAT(TokenTable::Parse("a long-enough-token-123 read:*\n"
                                "b long-enough-token-123 admin:*"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2: the same token appears twice")));
  EXPECT_THAT(TokenTable::Parse("a long-enough-token\x01xyz read:*"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has a character outside")));
  EXPECT_THAT(TokenTable::Load("/nonexistent/tokens"),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace neardup::auth
