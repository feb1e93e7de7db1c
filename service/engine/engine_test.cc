#include "service/engine/engine.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/index/store.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::engine {
namespace {

using ::neardup::index::CheckResult;
using ::neardup::index::CollectionInfo;
using ::neardup::index::CollectionParams;
using ::neardup::index::Match;
using ::neardup::index::Metadata;
using ::neardup::testing::GeneratedText;
using ::neardup::testing::IsOk;
using ::neardup::testing::MutateWords;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

DocumentInput Doc(std::string_view id, std::string_view content,
                  Metadata metadata = {}) {
  DocumentInput d;
  d.id = id;
  d.content = content;
  d.metadata = std::move(metadata);
  return d;
}

std::vector<std::string> MatchIdsOf(const CheckResult& r) {
  std::vector<std::string> ids;
  for (const Match& m : r.matches) ids.push_back(m.id);
  return ids;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("store");
    Reopen();
    ASSERT_THAT(store_->CreateCollection("c", {}), IsOk());
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    db_.reset();
    auto s = index::Store::Open(Options());
    ASSERT_THAT(s, IsOk());
    db_ = std::move(*s);
    store_ = std::make_unique<Engine>(db_.get());
  }
  index::Store::Options Options() const {
    index::Store::Options o;
    o.path = dir_;
    return o;
  }
  absl::Status Add(const std::string& id, const std::string& text,
                   bool upsert = false) {
    return store_->Add("c", Doc(id, text), upsert).status();
  }
  std::vector<std::string> MatchIds(const std::string& text) {
    auto r = store_->Check("c", Doc("", text), {});
    EXPECT_THAT(r, IsOk());
    return r.ok() ? MatchIdsOf(*r) : std::vector<std::string>{};
  }

  std::string dir_;
  std::unique_ptr<index::Store> db_;
  std::unique_ptr<Engine> store_;  // over db_
};

TEST_F(StoreTest, CollectionsCreateListGetDrop) {
  auto info = store_->GetCollection("c");
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->params.threshold, 0.8);
  EXPECT_EQ(info->lsh.bands, 14u);
  EXPECT_THAT(store_->CreateCollection("c", {}),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("c")));
  CollectionParams b;
  b.threshold = 0.9;
  b.num_perm = 64;
  b.word_shingle_size = 3;
  b.char_shingle_size = 4;
  ASSERT_THAT(store_->CreateCollection("b", b), IsOk());
  std::vector<CollectionInfo> all = store_->ListCollections();
  ASSERT_THAT(all, SizeIs(2));
  EXPECT_EQ(all[0].name, "b");
  EXPECT_EQ(all[0].params.num_perm, 64u);
  EXPECT_THAT(store_->DropCollection("b"), IsOk());
  EXPECT_THAT(store_->GetCollection("b"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("b")));
  EXPECT_THAT(store_->DropCollection("b"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(StoreTest, FindsNearDuplicateAndNotUnrelated) {
  const std::string doc = GeneratedText(1, 400);
  ASSERT_THAT(Add("d1", doc), IsOk());
  ASSERT_THAT(Add("d2", GeneratedText(2, 400)), IsOk());
  auto r = store_->Check("c", Doc("", MutateWords(doc, 0.01, 9)), {});
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->matches, SizeIs(1));
  EXPECT_EQ(r->matches[0].id, "d1");
  EXPECT_GT(r->matches[0].scores.jaccard, 0.8);
  EXPECT_FALSE(r->matches[0].scores.exact);
  EXPECT_THAT(MatchIds(GeneratedText(3, 400)), IsEmpty());
}

TEST_F(StoreTest, ExactCopyIsFlagged) {
  const std::string doc = GeneratedText(4, 200);
  ASSERT_THAT(Add("d", doc), IsOk());
  auto r = store_->Check("c", Doc("", doc), {});
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->matches, SizeIs(1));
  EXPECT_TRUE(r->matches[0].scores.exact);
  EXPECT_EQ(r->matches[0].scores.jaccard, 1.0);
}

TEST_F(StoreTest, ThresholdMayBeStricterNeverLooser) {
  EXPECT_THAT(
      store_->Check("c", Doc("", "some text"), {0.5, 0}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("looser")));
  EXPECT_THAT(store_->Check("c", Doc("", "some text"), {0.95, 0}), IsOk());
  EXPECT_THAT(store_->Check("c", Doc("", "some text"), {0, 5000}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("top_k")));
}

