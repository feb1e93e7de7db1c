// Store::Verify must notice damage: an index key removed behind the store's
// back (a document that Check could no longer find), and an index key with
// no document (an answer pointing at nothing). The database is edited with
// RocksDB directly, which no production path does.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "service/engine/engine.h"
#include "service/index/keys.h"
#include "service/index/postings.h"
#include "service/index/store.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::engine {
namespace {

using ::neardup::index::IntegrityReport;
using ::neardup::testing::GeneratedText;
using ::neardup::testing::IsOk;

// The database at a path opened by RocksDB itself with all its column
// families (the postings family with its merge operator: without it
// RocksDB cannot replay the postings writes in the log, and stops its
// recovery there). Closed when destroyed.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_TRUE(
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names_)
            .ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& n : names_) {
      rocksdb::ColumnFamilyOptions o;
      if (n == "postings") {
        o.merge_operator = index::postings::NewMergeOperator();
      }
      descriptors.emplace_back(n, o);
    }
    rocksdb::DB* raw = nullptr;
    EXPECT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors,
                                  &handles_, &raw)
                    .ok());
    db_.reset(raw);
  }
  ~RawDb() {
    if (db_ == nullptr) return;
    for (auto* h : handles_)
      EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
    EXPECT_TRUE(db_->Close().ok());
  }

  rocksdb::DB* db() { return db_.get(); }
  const std::vector<rocksdb::ColumnFamilyHandle*>& families() const {
    return handles_;
  }
  // The family named `name`; null if there is none.
  rocksdb::ColumnFamilyHandle* family(const std::string& name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return handles_[i];
    }
    return nullptr;
  }
  // Creates family `name`.
  rocksdb::ColumnFamilyHandle* Create(const std::string& name) {
    rocksdb::ColumnFamilyHandle* h = nullptr;
    EXPECT_TRUE(db_->CreateColumnFamily({}, name, &h).ok());
    handles_.push_back(h);
    names_.push_back(name);
    return h;
  }

 private:
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

// Opens the database at `path`, applies `edit` to the family named
// `family`, and closes it.
void EditFamily(const std::string& path, const std::string& family,
                const std::function<void(rocksdb::DB*,
                                         rocksdb::ColumnFamilyHandle*)>& edit) {
  RawDb raw(path);
  ASSERT_NE(raw.db(), nullptr);
  rocksdb::ColumnFamilyHandle* h = raw.family(family);
  ASSERT_NE(h, nullptr) << family;
  edit(raw.db(), h);
}

// Opens the database at `path` and compacts each family into its last
// level, as RocksDB does on its own over time.
void CompactAll(const std::string& path) {
  RawDb raw(path);
  ASSERT_NE(raw.db(), nullptr);
  rocksdb::CompactRangeOptions all;
  all.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : raw.families()) {
    ASSERT_TRUE(raw.db()->CompactRange(all, h, nullptr, nullptr).ok());
  }
}

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("verify");
    Open();
    ASSERT_THAT(store_->CreateCollection("c", {}), IsOk());
    for (int i = 0; i < 5; ++i) {
      DocumentInput d;
      const std::string id = "d" + std::to_string(i);
      const std::string text = GeneratedText(700 + i, 100);
      d.id = id;
      d.content = text;
      ASSERT_THAT(store_->Add("c", d, false), IsOk());
    }
    auto report = store_->Verify();
    ASSERT_THAT(report, IsOk());
    ASSERT_TRUE(report->ok());
    store_.reset();
    db_.reset();
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    index::Store::Options o;
    o.path = dir_;
    auto s = index::Store::Open(o);
    ASSERT_THAT(s, IsOk());
    db_ = std::move(*s);
    store_ = std::make_unique<Engine>(db_.get());
  }
  IntegrityReport Report() {
    Open();
    auto report = store_->Verify();
    EXPECT_THAT(report, IsOk());
    return report.ok() ? *report : IntegrityReport{};
  }

  std::string dir_;
  std::unique_ptr<index::Store> db_;
  std::unique_ptr<Engine> store_;  // over db_
};

