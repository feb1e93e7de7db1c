// Store::Search and the passage index: found passages and their spans,
// boilerplate, deletes, Verify; and collapsing repeats on ingest.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/engine/engine.h"
#include "service/index/store.h"
#include "tests/testing/corpus.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::engine {
namespace {

using ::neardup::index::CollectionParams;
using ::neardup::index::kDefaultPassageMaxDocs;
using ::neardup::index::kMaxPassageMaxDocs;
using ::neardup::index::kMaxTopK;
using ::neardup::testing::GeneratedText;
using ::neardup::testing::IsOk;
using ::neardup::testing::MutateWords;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

DocumentInput Doc(std::string_view id, std::string_view content) {
  DocumentInput d;
  d.id = id;
  d.content = content;
  return d;
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string Join(const std::vector<std::string>& words, size_t begin,
                 size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += ' ';
    out += words[i];
  }
  return out;
}

// `n` Han characters drawn from `seed` (each one token).
std::string HanText(uint64_t seed, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    const uint32_t cp = 0x4E00 + static_cast<uint32_t>(seed >> 33) % 0x5000;
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
    if (i % 20 == 19) out += "。";
  }
  return out;
}

class PassageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("passage_store");
    Reopen();
    CollectionParams p;
    p.passages = true;
    ASSERT_THAT(store_->CreateCollection("p", p), IsOk());
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    db_.reset();
    index::Store::Options o;
    o.path = dir_;
    auto s = index::Store::Open(o);
    ASSERT_THAT(s, IsOk());
    db_ = std::move(*s);
    store_ = std::make_unique<Engine>(db_.get());
  }
  void Add(const std::string& coll, const std::string& id,
           const std::string& text) {
    ASSERT_THAT(store_->Add(coll, Doc(id, text), false), IsOk());
  }
  SearchResult Search(const std::string& coll, const std::string& text) {
    auto r = store_->Search(coll, Doc("", text), {});
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : SearchResult();
  }

  std::string dir_;
  std::unique_ptr<index::Store> db_;
  std::unique_ptr<Engine> store_;  // over db_
};

TEST_F(PassageStoreTest, ParametersArePersisted) {
  CollectionParams p;
  p.passages = true;
  p.passage_max_docs = 7;
  p.collapse_repeats = false;
  ASSERT_THAT(store_->CreateCollection("q", p), IsOk());
  Reopen();
  auto q = store_->GetCollection("q");
  ASSERT_THAT(q, IsOk());
  EXPECT_TRUE(*q->params.passages);
  EXPECT_EQ(q->params.passage_max_docs, 7u);
  EXPECT_FALSE(*q->params.collapse_repeats);
  auto d = store_->GetCollection("p");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->params.passage_max_docs, kDefaultPassageMaxDocs);
  EXPECT_TRUE(*d->params.collapse_repeats);
  p.passage_max_docs = kMaxPassageMaxDocs + 1;
  EXPECT_THAT(store_->CreateCollection("r", p),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("passage_max_docs")));
}

TEST_F(PassageStoreTest, FindsAVerbatimPassageWithItsSpans) {
  const auto source = Words(GeneratedText(1, 400));
  Add("p", "source", Join(source, 0, source.size()));
  Add("p", "other", GeneratedText(2, 400));
  const auto host = Words(GeneratedText(3, 300));
  // 60 words of the source (100..160) after 150 words of the host.
  std::vector<std::string> query(host.begin(), host.begin() + 150);
  query.insert(query.end(), source.begin() + 100, source.begin() + 160);
  query.insert(query.end(), host.begin() + 150, host.end());
  const SearchResult r = Search("p", Join(query, 0, query.size()));
  ASSERT_THAT(r.sources, SizeIs(1));
  EXPECT_EQ(r.sources[0].id, "source");
  ASSERT_THAT(r.sources[0].passages, SizeIs(1));
  const auto& m = r.sources[0].passages[0];
  EXPECT_EQ(m.a.token_begin, 150u);
  EXPECT_EQ(m.a.token_end, 210u);
  EXPECT_EQ(m.b.token_begin, 100u);
  EXPECT_EQ(m.b.token_end, 160u);
  // Offsets are code points of the texts (ASCII here: bytes too).
  const std::string q = Join(query, 0, query.size());
  EXPECT_EQ(m.a.cp_start, Join(query, 0, 150).size() + 1);
  EXPECT_EQ(q.substr(m.a.cp_start, m.a.cp_end - m.a.cp_start).substr(0, 5),
            source[100].substr(0, 5));
  EXPECT_NEAR(r.sources[0].containment, 60.0 / query.size(), 1e-9);
  EXPECT_NEAR(r.coverage, 60.0 / query.size(), 1e-9);
}