TEST_F(StoreTest, DuplicateIdUpsertAndDelete) {
  const std::string v1 = GeneratedText(5, 300), v2 = GeneratedText(6, 300);
  ASSERT_THAT(Add("d", v1), IsOk());
  EXPECT_THAT(Add("d", v2),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("d")));
  ASSERT_THAT(Add("d", v2, /*upsert=*/true), IsOk());
  EXPECT_THAT(MatchIds(v1), IsEmpty());  // the old version is gone
  EXPECT_THAT(MatchIds(v2), ::testing::ElementsAre("d"));
  EXPECT_EQ(store_->GetCollection("c")->document_count, 1u);
  ASSERT_THAT(store_->Delete("c", "d"), IsOk());
  EXPECT_THAT(MatchIds(v2), IsEmpty());
  EXPECT_THAT(store_->Get("c", "d"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->Delete("c", "d"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store_->GetCollection("c")->document_count, 0u);
}

TEST_F(StoreTest, GetReturnsMetadataAndStats) {
  ASSERT_THAT(
      store_->Add("c", Doc("d", "alpha beta gamma", {{"k", "v"}}), false),
      IsOk());
  auto d = store_->Get("c", "d");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->metadata.at("k"), "v");
  EXPECT_EQ(d->stats.tokens, 3u);
  EXPECT_EQ(d->stats.content_bytes, 16u);
}

TEST_F(StoreTest, CheckAndAddStoresOnlyNewDocuments) {
  const std::string doc = GeneratedText(7, 300);
  auto first = store_->CheckAndAdd("c", Doc("a", doc), {});
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(first->added);
  auto second =
      store_->CheckAndAdd("c", Doc("b", MutateWords(doc, 0.01, 1)), {});
  ASSERT_THAT(second, IsOk());
  EXPECT_FALSE(second->added);
  ASSERT_THAT(second->matches, SizeIs(1));
  EXPECT_EQ(second->matches[0].id, "a");
  // Re-sending a stored id is idempotent.
  auto again = store_->CheckAndAdd("c", Doc("a", doc), {});
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->added);
  EXPECT_TRUE(again->already_stored);
  EXPECT_EQ(store_->GetCollection("c")->document_count, 1u);
}

TEST_F(StoreTest, ConcurrentCheckAndAddOfOneDocumentAddsItOnce) {
  const std::string doc = GeneratedText(8, 300);
  std::vector<std::thread> threads;
  std::vector<int> added(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto r = store_->CheckAndAdd("c", Doc("id" + std::to_string(t), doc), {});
      added[t] = r.ok() && r->added;
    });
  }
  for (auto& th : threads) th.join();
  int total = 0;
  for (int a : added) total += a;
  EXPECT_EQ(total, 1);
  EXPECT_EQ(store_->GetCollection("c")->document_count, 1u);
}

// 16 clients send the same 200 documents, each under its own ids and in
// its own order, with CheckAndAdd: each document is stored exactly once,
// and every other answer names the stored copy.
TEST_F(StoreTest, SixteenThreadsCheckAndAddTheSame200Documents) {
  constexpr int kDocs = 200, kThreads = 16;
  std::vector<std::string> docs;
  for (int i = 0; i < kDocs; ++i) docs.push_back(GeneratedText(1000 + i, 120));
  struct Answer {
    bool ok = false, added = false;
    std::string match;
  };
  std::vector<std::vector<Answer>> answers(kThreads,
                                           std::vector<Answer>(kDocs));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<int> order(kDocs);
      for (int i = 0; i < kDocs; ++i) order[i] = i;
      std::mt19937 rng(static_cast<uint32_t>(t));  // fixed seeds
      std::shuffle(order.begin(), order.end(), rng);
      for (int i : order) {
        const std::string id =
            "t" + std::to_string(t) + "-d" + std::to_string(i);
        auto r = store_->CheckAndAdd("c", Doc(id, docs[i]), {});
        Answer& a = answers[t][i];
        a.ok = r.ok();
        if (!r.ok()) continue;
        a.added = r->added;
        if (!r->matches.empty()) a.match = r->matches[0].id;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < kDocs; ++i) {
    std::string stored;
    int added = 0;
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_TRUE(answers[t][i].ok) << t << " " << i;
      if (answers[t][i].added) {
        ++added;
        stored = "t" + std::to_string(t) + "-d" + std::to_string(i);
      }
    }
    ASSERT_EQ(added, 1) << "document " << i;
    for (int t = 0; t < kThreads; ++t) {
      if (!answers[t][i].added) {
        EXPECT_EQ(answers[t][i].match, stored) << t << " " << i;
      }
    }
  }
  EXPECT_EQ(store_->GetCollection("c")->document_count, size_t{kDocs});
  auto report = store_->Verify();
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
  EXPECT_EQ(report->documents, size_t{kDocs});
}

