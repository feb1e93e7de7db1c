#include "service/text/decode.h"

#include <unicode/ucnv.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/text/utf8.h"
#include "tests/testing/charsets.h"
#include "tests/testing/corpus.h"
#include "tests/testing/status_matchers.h"

namespace neardup::text {
namespace {

using ::neardup::testing::EncodeAs;
using ::neardup::testing::IsOk;
using ::neardup::testing::ReadTestData;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

TEST(DecodeTest, ValidUtf8PassesThroughUntouched) {
  const std::string text = ReadTestData("article_zh.txt");
  auto d = Decode(text, {});
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->text(), text);
  EXPECT_EQ(d->charset, "UTF-8");
  EXPECT_TRUE(d->input_offsets.empty());
}

TEST(DecodeTest, Utf8BomIsSkipped) {
  auto d = Decode("\xEF\xBB\xBFhello", {});
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->text(), "hello");
  EXPECT_EQ(d->bom_bytes, 3u);
}

// Detects and decodes `text` encoded in `charset`, and checks the offsets:
// each code point's input bytes decode to that code point.
void ExpectRoundTrip(const std::string& text, const char* charset,
                     bool declare) {
  const std::string bytes = EncodeAs(text, charset);
  ASSERT_NE(bytes, text);
  DecodeOptions options;
  if (declare) options.charset = charset;
  auto d = Decode(bytes, options);
  ASSERT_THAT(d, IsOk()) << charset;
  ASSERT_TRUE(d->text() == text) << charset << " detected as " << d->charset;
  ASSERT_FALSE(d->input_offsets.empty());
  EXPECT_EQ(d->input_offsets.back(), bytes.size());
  // Spot-check offsets: re-decoding each code point's bytes alone gives it.
  size_t pos = 0, cp = 0;
  while (pos < d->text().size()) {
    size_t len = 1;
    while (pos + len < d->text().size() &&
           (static_cast<unsigned char>(d->text()[pos + len]) & 0xC0) == 0x80) {
      ++len;
    }
    if (cp % 17 == 0) {
      const std::string slice =
          bytes.substr(d->input_offsets[cp],
                       d->input_offsets[cp + 1] - d->input_offsets[cp]);
      DecodeOptions o;
      o.charset = d->charset;
      auto one = Decode(slice, o);
      ASSERT_THAT(one, IsOk());
      EXPECT_EQ(one->text(), d->text().substr(pos, len))
          << charset << " cp " << cp;
    }
    pos += len;
    ++cp;
  }
  EXPECT_EQ(cp + 1, d->input_offsets.size());
}

TEST(DecodeTest, DetectsAndDecodesLegacyCharsets) {
  ExpectRoundTrip(ReadTestData("article_zh.txt"), "GB18030", false);
  ExpectRoundTrip(ReadTestData("article_zh.txt"), "GBK", false);
  ExpectRoundTrip(ReadTestData("article_zh_hant.txt"), "Big5", false);
  ExpectRoundTrip(ReadTestData("article_ja.txt"), "Shift_JIS", false);
  ExpectRoundTrip(ReadTestData("article_ja.txt"), "EUC-JP", false);
  ExpectRoundTrip(ReadTestData("article_ko.txt"), "EUC-KR", false);
}

TEST(DecodeTest, DeclaredCharsetsAndUtf16) {
  ExpectRoundTrip("caf\xC3\xA9 na\xC3\xAFve \xE2\x82\xAC 5", "windows-1252",
                  true);
  ExpectRoundTrip("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "KOI8-R",
                  true);
  ExpectRoundTrip(ReadTestData("article_ko.txt"), "UTF-16LE", true);
  // UTF-16 with a byte-order mark needs no declaration.
  const std::string le = "\xFF\xFE" + EncodeAs("mixed 中文 text", "UTF-16LE");
  auto d = Decode(le, {});
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->text(), "mixed 中文 text");
  EXPECT_EQ(d->input_offsets.front(), 2u);
}

