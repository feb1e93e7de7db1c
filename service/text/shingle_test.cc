#include "service/text/shingle.h"

#include <string>

#include "gtest/gtest.h"
#include "service/text/tokenizer.h"

namespace neardup::text {
namespace {

std::vector<uint64_t> Hashes(const std::string& s, ShingleParams p = {}) {
  auto t = Tokenize(s);
  EXPECT_TRUE(t.ok());
  return ShingleHashes(t->tokens, p);
}

TEST(ShingleTest, OneShinglePerStartingPosition) {
  ShingleParams p;
  p.word_size = 3;
  EXPECT_EQ(Hashes("a b c d e", p).size(), 3u);  // abc bcd cde
  p.char_size = 2;
  EXPECT_EQ(Hashes("一二三四", p).size(), 3u);
}

TEST(ShingleTest, ShortTextGetsOneShingle) {
  ShingleParams p;  // 5 and 5
  EXPECT_EQ(Hashes("two words", p).size(), 1u);
  EXPECT_EQ(Hashes("中文", p).size(), 1u);
  EXPECT_NE(Hashes("two words", p), Hashes("other words", p));
}

TEST(ShingleTest, OrderMattersWithinAWindow) {
  ShingleParams p;
  p.word_size = 2;
  EXPECT_NE(Hashes("alpha beta", p), Hashes("beta alpha", p));
}

TEST(ShingleTest, SeedChangesHashes) {
  ShingleParams a, b;
  b.seed = a.seed + 1;
  EXPECT_NE(Hashes("one two three four five six", a),
            Hashes("one two three four five six", b));
}

TEST(ShingleTest, SetIsSortedAndDistinct) {
  ShingleParams p;
  p.word_size = 1;
  std::vector<uint64_t> set = ShingleSet(Hashes("x y x y x", p));
  EXPECT_EQ(set.size(), 2u);
  EXPECT_LT(set[0], set[1]);
}

TEST(ShingleTest, SetJaccard) {
  EXPECT_DOUBLE_EQ(SetJaccard({1, 2, 3, 4}, {3, 4, 5, 6}), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(SetJaccard({1, 2}, {1, 2}), 1.0);
  EXPECT_DOUBLE_EQ(SetJaccard({}, {}), 0.0);
  EXPECT_DOUBLE_EQ(SetJaccard({1}, {}), 0.0);
}

TEST(ShingleTest, GoldenValueIsStable) {
  // Persisted fingerprints depend on these bytes: a change here needs a new
  // sketch::kFingerprintVersion.
  ShingleParams p;
  p.word_size = 5;
  EXPECT_EQ(Hashes("the quick brown fox jumps", p),
            std::vector<uint64_t>{13774582314862334707ULL});
}

}  // namespace
}  // namespace neardup::text