// Upserts and deletes: the old version of a document never appears in an
// answer again, the new one does, before and after a reopen, and no index
// key is left behind.
TEST_F(StoreTest, UpsertsAndDeletesNeverShowOldVersions) {
  constexpr int kDocs = 40;
  std::vector<std::string> v1, v2;
  for (int i = 0; i < kDocs; ++i) {
    v1.push_back(GeneratedText(2000 + i, 150));
    v2.push_back(GeneratedText(3000 + i, 150));
    ASSERT_THAT(Add("d" + std::to_string(i), v1[i]), IsOk());
  }
  // Even: replaced by v2. i % 4 == 1: deleted. Others: kept.
  for (int i = 0; i < kDocs; ++i) {
    if (i % 2 == 0) {
      ASSERT_THAT(Add("d" + std::to_string(i), v2[i], /*upsert=*/true), IsOk());
    } else if (i % 4 == 1) {
      ASSERT_THAT(store_->Delete("c", "d" + std::to_string(i)), IsOk());
    }
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < kDocs; ++i) {
      const std::string id = "d" + std::to_string(i);
      if (i % 2 == 0) {
        EXPECT_THAT(MatchIds(v1[i]), IsEmpty()) << id;
        EXPECT_THAT(MatchIds(v2[i]), ::testing::ElementsAre(id));
      } else if (i % 4 == 1) {
        EXPECT_THAT(MatchIds(v1[i]), IsEmpty()) << id;
        EXPECT_THAT(store_->Get("c", id),
                    StatusIs(absl::StatusCode::kNotFound));
      } else {
        EXPECT_THAT(MatchIds(v1[i]), ::testing::ElementsAre(id));
      }
    }
    auto report = store_->Verify();
    ASSERT_THAT(report, IsOk());
    EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
    EXPECT_EQ(report->documents, size_t{kDocs - kDocs / 4});
    Reopen();
  }
}