TEST_F(PassageStoreTest, FindsPassagesWithTenPercentOfWordsEdited) {
  for (uint64_t seed = 10; seed < 20; ++seed) {
    const std::string id = "s" + std::to_string(seed);
    const auto source = Words(GeneratedText(seed, 300));
    Add("p", id, Join(source, 0, source.size()));
    const std::string passage = MutateWords(Join(source, 50, 110), 0.1, seed);
    const auto host = Words(GeneratedText(seed + 1000, 200));
    const std::string query =
        Join(host, 0, 100) + " " + passage + " " + Join(host, 100, 200);
    const SearchResult r = Search("p", query);
    ASSERT_THAT(r.sources, Not(IsEmpty())) << "seed " << seed;
    EXPECT_EQ(r.sources[0].id, id);
    ASSERT_THAT(r.sources[0].passages, SizeIs(1)) << "seed " << seed;
    const auto& m = r.sources[0].passages[0];
    // Within a few words of the truth; an edited first or last word may
    // fall outside.
    EXPECT_NEAR(m.a.token_begin, 100, 3) << "seed " << seed;
    EXPECT_NEAR(m.a.token_end, 160, 3) << "seed " << seed;
    EXPECT_NEAR(m.b.token_begin, 50, 3) << "seed " << seed;
    EXPECT_NEAR(m.b.token_end, 110, 3) << "seed " << seed;
  }
}

TEST_F(PassageStoreTest, FindsAHundredCopiedChineseCharacters) {
  const std::string source = HanText(1, 600);
  Add("p", "zh", source);
  // Characters 200..300 of the source (3 bytes each, a 。 every 20).
  const std::string copied = HanText(1, 300).substr(HanText(1, 200).size());
  const std::string query = HanText(2, 150) + copied + HanText(3, 150);
  const SearchResult r = Search("p", query);
  ASSERT_THAT(r.sources, SizeIs(1));
  ASSERT_THAT(r.sources[0].passages, SizeIs(1));
  const auto& m = r.sources[0].passages[0];
  EXPECT_EQ(m.a.token_begin, 150u);
  EXPECT_EQ(m.a.token_end, 250u);
  EXPECT_EQ(m.b.token_begin, 200u);
  EXPECT_EQ(m.b.token_end, 300u);
  EXPECT_EQ(m.a.byte_start, HanText(2, 150).size());
}

TEST_F(PassageStoreTest, UnrelatedQueryFindsNothing) {
  for (int i = 0; i < 20; ++i) {
    Add("p", "d" + std::to_string(i), GeneratedText(100 + i, 300));
  }
  const SearchResult r = Search("p", GeneratedText(999, 500));
  EXPECT_THAT(r.sources, IsEmpty());
  EXPECT_EQ(r.coverage, 0);
}

TEST_F(PassageStoreTest, BoilerplateInManyDocumentsIsIgnored) {
  const std::string footer = GeneratedText(77, 60);
  for (const std::string coll : {"strict", "lax"}) {
    CollectionParams p;
    p.passages = true;
    p.passage_max_docs = coll == "strict" ? 3 : 10;
    ASSERT_THAT(store_->CreateCollection(coll, p), IsOk());
    for (int i = 0; i < 5; ++i) {
      Add(coll, "d" + std::to_string(i),
          GeneratedText(200 + i, 200) + " " + footer);
    }
  }
  // The query copies 50 words of d0's own text and the footer.
  const auto d0 = Words(GeneratedText(200, 200));
  const std::string query =
      GeneratedText(300, 100) + " " + Join(d0, 20, 70) + " " + footer;
  const SearchResult strict = Search("strict", query);
  ASSERT_THAT(strict.sources, SizeIs(1));
  EXPECT_EQ(strict.sources[0].id, "d0");
  ASSERT_THAT(strict.sources[0].passages, SizeIs(1));
  EXPECT_EQ(strict.sources[0].passages[0].a.token_begin, 100u);
  EXPECT_NEAR(strict.sources[0].passages[0].a.token_end, 150, 1);
  // In more documents than 3, not more than 10: every document shares it.
  const SearchResult lax = Search("lax", query);
  EXPECT_THAT(lax.sources, SizeIs(5));
  EXPECT_EQ(lax.sources[0].id, "d0");
}

