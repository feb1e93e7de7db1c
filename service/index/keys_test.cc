#include "service/index/keys.h"

#include "gtest/gtest.h"

namespace neardup::index::keys {
namespace {

TEST(KeysTest, BigEndianRoundTripsAndSortsNumerically) {
  std::string a, b;
  PutFixed64BE(&a, 255);
  PutFixed64BE(&b, 256);
  EXPECT_LT(a, b);
  EXPECT_EQ(GetFixed64BE(a.data()), 255u);
  std::string c;
  PutFixed32BE(&c, 0xA1B2C3D4u);
  EXPECT_EQ(GetFixed32BE(c.data()), 0xA1B2C3D4u);
}

TEST(KeysTest, LayoutsHaveTheDocumentedSizes) {
  EXPECT_EQ(DocKey(1, 2).size(), 12u);
  EXPECT_EQ(LshBucket(1, 3, 4).size(), 14u);
  EXPECT_EQ(SimHashBucket(1, 3, 4).size(), 14u);
  EXPECT_EQ(DigestBucket(1, {7, 8}).size(), 22u);
  EXPECT_EQ(PassageKey(1, 3, 5).size(), kPassagePrefixSize + 8);
  EXPECT_EQ(TrailingDocnum(PassageKey(1, 3, 12345)), 12345u);
  // The three kinds of bucket never share a key.
  EXPECT_LT(LshBucket(1, kSimHashTag - 1, ~uint64_t{0}),
            SimHashBucket(1, 0, 0));
  EXPECT_LT(SimHashBucket(1, 255, ~uint64_t{0}), DigestBucket(1, {0, 0}));
}

TEST(KeysTest, CollectionRangeHoldsAllItsKeysAndNoOthers) {
  const std::string begin = CollectionPrefix(7), end = CollectionEnd(7);
  for (const std::string& k :
       {DocKey(7, ~uint64_t{0}), IdKey(7, "\xff\xff\xff"),
        DigestBucket(7, {~uint64_t{0}, ~uint64_t{0}})}) {
    EXPECT_LE(begin, k);
    EXPECT_LT(k, end);
  }
  EXPECT_GE(DocKey(8, 0), end);
  EXPECT_LT(DocKey(6, ~uint64_t{0}), begin);
}

}  // namespace
}  // namespace neardup::index::keys