// Deletes, an upsert and a re-added id, each followed by a restart and a
// compaction of every family into its last level: Check answers from the
// compacted tables as it did from the memtables, and Verify stays clean.
TEST_F(VerifyTest, IndexStaysRightThroughDeletesUpsertsCompactionAndRestarts) {
  auto text = [](int seed) { return GeneratedText(seed, 100); };
  // Which stored document a text finds, or "" for none.
  auto found = [&](int seed) -> std::string {
    const std::string t = text(seed);
    DocumentInput q;
    q.content = t;
    auto r = store_->Check("c", q, {});
    EXPECT_THAT(r, IsOk());
    return r.ok() && !r->matches.empty() ? r->matches[0].id : "";
  };
  auto add = [&](const std::string& id, int seed, bool upsert) {
    DocumentInput d;
    d.id = id;
    const std::string t = text(seed);
    d.content = t;
    EXPECT_THAT(store_->Add("c", d, upsert), IsOk());
  };
  auto restart_and_compact = [&] {
    store_.reset();
    db_.reset();
    CompactAll(dir_);
    Open();
    auto report = store_->Verify();
    ASSERT_THAT(report, IsOk());
    EXPECT_TRUE(report->ok())
        << (report->problems.empty() ? "" : report->problems.front());
    EXPECT_EQ(report->documents, 5u);
  };

  Open();
  EXPECT_EQ(found(701), "d1");
  ASSERT_THAT(store_->Delete("c", "d1"), IsOk());
  add("d2", 900, /*upsert=*/true);  // d2 now holds other text
  add("d5", 905, /*upsert=*/false);
  EXPECT_EQ(found(701), "");
  restart_and_compact();
  EXPECT_EQ(found(700), "d0");
  EXPECT_EQ(found(701), "");
  EXPECT_EQ(found(702), "");
  EXPECT_EQ(found(900), "d2");
  EXPECT_EQ(found(905), "d5");

  // Over compacted tables: delete, re-add a deleted id, upsert back.
  ASSERT_THAT(store_->Delete("c", "d0"), IsOk());
  add("d1", 701, /*upsert=*/false);
  add("d2", 702, /*upsert=*/true);
  restart_and_compact();
  EXPECT_EQ(found(700), "");
  EXPECT_EQ(found(701), "d1");
  EXPECT_EQ(found(702), "d2");
  EXPECT_EQ(found(900), "");
  EXPECT_EQ(found(905), "d5");
}

// A database written before the postings family (one key per document and
// bucket in "lsh", "digest" and "simhash") opens with its index rebuilt
// from the document records, and the old families gone.
TEST_F(VerifyTest, RebuildsTheIndexOfADatabaseFromBeforePostingLists) {
  {
    RawDb raw(dir_);
    ASSERT_NE(raw.db(), nullptr);
    ASSERT_TRUE(raw.db()->DropColumnFamily(raw.family("postings")).ok());
    for (const char* old : {"lsh", "digest", "simhash"}) {
      ASSERT_TRUE(raw.db()->Put({}, raw.Create(old), "old key", "").ok());
    }
    // And one record that does not parse: skipped by the rebuild, which
    // must not keep the database from opening.
    ASSERT_TRUE(raw.db()
                    ->Put({}, raw.family("docs"), index::keys::DocKey(1, 999),
                          "\xff\xff")
                    .ok());
  }
  const IntegrityReport r = Report();
  EXPECT_EQ(r.documents, 6u);
  EXPECT_EQ(r.missing_keys, 0u);
  EXPECT_EQ(r.orphan_keys, 0u);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems.front().find("corrupt record of document 999"),
            std::string::npos)
      << r.problems.front();
  const std::string t = GeneratedText(703, 100);
  DocumentInput q;
  q.content = t;
  auto found = store_->Check("c", q, {});
  ASSERT_THAT(found, IsOk());
  ASSERT_FALSE(found->matches.empty());
  EXPECT_EQ(found->matches[0].id, "d3");
  store_.reset();
  db_.reset();
  std::vector<std::string> names;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_, &names).ok());
  for (const char* old : {"lsh", "digest", "simhash"}) {
    EXPECT_EQ(std::count(names.begin(), names.end(), old), 0) << old;
  }
}

TEST_F(VerifyTest, NoticesAMissingBandKey) {
  EditFamily(dir_, "postings",
             [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
               // The first bucket: one document's band 0.
               std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, cf));
               it->SeekToFirst();
               ASSERT_TRUE(it->Valid());
               ASSERT_TRUE(db->Delete({}, cf, it->key()).ok());
             });
  const IntegrityReport r = Report();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.missing_keys, 1u);
  EXPECT_EQ(r.orphan_keys, 0u);
}

TEST_F(VerifyTest, NoticesAnOrphanDigestKey) {
  EditFamily(
      dir_, "postings", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
        // Collection 1, a digest nobody has, document 999.
        ASSERT_TRUE(db->Put({}, cf,
                            index::keys::DigestBucket(1, text::Digest128{7, 7}),
                            index::postings::Encode({999}))
                        .ok());
      });
  const IntegrityReport r = Report();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.orphan_keys, 1u);
  EXPECT_EQ(r.missing_keys, 0u);
}

}  // namespace
}  // namespace neardup::engine
