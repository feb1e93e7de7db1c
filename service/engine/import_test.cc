// Bulk import (Engine::BeginImport, index::BulkImport): what it loads
// answers exactly as the same documents added one by one, before and
// after a restart, through deletes, upserts and later adds; the index
// verifies clean; an import is all or nothing.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/engine/engine.h"
#include "service/engine/pipeline.h"
#include "service/index/store.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::engine {
namespace {

using ::neardup::index::CollectionParams;
using ::neardup::testing::GeneratedText;
using ::neardup::testing::IsOk;
using ::neardup::testing::IsOkAndHolds;
using ::neardup::testing::MutateWords;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

struct TestDoc {
  std::string id;
  std::string text;
  index::Metadata metadata;
};

// Families of near copies, unrelated texts, exact copies and a repeated
// id (whose second document Add refuses and the import skips).
std::vector<TestDoc> Corpus() {
  std::vector<TestDoc> docs;
  for (int f = 0; f < 40; ++f) {
    const std::string base = GeneratedText(9100 + f, 150);
    for (int v = 0; v < 4; ++v) {
      docs.push_back({absl::StrCat("fam", f, "-", v),
                      v == 0 ? base : MutateWords(base, 0.03 * v, 70 + v),
                      {{"family", absl::StrCat(f)}}});
    }
  }
  for (int u = 0; u < 60; ++u) {
    std::string text = GeneratedText(9500 + u, 120);
    if (u % 2 == 0) {  // pages: a collection with passages keeps their text
      text = absl::StrCat("<html><body><nav><a href=/>Home</a></nav><p>",
                          text.substr(0, text.size() / 2), "</p>\n<p>",
                          text.substr(text.size() / 2),
                          "</p><footer>the footer</footer></body></html>");
    }
    docs.push_back({absl::StrCat("solo", u), std::move(text), {}});
  }
  docs.push_back({"copy-a", GeneratedText(9900, 100), {}});
  docs.push_back({"copy-b", GeneratedText(9900, 100), {}});
  docs.push_back({"fam0-1", GeneratedText(9901, 100), {}});  // repeated id
  return docs;
}

// A check's answer as text: ids with every score.
std::string Render(const index::CheckResult& r) {
  std::string out;
  for (const index::Match& m : r.matches) {
    absl::StrAppendFormat(&out, "%s j=%.6f c=%.6f r=%.6f h=%d e=%d;", m.id,
                          m.scores.jaccard, m.scores.containment,
                          m.scores.reverse_containment,
                          m.scores.hamming_distance, m.scores.exact);
  }
  return out;
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("import");
    Reopen();
  }
  void TearDown() override {
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    engine_.reset();
    store_.reset();
    index::Store::Options o;
    o.path = dir_;
    auto s = index::Store::Open(o);
    ASSERT_THAT(s, IsOk());
    store_ = std::move(*s);
    engine_ = std::make_unique<Engine>(store_.get());
  }

  // Adds `docs` one by one to `collection`, as a client would.
  void AddOneByOne(const std::string& collection,
                   const std::vector<TestDoc>& docs) {
    for (const TestDoc& d : docs) {
      DocumentInput in;
      in.id = d.id;
      in.content = d.text;
      in.metadata = d.metadata;
      absl::StatusOr<index::AddResult> r = engine_->Add(collection, in, false);
      if (!r.ok()) {
        ASSERT_THAT(r, StatusIs(absl::StatusCode::kAlreadyExists));
      }
    }
  }

  // Fingerprints `docs` with `collection`'s pipeline and imports them.
  absl::StatusOr<index::ImportResult> Import(const std::string& collection,
                                             const std::vector<TestDoc>& docs) {
    absl::StatusOr<index::CollectionInfo> c =
        engine_->GetCollection(collection);
    if (!c.ok()) return c.status();
    const Pipeline pipeline(ParamsOf(*c));
    absl::StatusOr<std::unique_ptr<Importer>> importer = engine_->BeginImport(
        collection, pipeline.params(), sketch::kFingerprintVersion);
    if (!importer.ok()) return importer.status();
    for (const TestDoc& d : docs) {
      absl::StatusOr<PreparedText> p =
          pipeline.Prepare(d.text, text::InputOptions());
      if (!p.ok()) return p.status();
      std::optional<index::PassageInput> passages;
      if (pipeline.params().passage_fingerprints) {
        passages = PassageInputOf(&*p, d.text, text::InputOptions());
      }
      absl::StatusOr<bool> added = (*importer)->Add(
          d.id, d.metadata, std::move(p->fp), p->stats, std::move(passages));
      if (!added.ok()) return added.status();
    }
    return (*importer)->Commit();
  }