TEST_F(PassageStoreTest, DeleteAndUpsertRemoveOldPassages) {
  const std::string a = GeneratedText(5, 200), b = GeneratedText(6, 200);
  Add("p", "x", a);
  Add("p", "y", a);
  ASSERT_THAT(store_->Delete("p", "y"), IsOk());
  ASSERT_THAT(store_->Add("p", Doc("x", b), /*upsert=*/true), IsOk());
  EXPECT_THAT(Search("p", a).sources, IsEmpty());
  const SearchResult r = Search("p", b);
  ASSERT_THAT(r.sources, SizeIs(1));
  EXPECT_EQ(r.sources[0].id, "x");
  auto report = store_->Verify();
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
  EXPECT_GT(report->index_keys, 40u);  // passage keys are counted
}

TEST_F(PassageStoreTest, SourceTextIsReturnedDecodedOnRequest) {
  // Stored as GBK: the spans index the decoded text, in code points.
  const std::string utf8 = HanText(4, 200);
  Add("p", "gbk-doc", utf8);  // stored as UTF-8 here; decoding is a view
  SearchOptions o;
  o.with_source_text = true;
  auto r = store_->Search("p", Doc("", utf8), o);
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->sources, SizeIs(1));
  EXPECT_EQ(r->sources[0].text, utf8);
  EXPECT_EQ(r->sources[0].passages[0].b.cp_start, 0u);
}

TEST_F(PassageStoreTest, APageIsStoredAsItsTextAndOffsetsStillIndexThePage) {
  // A page whose markup outweighs its text, as most pages' does.
  const std::string body = GeneratedText(21, 300);
  std::string page =
      "<!doctype html><html><head><title>Daily notes</title><style>";
  for (int i = 0; i < 200; ++i) {
    absl::StrAppend(&page, ".c", i, "{margin:", i, "px}");
  }
  page += "</style></head><body><nav><a href=/>Home</a></nav><article><p>";
  for (size_t at = 0; at < body.size();) {
    size_t next = body.find(' ', std::min(body.size(), at + 300));
    if (next == std::string::npos) next = body.size();
    absl::StrAppend(&page, body.substr(at, next - at),
                    next < body.size() ? " </p>\n<p class=\"c7\"> " : "");
    at = next;
  }
  page += "</p></article><footer>&copy; notes</footer></body></html>";
  Add("p", "page", page);

  auto snapshot = db_->Snapshot("p");
  ASSERT_THAT(snapshot, IsOk());
  auto stored = (*snapshot)->Text(0);
  ASSERT_THAT(stored, IsOk());
  snapshot->reset();  // before the store closes
  EXPECT_TRUE(stored->extracted);
  EXPECT_TRUE(stored->html);
  EXPECT_EQ(stored->content.find('<'), std::string::npos);
  EXPECT_LT(stored->content.size() + stored->token_offsets.size(),
            page.size() / 2);
  EXPECT_LT(stored->token_offsets.size(), 100u);

  // A passage of the page inside new text: its source spans index the
  // page as sent, and with the source text, the stored text.
  // Whole words, from after a space to before one.
  const size_t from_word = body.find(' ', body.size() / 3) + 1;
  const size_t to_word = body.rfind(' ', 2 * body.size() / 3);
  const std::string passage = body.substr(from_word, to_word - from_word);
  const std::string query =
      GeneratedText(22, 60) + " " + passage + " " + GeneratedText(23, 60);
  SearchOptions o;
  o.with_source_text = true;
  auto r = store_->Search("p", Doc("", query), o);
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->sources, SizeIs(1));
  const PassageSource& src = r->sources[0];
  EXPECT_EQ(src.text, stored->content);
  ASSERT_THAT(src.passages, SizeIs(1));
  ASSERT_THAT(src.text_spans, SizeIs(1));
  const passages::Span& b = src.passages[0].b;
  const std::string in_page =
      page.substr(b.byte_start, b.byte_end - b.byte_start);
  EXPECT_NE(in_page.find("</p>"), std::string::npos);  // spans paragraphs
  auto words = [](std::string_view s) {
    std::string out;
    for (absl::string_view w :
         absl::StrSplit(absl::string_view(s.data(), s.size()),
                        absl::ByAnyChar(" \n<>"), absl::SkipEmpty())) {
      if (w != "/p" && w != "p" && w != "class=\"c7\"") {
        absl::StrAppend(&out, w, " ");
      }
    }
    return out;
  };
  EXPECT_EQ(words(in_page), words(passage));
  // The page is ASCII: its code points are its bytes.
  EXPECT_EQ(b.cp_start, b.byte_start);
  const auto [from, to] = src.text_spans[0];
  EXPECT_EQ(words(src.text.substr(from, to - from)), words(passage));

  // After a restart, and for a query that is the whole page.
  Reopen();
  auto again = store_->Search("p", Doc("", page), {});
  ASSERT_THAT(again, IsOk());
  ASSERT_THAT(again->sources, SizeIs(1));
  ASSERT_THAT(again->sources[0].passages, ::testing::Not(IsEmpty()));
  EXPECT_EQ(again->sources[0].passages[0].b.byte_start,
            again->sources[0].passages[0].a.byte_start);
  EXPECT_EQ(again->sources[0].passages.back().b.byte_end,
            again->sources[0].passages.back().a.byte_end);
}

