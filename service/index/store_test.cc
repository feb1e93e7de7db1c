#include "service/index/store.h"

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::index {
namespace {

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

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("store");
    Reopen();
    ASSERT_THAT(store_->CreateCollection("c", {}), IsOk());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = Store::Open(Options());
    ASSERT_THAT(s, IsOk());
    store_ = std::move(*s);
  }
  Store::Options Options() const {
    Store::Options o;
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
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const Match& m : r->matches) ids.push_back(m.id);
    }
    return ids;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
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
  EXPECT_THAT(Store::Open(Options()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("in use by another process")));
}

}  // namespace
}  // namespace neardup::index