  std::string CheckOf(const std::string& collection, const std::string& text) {
    DocumentInput q;
    q.content = text;
    index::CheckOptions o;
    o.top_k = 20;
    absl::StatusOr<index::CheckResult> r = engine_->Check(collection, q, o);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? Render(*r) : "";
  }

  // Every query answers the same from both collections.
  void ExpectSameAnswers(const std::vector<TestDoc>& docs) {
    for (const TestDoc& d : docs) {
      EXPECT_EQ(CheckOf("imported", d.text), CheckOf("added", d.text)) << d.id;
      const std::string variant = MutateWords(d.text, 0.05, 3);
      EXPECT_EQ(CheckOf("imported", variant), CheckOf("added", variant))
          << d.id;
      absl::StatusOr<index::StoredDocument> a = engine_->Get("added", d.id);
      absl::StatusOr<index::StoredDocument> b = engine_->Get("imported", d.id);
      ASSERT_THAT(a, IsOk());
      ASSERT_THAT(b, IsOk());
      EXPECT_EQ(a->metadata, b->metadata) << d.id;
      EXPECT_EQ(a->stats.tokens, b->stats.tokens) << d.id;
      EXPECT_EQ(a->stats.simhash, b->stats.simhash) << d.id;
      EXPECT_EQ(a->stats.content_bytes, b->stats.content_bytes) << d.id;
    }
  }

  void ExpectVerifies(uint64_t documents) {
    absl::StatusOr<index::IntegrityReport> r = engine_->Verify();
    ASSERT_THAT(r, IsOk());
    EXPECT_TRUE(r->ok()) << (r->problems.empty() ? "" : r->problems[0]);
    EXPECT_EQ(r->documents, documents);
  }

  // No import's files are left beside the database.
  bool NoImportFiles() const {
    const std::string d = dir_ + "/import";
    return !std::filesystem::exists(d) || std::filesystem::is_empty(d);
  }

  uint64_t Count(const std::string& collection) {
    absl::StatusOr<index::CollectionInfo> c =
        engine_->GetCollection(collection);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? c->document_count : 0;
  }

  std::string dir_;
  std::unique_ptr<index::Store> store_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(ImportTest, AnswersAsIfAddedOneByOne) {
  const std::vector<TestDoc> docs = Corpus();
  ASSERT_THAT(engine_->CreateCollection("added", {}), IsOk());
  ASSERT_THAT(engine_->CreateCollection("imported", {}), IsOk());
  AddOneByOne("added", docs);
  absl::StatusOr<index::ImportResult> r = Import("imported", docs);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->documents, docs.size() - 1);
  EXPECT_EQ(r->duplicate_ids, 1u);
  EXPECT_GT(r->file_bytes, 0u);
  EXPECT_EQ(Count("imported"), Count("added"));
  // The first document of a repeated id is the one kept.
  EXPECT_EQ(CheckOf("imported", docs[1].text).substr(0, 7), "fam0-1 ");
  ExpectSameAnswers(docs);
  ExpectVerifies(2 * (docs.size() - 1));
  EXPECT_TRUE(NoImportFiles());

  Reopen();
  ExpectSameAnswers(docs);
  EXPECT_EQ(Count("imported"), docs.size() - 1);

  // Writes after the import: deletes, upserts and new documents, in both.
  const std::string upserted = GeneratedText(9999, 130);
  const std::string added_later = MutateWords(docs[20].text, 0.02, 9);
  for (const std::string c : {"added", "imported"}) {
    ASSERT_THAT(engine_->Delete(c, "fam3-0"), IsOk());
    ASSERT_THAT(engine_->Delete(c, "copy-a"), IsOk());
    DocumentInput up;
    up.id = "solo7";
    up.content = upserted;
    ASSERT_THAT(engine_->Add(c, up, /*upsert=*/true), IsOk());
    DocumentInput fresh;
    fresh.id = "fresh";
    fresh.content = added_later;
    ASSERT_THAT(engine_->Add(c, fresh, false), IsOk());
  }
  for (const TestDoc& d : docs) {
    EXPECT_EQ(CheckOf("imported", d.text), CheckOf("added", d.text)) << d.id;
  }
  EXPECT_EQ(CheckOf("imported", upserted), CheckOf("added", upserted));
  EXPECT_EQ(CheckOf("imported", added_later), CheckOf("added", added_later));
  ExpectVerifies(2 * (docs.size() - 1 - 2 + 1));
}

