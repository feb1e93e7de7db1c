#include "service/text/utf8.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace neardup::text {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

TEST(Utf8Test, DecodesEveryLength) {
  const std::string s = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80";  // a é 中 😀
  char32_t cp;
  EXPECT_EQ(DecodeUtf8(s, 0, &cp), 1u);
  EXPECT_EQ(cp, U'a');
  EXPECT_EQ(DecodeUtf8(s, 1, &cp), 2u);
  EXPECT_EQ(cp, U'\u00e9');
  EXPECT_EQ(DecodeUtf8(s, 3, &cp), 3u);
  EXPECT_EQ(cp, U'\u4e2d');
  EXPECT_EQ(DecodeUtf8(s, 6, &cp), 4u);
  EXPECT_EQ(cp, U'\U0001F600');
}

TEST(Utf8Test, RejectsOverlongSurrogateAndOutOfRange) {
  char32_t cp;
  EXPECT_EQ(DecodeUtf8("\xC0\xAF", 0, &cp), 0u);          // overlong '/'
  EXPECT_EQ(DecodeUtf8("\xE0\x80\xAF", 0, &cp), 0u);      // overlong
  EXPECT_EQ(DecodeUtf8("\xED\xA0\x80", 0, &cp), 0u);      // U+D800
  EXPECT_EQ(DecodeUtf8("\xF4\x90\x80\x80", 0, &cp), 0u);  // > U+10FFFF
  EXPECT_EQ(DecodeUtf8("\xE4\xB8", 0, &cp), 0u);          // truncated
  EXPECT_EQ(DecodeUtf8("\x80", 0, &cp), 0u);              // lone continuation
}

TEST(Utf8Test, ValidateNamesTheByteOffset) {
  EXPECT_THAT(
      ValidateUtf8("plain ascii text, long enough for 8-byte steps", "content"),
      IsOk());
  EXPECT_THAT(ValidateUtf8("", "content"), IsOk());
  EXPECT_THAT(ValidateUtf8("0123456789abcdef\xff tail", "content"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("content is not valid UTF-8 at byte offset "
                                 "16 (0xff 0x20 0x74 0x61)")));
  EXPECT_THAT(ValidateUtf8("\xE4\xB8\xAD\xE4\xB8", "document id"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("document id is not valid UTF-8 at byte "
                                 "offset 3")));
}

}  // namespace
}  // namespace neardup::text
