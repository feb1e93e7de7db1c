#include "service/index/validate.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace neardup::index {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(ValidateTest, CollectionNames) {
  EXPECT_THAT(ValidateCollectionName("news-2025_v1.zh"), IsOk());
  EXPECT_THAT(ValidateCollectionName(""),
              StatusIs(kInvalid, HasSubstr("empty")));
  EXPECT_THAT(ValidateCollectionName(".hidden"), StatusIs(kInvalid));
  EXPECT_THAT(ValidateCollectionName("a b"),
              StatusIs(kInvalid, HasSubstr("\"a b\"")));
  EXPECT_THAT(ValidateCollectionName(std::string(129, 'a')),
              StatusIs(kInvalid, HasSubstr("129 bytes")));
}

TEST(ValidateTest, DocumentIds) {
  EXPECT_THAT(ValidateDocumentId("https://example.org/a?b=c"), IsOk());
  EXPECT_THAT(ValidateDocumentId(std::string(1024, 'x')), IsOk());
  EXPECT_THAT(ValidateDocumentId(""), StatusIs(kInvalid, HasSubstr("empty")));
  EXPECT_THAT(ValidateDocumentId(std::string(1025, 'x')),
              StatusIs(kInvalid, HasSubstr("1025 bytes; the limit is 1024")));
  EXPECT_THAT(ValidateDocumentId("bad\xff"),
              StatusIs(kInvalid, HasSubstr("UTF-8")));
}

TEST(ValidateTest, Metadata) {
  EXPECT_THAT(ValidateMetadata({{"lang", "zh"}}), IsOk());
  EXPECT_THAT(ValidateMetadata({{"", "x"}}), StatusIs(kInvalid));
  Metadata big;
  for (int i = 0; i < 65; ++i) big[std::to_string(i)] = "v";
  EXPECT_THAT(ValidateMetadata(big), StatusIs(kInvalid, HasSubstr("65")));
  EXPECT_THAT(ValidateMetadata({{"k", std::string(70000, 'v')}}),
              StatusIs(kInvalid, HasSubstr("bytes")));
}

CollectionParams Params(double threshold, uint32_t num_perm, uint32_t words,
                        uint32_t chars) {
  CollectionParams p;
  p.threshold = threshold;
  p.num_perm = num_perm;
  p.word_shingle_size = words;
  p.char_shingle_size = chars;
  return p;
}

TEST(ValidateTest, CollectionParamsDefaultsAndRanges) {
  auto p = ResolveCollectionParams(CollectionParams());
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->threshold, kDefaultThreshold);
  EXPECT_EQ(p->num_perm, kDefaultNumPerm);
  EXPECT_EQ(p->word_shingle_size, kDefaultWordShingleSize);
  EXPECT_EQ(p->fold_traditional, true);
  EXPECT_THAT(ResolveCollectionParams(Params(1.5, 0, 0, 0)),
              StatusIs(kInvalid, HasSubstr("threshold")));
  EXPECT_THAT(ResolveCollectionParams(Params(-0.1, 0, 0, 0)),
              StatusIs(kInvalid));
  EXPECT_THAT(ResolveCollectionParams(Params(0.5, 8, 0, 0)),
              StatusIs(kInvalid, HasSubstr("num_perm")));
  EXPECT_THAT(ResolveCollectionParams(Params(0.5, 0, 17, 0)),
              StatusIs(kInvalid, HasSubstr("word_shingle_size")));
  EXPECT_THAT(ResolveCollectionParams(Params(0.5, 0, 0, 33)),
              StatusIs(kInvalid, HasSubstr("char_shingle_size")));
}

}  // namespace
}  // namespace neardup::index