// A collection with passages: its texts and passage keys are imported
// too, and Search answers as for the documents added one by one.
TEST_F(ImportTest, PassagesSearchAsIfAddedOneByOne) {
  const std::vector<TestDoc> docs = Corpus();
  CollectionParams passages;
  passages.passages = true;
  passages.passage_max_docs = 3;  // a family's shared text is boilerplate
  ASSERT_THAT(engine_->CreateCollection("added", passages), IsOk());
  ASSERT_THAT(engine_->CreateCollection("imported", passages), IsOk());
  AddOneByOne("added", docs);
  ASSERT_THAT(Import("imported", docs), IsOk());
  auto search = [&](const std::string& collection, const std::string& text) {
    DocumentInput q;
    q.content = text;
    SearchOptions o;
    o.top_k = 20;
    absl::StatusOr<SearchResult> r = engine_->Search(collection, q, o);
    EXPECT_THAT(r, IsOk());
    std::string out;
    if (!r.ok()) return out;
    for (const PassageSource& src : r->sources) {
      absl::StrAppendFormat(&out, "%s %.6f:", src.id, src.containment);
      for (const passages::MatchedPassage& m : src.passages) {
        absl::StrAppendFormat(&out, " [%d,%d)->[%d,%d)", m.a.byte_start,
                              m.a.byte_end, m.b.byte_start, m.b.byte_end);
      }
      out += ";";
    }
    return out;
  };
  int found = 0;
  for (size_t i = 0; i < docs.size(); i += 7) {
    // A passage of one document inside new text.
    const std::string& t = docs[i].text;
    const std::string query = GeneratedText(7000 + i, 40) + " " +
                              t.substr(t.size() / 4, t.size() / 2) + " " +
                              GeneratedText(8000 + i, 40);
    const std::string added = search("added", query);
    EXPECT_EQ(search("imported", query), added) << docs[i].id;
    found += !added.empty();
  }
  EXPECT_GT(found, 20);
  ExpectVerifies(2 * (docs.size() - 1));
  Reopen();
  EXPECT_EQ(search("imported", docs[5].text), search("added", docs[5].text));
}

TEST_F(ImportTest, IntoAnEmptiedCollectionReplacesItsOldLists) {
  const std::vector<TestDoc> docs = Corpus();
  ASSERT_THAT(engine_->CreateCollection("added", {}), IsOk());
  ASSERT_THAT(engine_->CreateCollection("imported", {}), IsOk());
  // Documents stored and deleted again leave emptied lists behind.
  AddOneByOne("imported", {docs.begin(), docs.begin() + 30});
  for (int i = 0; i < 30; ++i) {
    ASSERT_THAT(engine_->Delete("imported", docs[i].id), IsOk());
  }
  AddOneByOne("added", docs);
  ASSERT_THAT(Import("imported", docs), IsOk());
  ExpectSameAnswers(docs);
  ExpectVerifies(2 * (docs.size() - 1));
}

