#include "service/index/memtable.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "tests/testing/fixtures.h"

namespace neardup::index {
namespace {

constexpr size_t kPrefix = 6;

// A database with three families fed the same writes: "reference" on
// RocksDB's skiplist memtable, "hashed" on ours with a prefix extractor,
// "whole" on ours without one. Small buckets make keys share buckets.
class MemTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    options.allow_concurrent_memtable_write = false;
    rocksdb::ColumnFamilyOptions reference;
    reference.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kPrefix));
    rocksdb::ColumnFamilyOptions hashed = reference;
    hashed.memtable_factory = NewPrefixHashMemTableFactory(64);
    // Hashed by whole key, as the postings family is.
    rocksdb::ColumnFamilyOptions whole;
    whole.memtable_factory = NewPrefixHashMemTableFactory(64);
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, {}},
        {"reference", reference},
        {"hashed", hashed},
        {"whole", whole}};
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options,
                                  testing::MakeScratchDir("memtable_test"), cfs,
                                  &handles_, &db)
                    .ok());
    db_.reset(db);
  }
  void TearDown() override {
    for (auto* h : handles_)
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_.reset();
  }

  rocksdb::ColumnFamilyHandle* reference() { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* hashed() { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* whole() { return handles_[3]; }

  void PutBoth(const std::string& k, const std::string& v) {
    ASSERT_TRUE(db_->Put({}, reference(), k, v).ok());
    ASSERT_TRUE(db_->Put({}, hashed(), k, v).ok());
    ASSERT_TRUE(db_->Put({}, whole(), k, v).ok());
  }
  void DeleteBoth(const std::string& k) {
    ASSERT_TRUE(db_->Delete({}, reference(), k).ok());
    ASSERT_TRUE(db_->Delete({}, hashed(), k).ok());
    ASSERT_TRUE(db_->Delete({}, whole(), k).ok());
  }

  // Every key and value of a family in total order, forward or backward.
  std::vector<std::string> Scan(rocksdb::ColumnFamilyHandle* cf,
                                const rocksdb::Snapshot* snapshot,
                                bool backward) {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.snapshot = snapshot;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    std::vector<std::string> out;
    if (backward) {
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        out.push_back(it->key().ToString() + "=" + it->value().ToString());
      }
    } else {
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        out.push_back(it->key().ToString() + "=" + it->value().ToString());
      }
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

  // The keys under `prefix` from a prefix Seek at `from` (a key in it).
  std::vector<std::string> PrefixScan(rocksdb::ColumnFamilyHandle* cf,
                                      const std::string& from,
                                      const rocksdb::Snapshot* snapshot) {
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    ro.snapshot = snapshot;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    std::vector<std::string> out;
    for (it->Seek(from); it->Valid(); it->Next()) {
      out.push_back(it->key().ToString() + "=" + it->value().ToString());
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

  void ExpectSame(const rocksdb::Snapshot* snapshot, const char* when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(Scan(hashed(), snapshot, false),
              Scan(reference(), snapshot, false));
    EXPECT_EQ(Scan(hashed(), snapshot, true),
              Scan(reference(), snapshot, true));
    EXPECT_EQ(Scan(whole(), snapshot, false),
              Scan(reference(), snapshot, false));
    for (int p = 0; p < kPrefixes; ++p) {
      for (const std::string& from : {Prefix(p), Prefix(p) + "m"}) {
        EXPECT_EQ(PrefixScan(hashed(), from, snapshot),
                  PrefixScan(reference(), from, snapshot))
            << from;
      }
    }
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    for (int p = 0; p < kPrefixes; ++p) {
      for (int s = 0; s < kSuffixes; s += 7) {
        std::string a, b;
        rocksdb::Status sa = db_->Get(ro, hashed(), Key(p, s), &a);
        rocksdb::Status sb = db_->Get(ro, reference(), Key(p, s), &b);
        std::string w;
        rocksdb::Status sw = db_->Get(ro, whole(), Key(p, s), &w);
        EXPECT_EQ(sa.ToString(), sb.ToString());
        EXPECT_EQ(sw.ToString(), sb.ToString());
        EXPECT_EQ(a, b);
        EXPECT_EQ(w, b);
      }
    }
  }

  static constexpr int kPrefixes = 40;
  static constexpr int kSuffixes = 60;
  static std::string Prefix(int p) {
    std::string s = "pfx";
    s += char('A' + p / 26);
    s += char('a' + p % 26);
    s += '\0';
    return s;  // kPrefix bytes
  }
  static std::string Key(int p, int s) {
    return Prefix(p) + std::string(1, char('a' + s % 26)) + std::to_string(s);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(MemTableTest, ReadsAsTheSkipListThroughWritesSnapshotsAndFlushes) {
  std::mt19937_64 rng(7);
  auto random_ops = [&](int n) {
    for (int i = 0; i < n; ++i) {
      const std::string k = Key(rng() % kPrefixes, rng() % kSuffixes);
      if (rng() % 4 == 0) {
        DeleteBoth(k);
      } else {
        PutBoth(k, std::to_string(rng() % 1000));
      }
    }
  };
  random_ops(3000);
  ExpectSame(nullptr, "mutable memtable");
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  random_ops(2000);
  ExpectSame(nullptr, "after more writes");
  ExpectSame(snapshot, "at the snapshot");

  // An immutable memtable not yet flushed: the sorted, shared iteration.
  ASSERT_TRUE(db_->PauseBackgroundWork().ok());
  rocksdb::FlushOptions no_wait;
  no_wait.wait = false;
  no_wait.allow_write_stall = true;
  ASSERT_TRUE(db_->Flush(no_wait, {reference(), hashed(), whole()}).ok());
  random_ops(1000);
  ExpectSame(nullptr, "immutable memtable and a new one");
  ExpectSame(snapshot, "immutable memtable, at the snapshot");
  ASSERT_TRUE(db_->ContinueBackgroundWork().ok());
  ASSERT_TRUE(db_->Flush({}, {reference(), hashed(), whole()}).ok());
  ExpectSame(nullptr, "flushed");
  ExpectSame(snapshot, "flushed, at the snapshot");
  random_ops(1000);
  ExpectSame(nullptr, "table files and a memtable");
  db_->ReleaseSnapshot(snapshot);
}

TEST_F(MemTableTest, ReadersSeeEveryWriteThatFinishedWhileOneWriterInserts) {
  constexpr int kKeys = 20000;
  std::vector<int> order(kKeys);
  for (int i = 0; i < kKeys; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  auto key = [&](int i) { return Key(i % kPrefixes, i); };
  std::atomic<int> written{0};
  std::atomic<int> missing{0}, unsorted{0}, probes{0};
  std::thread writer([&] {
    for (int i = 0; i < kKeys; ++i) {
      ASSERT_TRUE(db_->Put({}, hashed(), key(order[i]), "v").ok());
      written.store(i + 1, std::memory_order_release);
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937 rng(r);
      // 2,000 probes each, during and after the writes; bounded also while
      // waiting for the first write.
      int done_probes = 0;
      for (long rounds = 0; done_probes < 2000 && rounds < 10'000'000;
           ++rounds) {
        const int done = written.load(std::memory_order_acquire);
        if (done == 0) {
          std::this_thread::yield();
          continue;
        }
        ++done_probes;
        const std::string k = key(order[rng() % done]);
        rocksdb::ReadOptions ro;
        ro.prefix_same_as_start = true;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, hashed()));
        it->Seek(k);
        if (!it->Valid() || it->key() != k) ++missing;
        std::string prev;
        for (; it->Valid(); it->Next()) {
          if (it->key().ToString() < prev) ++unsorted;
          prev = it->key().ToString();
        }
      }
      probes += done_probes;
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(probes.load(), 4000);  // the checks below really ran
  EXPECT_EQ(missing.load(), 0);
  EXPECT_EQ(unsorted.load(), 0);
  EXPECT_EQ(Scan(hashed(), nullptr, false).size(), size_t{kKeys});
}

}  // namespace
}  // namespace neardup::index