// A batch behaves as its documents sent one by one, in order: a document
// matches one added earlier in the same batch, a repeated id is
// already_stored, a bad document fails alone. 700 documents overflow the
// record of recent adds (512) that CheckAndAdd catches up from, so the
// later ones take the search-again path; their answers must not change.
TEST_F(StoreTest, BatchIsTheSameAsDocumentsOneByOne) {
  constexpr int kFresh = 600;
  std::vector<std::string> texts, ids;
  for (int i = 0; i < kFresh; ++i) {
    texts.push_back(GeneratedText(5000 + i, 300));
    ids.push_back("f" + std::to_string(i));
  }
  // Near copies (1% of words edited) of the first fresh documents, after
  // more than 512 others were added in this batch.
  for (int i = 0; i < 50; ++i) {
    texts.push_back(MutateWords(texts[i], 0.01, 77 + i));
    ids.push_back("copy" + std::to_string(i));
  }
  for (int i = 0; i < 48; ++i) {  // the same ids again
    texts.push_back(texts[kFresh + 50 - 1 - i]);
    ids.push_back(ids[i]);
  }
  texts.push_back("");  // no text
  ids.push_back("empty");
  texts.push_back(GeneratedText(9999, 120));
  ids.push_back("");  // bad id
  std::vector<DocumentInput> docs;
  for (size_t i = 0; i < texts.size(); ++i)
    docs.push_back(Doc(ids[i], texts[i]));

  auto batch = store_->CheckAndAddBatch("c", docs, {});
  ASSERT_THAT(batch, IsOk());
  auto& results = *batch;
  ASSERT_EQ(results.size(), docs.size());
  for (int i = 0; i < kFresh; ++i) {
    ASSERT_THAT(results[i], IsOk());
    EXPECT_TRUE(results[i]->added) << i;
  }
  int copies_found = 0;
  for (int i = kFresh; i < kFresh + 50; ++i) {
    ASSERT_THAT(results[i], IsOk());
    if (!results[i]->added) {
      ASSERT_FALSE(results[i]->matches.empty());
      EXPECT_EQ(results[i]->matches[0].id, ids[i - kFresh]) << i;
      ++copies_found;
    }
  }
  EXPECT_GE(copies_found, 48);
  for (int i = kFresh + 50; i < kFresh + 98; ++i) {
    ASSERT_THAT(results[i], IsOk());
    EXPECT_TRUE(results[i]->already_stored) << i;
    EXPECT_FALSE(results[i]->added) << i;
  }
  EXPECT_THAT(results[kFresh + 98], StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("no text")));
  EXPECT_THAT(results[kFresh + 99],
              StatusIs(absl::StatusCode::kInvalidArgument));

  // The same answers one by one, in a fresh collection.
  ASSERT_THAT(store_->CreateCollection("one", {}), IsOk());
  for (size_t i = 0; i < docs.size(); ++i) {
    auto r = store_->CheckAndAdd("one", docs[i], {});
    ASSERT_EQ(r.ok(), results[i].ok()) << i;
    if (!r.ok()) continue;
    EXPECT_EQ(r->added, results[i]->added) << i;
    EXPECT_EQ(r->already_stored, results[i]->already_stored) << i;
    EXPECT_EQ(MatchIdsOf(*r), MatchIdsOf(*results[i])) << i;
  }
  auto report = store_->Verify();
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
  EXPECT_EQ(store_->GetCollection("c")->document_count,
            store_->GetCollection("one")->document_count);
  EXPECT_THAT(store_->CheckAndAddBatch("nope", docs, {}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(StoreTest, SimHashTablesAreWrittenAndRemovedWithTheDocument) {
  // One document: 1 id key + 14 band keys + 1 digest key + SimHash keys
  // (10 tables at distance 3, 1 at the default distance 0).
  CollectionParams wide;
  wide.simhash_distance = 3;
  ASSERT_THAT(store_->CreateCollection("k3", wide), IsOk());
  const std::string doc = GeneratedText(12, 200);
  ASSERT_THAT(Add("d", doc), IsOk());
  ASSERT_THAT(store_->Add("k3", Doc("d", doc), false), IsOk());
  auto report = store_->Verify();
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
  EXPECT_EQ(report->index_keys, (1u + 14 + 1 + 1) + (1u + 14 + 1 + 10));
  EXPECT_EQ(store_->GetCollection("c")->params.simhash_distance, 0u);
  EXPECT_EQ(store_->GetCollection("k3")->params.simhash_distance, 3u);
  // The wide collection answers queries like any other.
  auto near = store_->Check("k3", Doc("", doc + " x"), {});
  ASSERT_THAT(near, IsOk());
  ASSERT_FALSE(near->matches.empty());
  EXPECT_EQ(near->matches[0].id, "d");
  ASSERT_THAT(store_->Delete("c", "d"), IsOk());
  ASSERT_THAT(store_->DropCollection("k3"), IsOk());
  report = store_->Verify();
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
  EXPECT_EQ(report->index_keys, 0u);
  CollectionParams bad;
  bad.simhash_distance = 4;
  EXPECT_THAT(store_->CreateCollection("bad", bad),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("simhash_distance")));
}

TEST_F(StoreTest, SyncedCollectionKeepsItsSetting) {
  CollectionParams p;
  p.sync = true;
  ASSERT_THAT(store_->CreateCollection("durable", p), IsOk());
  ASSERT_THAT(store_->Add("durable", Doc("d", GeneratedText(13, 100)), false),
              IsOk());
  Reopen();
  EXPECT_EQ(store_->GetCollection("durable")->params.sync, true);
  EXPECT_EQ(store_->GetCollection("c")->params.sync, false);
  EXPECT_THAT(store_->Get("durable", "d"), IsOk());
}

TEST_F(StoreTest, DataSurvivesReopen) {
  const std::string doc = GeneratedText(9, 300);
  ASSERT_THAT(Add("d", doc), IsOk());
  Reopen();
  EXPECT_THAT(MatchIds(doc), ::testing::ElementsAre("d"));
  EXPECT_EQ(store_->GetCollection("c")->document_count, 1u);
  // Ids keep counting from where they were: a new doc does not overwrite.
  ASSERT_THAT(Add("e", GeneratedText(10, 300)), IsOk());
  EXPECT_THAT(MatchIds(doc), ::testing::ElementsAre("d"));
}

TEST_F(StoreTest, DroppedCollectionLeavesNothingBehind) {
  const std::string doc = GeneratedText(11, 300);
  ASSERT_THAT(Add("d", doc), IsOk());
  ASSERT_THAT(store_->DropCollection("c"), IsOk());
  ASSERT_THAT(store_->CreateCollection("c", {}), IsOk());
  EXPECT_THAT(MatchIds(doc), IsEmpty());
  EXPECT_THAT(store_->Get("c", "d"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(StoreTest, BadInputGetsPreciseErrors) {
  EXPECT_THAT(store_->Check("nope", Doc("", "x"), {}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  EXPECT_THAT(Add("", "text"), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("id is empty")));
  EXPECT_THAT(Add("d", ""), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("no text")));
  EXPECT_THAT(
      Add("d", "中文 \xE4\xB8 abc"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("byte offset 7")));
  EXPECT_EQ(store_->GetCollection("c")->document_count, 0u);
}

TEST_F(StoreTest, SecondOpenOfTheSameDatabaseIsRefused) {
  EXPECT_THAT(index::Store::Open(Options()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("in use by another process")));
}

}  // namespace
}  // namespace neardup::engine
