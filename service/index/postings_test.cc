#include "service/index/postings.h"

#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "tests/testing/fixtures.h"

namespace neardup::index::postings {
namespace {

TEST(PostingsTest, ValuesRoundTripAndCorruptOnesAreRefused) {
  const std::vector<uint64_t> docs = {0,   1,        127,
                                      128, 1u << 20, ~uint64_t{0} >> 1};
  std::vector<uint64_t> back;
  ASSERT_TRUE(Decode(Encode(docs), &back));
  EXPECT_EQ(back, docs);
  back.clear();
  EXPECT_TRUE(Decode("", &back));
  EXPECT_TRUE(back.empty());
  EXPECT_FALSE(Decode("\x80", &back));                      // truncated varint
  EXPECT_FALSE(Decode(std::string("\x05\x00", 2), &back));  // repeated
}

// Random adds and removes of a few documents in a few buckets, through a
// real database, flushed and compacted at random points (so operands meet
// values, partial merges and each other in every combination): every list
// equals the set the same operations give.
TEST(PostingsTest, MergesAgreeWithASetThroughFlushesAndCompactions) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.merge_operator = NewMergeOperator();
  options.compaction_filter = EmptyListFilter();
  options.disable_auto_compactions = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::Open(options, testing::MakeScratchDir("postings_test"), &raw)
          .ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::mt19937_64 rng(11);
  std::vector<std::set<uint64_t>> expected(8);
  auto check = [&] {
    for (size_t b = 0; b < expected.size(); ++b) {
      std::string value;
      rocksdb::Status s = db->Get({}, "bucket" + std::to_string(b), &value);
      std::vector<uint64_t> got;
      if (!s.IsNotFound()) {
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_TRUE(Decode(value, &got));
      }
      EXPECT_EQ(got,
                std::vector<uint64_t>(expected[b].begin(), expected[b].end()))
          << "bucket " << b;
    }
  };
  for (int step = 0; step < 3000; ++step) {
    const size_t b = rng() % expected.size();
    const uint64_t doc = rng() % 20;
    const std::string key = "bucket" + std::to_string(b);
    if (rng() % 3 == 0) {
      ASSERT_TRUE(db->Merge({}, key, RemoveOperand(doc)).ok());
      expected[b].erase(doc);
    } else {
      ASSERT_TRUE(db->Merge({}, key, AddOperand(doc)).ok());
      expected[b].insert(doc);
    }
    if (step % 397 == 0) {
      ASSERT_TRUE(db->Flush({}).ok());
    }
    if (step % 1009 == 0) {
      ASSERT_TRUE(db->CompactRange({}, nullptr, nullptr).ok());
    }
    if (step % 250 == 0) {
      check();
    }
  }
  // Empty every list: after a full compaction no key is left.
  for (size_t b = 0; b < expected.size(); ++b) {
    for (uint64_t doc : expected[b]) {
      ASSERT_TRUE(
          db->Merge({}, "bucket" + std::to_string(b), RemoveOperand(doc)).ok());
    }
    expected[b].clear();
  }
  check();
  rocksdb::CompactRangeOptions twice;
  twice.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(db->CompactRange(twice, nullptr, nullptr).ok());
  ASSERT_TRUE(db->CompactRange(twice, nullptr, nullptr).ok());
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid()) << it->key().ToString();
  check();
}

}  // namespace
}  // namespace neardup::index::postings
