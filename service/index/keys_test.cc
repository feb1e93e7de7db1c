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
  EXPECT_EQ(LshPrefix(1, 3, 4).size(), kLshPrefixSize);
  EXPECT_EQ(LshKey(1, 3, 4, 5).size(), kLshPrefixSize + 8);
  EXPECT_EQ(DigestKey(1, {7, 8}, 9).size(), kDigestPrefixSize + 8);
  EXPECT_EQ(TrailingDocnum(LshKey(1, 3, 4, 12345)), 12345u);
  EXPECT_EQ(TrailingDocnum(DigestKey(1, {7, 8}, 99)), 99u);
}

TEST(KeysTest, CollectionRangeHoldsAllItsKeysAndNoOthers) {
  const std::string begin = CollectionPrefix(7), end = CollectionEnd(7);
  for (const std::string& k :
       {DocKey(7, ~uint64_t{0}), IdKey(7, "\xff\xff\xff"),
        LshKey(7, 65535, ~uint64_t{0}, ~uint64_t{0})}) {
    EXPECT_LE(begin, k);
    EXPECT_LT(k, end);
  }
  EXPECT_GE(DocKey(8, 0), end);
  EXPECT_LT(DocKey(6, ~uint64_t{0}), begin);
}

}  // namespace
}  // namespace neardup::index::keys
