#include "service/text/analyze.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/charsets.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::text {
namespace {

using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

TEST(AnalyzeTest, EmptyOrSymbolOnlyTextIsNoText) {
  EXPECT_THAT(Analyze("", {}), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("no text")));
  EXPECT_THAT(
      Analyze(" \n\t--- ...", {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no text")));
}

// A file saved as UTF-16 without a byte order mark reads as the same words
// as its UTF-8 copy (it used to read as UTF-8 with a NUL after every
// letter and share no shingle with it).
TEST(AnalyzeTest, Utf16WithoutByteOrderMarkHasTheShinglesOfItsUtf8Copy) {
  const std::string text = neardup::testing::GeneratedText(11, 400);
  auto utf8 = Analyze(text, {});
  ASSERT_TRUE(utf8.ok()) << utf8.status();
  for (const char* order : {"UTF-16LE", "UTF-16BE"}) {
    auto utf16 = Analyze(neardup::testing::EncodeAs(text, order), {});
    ASSERT_TRUE(utf16.ok()) << order << ": " << utf16.status();
    EXPECT_EQ(utf16->shingle_set, utf8->shingle_set) << order;
  }
}

TEST(AnalyzeTest, InvalidUtf8NamesOffset) {
  EXPECT_THAT(
      // UTF-8 Chinese text with one truncated sequence: damaged UTF-8.
      Analyze("中文 ok \xE4\xB8 text", {}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("byte offset 10")));
}

TEST(AnalyzeTest, RepeatedBodyHasTheSameShingleSetAsTheBodyOnce) {
  const std::string body =
      "a body of text that is long enough to have several shingles in it. ";
  auto once = Analyze(body, {});
  auto twice = Analyze(body + body, {});
  ASSERT_TRUE(once.ok() && twice.ok());
  // Set semantics: only the shingles spanning the seam are new.
  EXPECT_LE(twice->shingle_set.size(),
            once->shingle_set.size() + ShingleParams().word_size - 1);
  EXPECT_EQ(twice->shingles.size(),
            2 * once->shingles.size() + ShingleParams().word_size - 1);
}

}  // namespace
}  // namespace neardup::text