TEST_F(PassageStoreTest, BadRequestsGetPreciseErrors) {
  ASSERT_THAT(store_->CreateCollection("plain", {}), IsOk());
  EXPECT_THAT(
      store_->Search("plain", Doc("", "some words here"), {}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--passages")));
  EXPECT_THAT(store_->Search("nope", Doc("", "some words"), {}),
              StatusIs(absl::StatusCode::kNotFound));
  SearchOptions o;
  o.top_k = kMaxTopK + 1;
  EXPECT_THAT(store_->Search("p", Doc("", "some words"), o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("top_k")));
  EXPECT_THAT(store_->Search("p", Doc("", "\xff\xfe\xfa"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PassageStoreTest, ADoubledPageMatchesTheCleanTextAndSaysSo) {
  ASSERT_THAT(store_->CreateCollection("c", {}), IsOk());
  CollectionParams whole;
  whole.collapse_repeats = false;
  ASSERT_THAT(store_->CreateCollection("whole", whole), IsOk());
  const std::string body = GeneratedText(8, 400);
  Add("c", "article", body);
  Add("whole", "article", body);
  const std::string page = GeneratedText(9, 30) + "\n" + body + "\n" + body +
                           "\n" + GeneratedText(10, 30);
  auto r = store_->Check("c", Doc("", page), {});
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->matches, SizeIs(1));
  EXPECT_GE(r->matches[0].scores.jaccard, 0.8);
  EXPECT_NEAR(r->stats.repeated_fraction, 400.0 / 860, 0.02);
  auto w = store_->Check("whole", Doc("", page), {});
  ASSERT_THAT(w, IsOk());
  EXPECT_EQ(w->stats.repeated_fraction, 0);
  // Stored with its repeated fraction.
  Add("c", "page", page);
  auto g = store_->Get("c", "page");
  ASSERT_THAT(g, IsOk());
  EXPECT_NEAR(g->stats.repeated_fraction, 400.0 / 860, 0.02);
}

TEST_F(PassageStoreTest, SeedPageMatchesItsBodyAndRepeatsItself) {
  const auto path =
      neardup::testing::SharedCorpusPath("zh-news-page-body-twice.txt");
  if (!path.has_value()) {
    GTEST_SKIP() << "../shared/corpus/zh-news-page-body-twice.txt is absent";
  }
  const auto page = neardup::testing::ReadWholeFile(*path);
  ASSERT_TRUE(page.has_value());
  const std::string body = neardup::testing::LongestRepeatedLineRun(*page);
  ASSERT_GT(body.size(), 1000u);
  Add("p", "article", body);
  auto r = store_->Check("p", Doc("", *page), {});
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->matches, SizeIs(1));
  EXPECT_GE(r->matches[0].scores.jaccard, 0.9);
  EXPECT_GT(r->stats.repeated_fraction, 0.4);
  // Search: both copies of the body on the page come from the article.
  const SearchResult s = Search("p", *page);
  ASSERT_THAT(s.sources, SizeIs(1));
  EXPECT_GT(s.sources[0].containment, 0.9);
}

}  // namespace
}  // namespace neardup::engine