TEST_F(ImportTest, RefusesWhatItCannotLoad) {
  const std::vector<TestDoc> docs = Corpus();
  ASSERT_THAT(engine_->CreateCollection("full", {}), IsOk());
  AddOneByOne("full", {docs.begin(), docs.begin() + 1});
  EXPECT_THAT(Import("full", docs),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("holds 1 documents")));
  // Passages missing for a collection that keeps them.
  CollectionParams passages;
  passages.passages = true;
  ASSERT_THAT(engine_->CreateCollection("passages", passages), IsOk());
  auto p_info = engine_->GetCollection("passages");
  ASSERT_THAT(p_info, IsOk());
  PipelineParams without = ParamsOf(*p_info);
  without.passage_fingerprints = false;
  auto p_import =
      engine_->BeginImport("passages", without, sketch::kFingerprintVersion);
  ASSERT_THAT(p_import, IsOk());
  auto prepared = Pipeline(without).Prepare(docs[0].text, {});
  ASSERT_THAT(prepared, IsOk());
  EXPECT_THAT((*p_import)->Add("x", {}, prepared->fp, prepared->stats),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("without its text")));
  EXPECT_THAT(engine_->BeginImport("none", PipelineParams(),
                                   sketch::kFingerprintVersion),
              StatusIs(absl::StatusCode::kNotFound));

  // Fingerprinted with other parameters.
  ASSERT_THAT(engine_->CreateCollection("c", {}), IsOk());
  PipelineParams other = ParamsOf(*engine_->GetCollection("c"));
  other.text.shingle.word_size = 3;
  EXPECT_THAT(engine_->BeginImport("c", other, sketch::kFingerprintVersion),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("word_shingle_size 3")));
  other = ParamsOf(*engine_->GetCollection("c"));
  EXPECT_THAT(engine_->BeginImport("c", other, sketch::kFingerprintVersion - 1),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("fingerprint version")));

  // One import of a collection at a time; a bad id fails alone.
  auto first = engine_->BeginImport("c", other, sketch::kFingerprintVersion);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(engine_->BeginImport("c", other, sketch::kFingerprintVersion),
              StatusIs(absl::StatusCode::kAborted));
  const Pipeline pipeline(other);
  auto p = pipeline.Prepare(docs[0].text, text::InputOptions());
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT((*first)->Add("", {}, p->fp, p->stats),
              StatusIs(absl::StatusCode::kInvalidArgument));
  sketch::Fingerprint short_fp = p->fp;
  short_fp.minhash.resize(5);
  EXPECT_THAT((*first)->Add("x", {}, short_fp, p->stats),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("128 MinHash values expected, got 5")));
}

TEST_F(ImportTest, AllOrNothing) {
  const std::vector<TestDoc> docs = Corpus();
  ASSERT_THAT(engine_->CreateCollection("c", {}), IsOk());
  const PipelineParams params = ParamsOf(*engine_->GetCollection("c"));
  const Pipeline pipeline(params);
  auto begin = [&]() {
    auto importer =
        engine_->BeginImport("c", params, sketch::kFingerprintVersion);
    EXPECT_THAT(importer, IsOk());
    for (int i = 0; i < 50; ++i) {
      auto p = pipeline.Prepare(docs[i].text, text::InputOptions());
      EXPECT_THAT((*importer)->Add(docs[i].id, {}, p->fp, p->stats),
                  IsOkAndHolds(true));
    }
    return std::move(*importer);
  };

  // Abandoned: nothing stored, no files left.
  begin().reset();
  EXPECT_EQ(Count("c"), 0u);
  EXPECT_TRUE(NoImportFiles());

  // Cancelled by its caller at the commit.
  std::unique_ptr<Importer> cancelled = begin();
  EXPECT_THAT(cancelled->Commit([] { return true; }),
              StatusIs(absl::StatusCode::kCancelled));
  cancelled.reset();
  EXPECT_EQ(Count("c"), 0u);
  EXPECT_TRUE(NoImportFiles());

  // A write to the collection while it runs: the import is refused.
  std::unique_ptr<Importer> importer = begin();
  DocumentInput d;
  d.id = "written-meanwhile";
  d.content = docs[60].text;
  ASSERT_THAT(engine_->Add("c", d, false), IsOk());
  ASSERT_THAT(engine_->Delete("c", "written-meanwhile"), IsOk());
  EXPECT_THAT(importer->Commit(),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("was written")));
  importer.reset();
  EXPECT_EQ(Count("c"), 0u);
  EXPECT_EQ(CheckOf("c", docs[0].text), "");
  ExpectVerifies(0);

  // Dropped while it runs.
  importer = begin();
  ASSERT_THAT(engine_->DropCollection("c"), IsOk());
  EXPECT_THAT(importer->Commit(),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("dropped")));
  importer.reset();
  ExpectVerifies(0);

  // Nothing to import: nothing changes.
  ASSERT_THAT(engine_->CreateCollection("c", {}), IsOk());
  auto empty = engine_->BeginImport("c", params, sketch::kFingerprintVersion);
  ASSERT_THAT(empty, IsOk());
  auto r = (*empty)->Commit();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->documents, 0u);
  empty->reset();
  // A committed import is final.
  importer = begin();
  ASSERT_THAT(importer->Commit(), IsOk());
  EXPECT_THAT(importer->Commit(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  importer.reset();
  EXPECT_EQ(Count("c"), 50u);
  ExpectVerifies(50);
}

}  // namespace
}  // namespace neardup::engine