TEST(DecodeTest, UndecodableBytesNameTheOffset) {
  std::string gbk = EncodeAs("中文文本", "GBK");
  gbk.insert(4, "\x81\x7F");  // lead byte, then an impossible trail byte
  DecodeOptions o;
  o.charset = "GBK";
  EXPECT_THAT(Decode(gbk, o), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("at byte offset 4")));
  DecodeOptions utf8;
  utf8.charset = "utf-8";
  EXPECT_THAT(Decode("valid \xC3\x28", utf8),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid UTF-8 at byte offset 6")));
}

TEST(DecodeTest, LenientDecodingReplacesBadBytes) {
  DecodeOptions o;
  o.charset = "utf-8";
  o.lenient = true;
  auto d = Decode(
      "ab\xFF"
      "cd",
      o);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->text(),
            "ab\xEF\xBF\xBD"
            "cd");
  EXPECT_EQ(d->input_offsets[3], 3u);  // 'c' came from input byte 3
}

TEST(DecodeTest, UnknownCharsetIsInvalidArgument) {
  DecodeOptions o;
  o.charset = "no-such-charset";
  EXPECT_THAT(Decode("x", o), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("unknown charset")));
}

TEST(DecodeTest, BinaryJunkIsRefusedOrReplaced) {
  const std::string junk("\x00\xFF\xFE\x00\x81\x00\xC0\xC1", 8);
  EXPECT_THAT(Decode(junk, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("binary data (NUL byte at offset 0)")));
  DecodeOptions o;
  o.lenient = true;
  auto repaired = Decode(junk, o);
  ASSERT_THAT(repaired, IsOk());
  EXPECT_THAT(ValidateUtf8(repaired->text(), "text"), IsOk());
}

// UTF-16 without a byte order mark reads as UTF-16, not as UTF-8 with a
// NUL after every letter: in either byte order, Latin text and Chinese
// text with its spaces and digits.
TEST(DecodeTest, Utf16WithoutByteOrderMarkIsDetected) {
  const std::string latin =
      "Plain English words, read from a file saved as UTF-16 by an editor.";
  const std::string mixed =
      "第 1 章 天气 2026 年 12 月 4 日 晴 10 度 mixed 中文 text";
  for (const std::string& text : {latin, mixed}) {
    for (const char* order : {"UTF-16LE", "UTF-16BE"}) {
      SCOPED_TRACE(std::string(order) + ": " + text);
      const std::string encoded = EncodeAs(text, order);
      EXPECT_FALSE(Utf8Start(encoded, "").has_value());
      auto d = Decode(encoded, {});
      ASSERT_THAT(d, IsOk());
      EXPECT_EQ(d->text(), text);
      EXPECT_EQ(d->charset, order);
    }
  }
}

// Binary data is refused even when it happens to be valid UTF-8 (NUL and
// control bytes are all ASCII); declared, it is read as declared.
TEST(DecodeTest, BinaryThatIsValidUtf8IsRefused) {
  std::string nuls = "header";
  nuls += std::string("\0\0\0\x01\0\x02\0\0\0\0", 10);
  nuls += "trailer";
  EXPECT_THAT(Decode(nuls, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("binary data (NUL byte at offset 6)")));
  EXPECT_FALSE(Utf8Start(nuls, "").has_value());
  std::string controls;
  for (int i = 0; i < 400; ++i) controls += static_cast<char>(1 + i % 8);
  controls += " some words";
  EXPECT_THAT(Decode(controls, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("control bytes in the first")));
  DecodeOptions declared;
  declared.charset = "utf-8";
  EXPECT_THAT(Decode(nuls, declared), IsOk());
  // Text with a few control characters (a form feed, an escape) is text.
  EXPECT_THAT(Decode("page one\fpage two \x1b and more words here", {}),
              IsOk());
}

}  // namespace
}  // namespace neardup::text
