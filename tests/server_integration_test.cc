// End to end: the real NearDupServer on 127.0.0.1:0 with a RocksDB in a
// scratch directory, driven over TCP by the client library.

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "service/server/server.h"
#include "service/text/analyze.h"
#include "tests/testing/charsets.h"
#include "tests/testing/corpus.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup {
namespace {

using ::neardup::testing::EncodeAs;
using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kSeedPage[] = "zh-news-page-body-twice.txt";

// Returns the exact Jaccard similarity of the shingle sets of `a` and `b`
// under the default collection parameters.
double ExactJaccard(const std::string& a, const std::string& b) {
  auto sa = text::Analyze(a, {});
  auto sb = text::Analyze(b, {});
  EXPECT_TRUE(sa.ok() && sb.ok());
  if (!sa.ok() || !sb.ok()) return 0;
  return text::SetJaccard(sa->shingle_set, sb->shingle_set);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("server");
    StartServer();
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(int max_message_bytes = 64 << 20,
                   size_t max_queued_calls = 256) {
    client_.reset();
    server_.reset();  // releases the database lock first
    server::NearDupServer::Options options;
    options.db_path = dir_;
    options.listen = "127.0.0.1:0";
    options.max_message_bytes = max_message_bytes;
    options.max_queued_calls = max_queued_calls;
    auto server = server::NearDupServer::Start(options);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    auto client =
        client::Client::Connect(absl::StrCat("127.0.0.1:", server_->port()));
    ASSERT_THAT(client, IsOk());
    client_ = std::move(*client);
  }

  void CreateCollection(const std::string& name) {
    ASSERT_THAT(client_->CreateCollection(name, {}), IsOk());
  }

  absl::StatusOr<v1::AddResponse> Add(const std::string& coll,
                                      const std::string& id,
                                      const std::string& content) {
    v1::AddRequest req;
    req.set_collection(coll);
    req.mutable_document()->set_id(id);
    req.mutable_document()->set_content(content);
    return client_->Add(req);
  }

  absl::StatusOr<v1::CheckResponse> Check(const std::string& coll,
                                          const std::string& content) {
    v1::CheckRequest req;
    req.set_collection(coll);
    req.mutable_document()->set_content(content);
    return client_->Check(req);
  }

  // Stores `page`, checks that `body` finds it as the top match and that
  // unrelated Chinese and English texts do not, restarts the server, and
  // checks again. Returns the Jaccard score seen.
  double RunBodyTwiceCase(const std::string& page, const std::string& body) {
    CreateCollection("pages");
    EXPECT_THAT(Add("pages", "page", page), IsOk());
    EXPECT_THAT(Add("pages", "other-zh",
                    neardup::testing::ReadTestData("unrelated_zh.txt")),
                IsOk());
    auto r = Check("pages", body);
    EXPECT_THAT(r, IsOk());
    if (!r.ok() || r->matches().empty()) {
      ADD_FAILURE() << "the page was not found by its body";
      return 0;
    }
    EXPECT_EQ(r->matches(0).id(), "page");
    EXPECT_GE(r->matches(0).jaccard(), 0.8);
    EXPECT_GE(r->matches(0).containment(), 0.9);  // body inside the page
    const double jaccard = r->matches(0).jaccard();
    // The estimate is within 4 standard errors (sqrt(J(1-J)/128) ~ 0.025)
    // of the truth.
    const double exact = ExactJaccard(page, body);
    EXPECT_NEAR(jaccard, exact, 0.1);
    std::cout << "page vs body: exact jaccard " << exact << ", estimated "
              << jaccard << ", containment " << r->matches(0).containment()
              << ", reverse containment " << r->matches(0).reverse_containment()
              << ", hamming " << r->matches(0).hamming_distance() << "\n";

    // Unrelated texts: no match (the Chinese one also shares no document).
    EXPECT_THAT(
        Check("pages", neardup::testing::ReadTestData("unrelated_en.txt"))
            ->matches(),
        IsEmpty());
    auto zh =
        Check("pages", neardup::testing::ReadTestData("unrelated_zh.txt"));
    EXPECT_THAT(zh, IsOk());
    for (const v1::Match& m : zh->matches()) EXPECT_NE(m.id(), "page");

    StartServer();  // same database
    auto again = Check("pages", body);
    EXPECT_THAT(again, IsOk());
    EXPECT_THAT(again->matches(), ::testing::Not(IsEmpty()));
    if (again.ok() && !again->matches().empty()) {
      EXPECT_EQ(again->matches(0).id(), "page");
      EXPECT_DOUBLE_EQ(again->matches(0).jaccard(), jaccard);
    }
    return jaccard;
  }

  std::string dir_;
  std::unique_ptr<server::NearDupServer> server_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(ServerTest, SeedPageIsFoundByItsArticleBody) {
  std::optional<std::string> path =
      neardup::testing::SharedCorpusPath(kSeedPage);
  if (!path.has_value()) {
    GTEST_SKIP() << "../shared/corpus/" << kSeedPage
                 << " is absent; the same case with our own text runs in "
                    "OwnBodyTwicePageIsFoundByItsBody";
  }
  std::optional<std::string> page = neardup::testing::ReadWholeFile(*path);
  ASSERT_TRUE(page.has_value());
  const std::string body = neardup::testing::LongestRepeatedLineRun(*page);
  // The body is most of one copy: far more than the spam lines.
  ASSERT_GT(body.size(), page->size() / 3);
  const double jaccard = RunBodyTwiceCase(*page, body);
  RecordProperty("seed_jaccard", std::to_string(jaccard));
  std::cout << "seed page vs its body: jaccard " << jaccard << "\n";
}

TEST_F(ServerTest, OwnBodyTwicePageIsFoundByItsBody) {
  const std::string body = neardup::testing::ReadTestData("article_zh.txt");
  const std::string page =
      "免费下载 精品资源 高清影视 最新合集 点击进入 无需注册 永久免费\n\n" +
      body + "\n\n分享到 微博 微信 朋友圈 返回顶部\n\n" + body +
      "\n\n热门城市 北京 上海 广州 深圳 杭州 南京 成都 武汉 西安 重庆\n";
  ASSERT_EQ(neardup::testing::LongestRepeatedLineRun(page).size(),
            body.size() - 1);  // the run ends before the last newline
  const double jaccard = RunBodyTwiceCase(page, body);
  std::cout << "own page vs its body: jaccard " << jaccard << "\n";
}

TEST_F(ServerTest, SeedPageRepeatsAndCompareOverGrpc) {
  auto path = neardup::testing::SharedCorpusPath(kSeedPage);
  if (!path.has_value()) {
    GTEST_SKIP() << "../shared/corpus/" << kSeedPage
                 << " is absent; cli_test's RepeatsFindsABodyPrintedTwice "
                    "covers Repeats with our own text";
  }
  const std::string page = *neardup::testing::ReadWholeFile(*path);
  const auto run = neardup::testing::FindLongestRepeatedLineRun(page);
  v1::RepeatsRequest req;
  req.mutable_document()->set_content(page);
  req.set_return_collapsed(true);
  auto r = client_->Repeats(req);
  ASSERT_THAT(r, IsOk());
  // The body's passage: one occurrence starts in the first copy and one in
  // the second (passages_test checks their coverage in detail).
  bool body = false;
  for (const v1::RepeatedPassage& p : r->passages()) {
    bool in_first = false, in_second = false;
    for (const v1::TextSpan& o : p.occurrences()) {
      const size_t len = o.byte_end() - o.byte_start();
      in_first |= o.byte_start() <= run.first_begin + 200 &&
                  len > (run.first_end - run.first_begin) * 9 / 10;
      in_second |= o.byte_start() <= run.second_begin + 200 &&
                   o.byte_start() >= run.first_end &&
                   len > (run.second_end - run.second_begin) * 9 / 10;
    }
    body |= in_first && in_second;
  }
  EXPECT_TRUE(body);
  EXPECT_NEAR(r->repeated_fraction(), 0.5, 0.1);
  EXPECT_LT(r->collapsed().size(), page.size() * 6 / 10);

  // The page against its one-copy body: the body is wholly in the page.
  v1::CompareRequest cmp;
  cmp.mutable_a()->set_content(
      page.substr(run.first_begin, run.first_end - run.first_begin));
  cmp.mutable_b()->set_content(page);
  auto c = client_->Compare(cmp);
  ASSERT_THAT(c, IsOk());
  EXPECT_GE(c->containment(), 0.99);
  // The body occurs twice in the page; each passage of a is reported once,
  // with one place in b, and covers the whole body.
  ASSERT_EQ(c->passages_size(), 1);
  EXPECT_GE(c->passages(0).query_byte_end() - c->passages(0).query_byte_start(),
            (run.first_end - run.first_begin) * 95 / 100);
}

TEST_F(ServerTest, PassageRpcsRejectBadInput) {
  v1::RepeatsRequest none;
  auto r = client_->Repeats(none);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("no document"));
  v1::RepeatsRequest bad;
  bad.mutable_document()->set_content("valid start \xff\xfe then junk");
  bad.mutable_document()->set_charset("utf-8");
  r = client_->Repeats(bad);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  v1::CompareRequest half;
  half.mutable_a()->set_content("some words here");
  auto c = client_->Compare(half);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("no b"));
  half.mutable_b()->set_content("  \n ... \n");
  c = client_->Compare(half);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("b: "));
  // Still serving.
  half.mutable_b()->set_content("some words here");
  EXPECT_THAT(client_->Compare(half), IsOk());
}

// Code points of UTF-8 `text`.
uint32_t CodePoints(std::string_view text) {
  uint32_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

TEST_F(ServerTest, SearchFindsACopiedParagraphInGbkSource) {
  v1::CollectionParams params;
  params.set_passages(true);
  ASSERT_THAT(client_->CreateCollection("p", params), IsOk());
  // The source is stored as GB18030 bytes; the query is UTF-8 text that
  // pastes one of its paragraphs into an unrelated text.
  const std::string source = neardup::testing::ReadTestData("article_zh.txt");
  const size_t p = source.find("\n\n") + 2;
  // Two paragraphs: over 100 Chinese characters.
  const size_t para_end = source.find("\n\n", source.find("\n\n", p) + 2);
  const std::string para = source.substr(p, para_end - p);
  ASSERT_GT(para.size(), 300u);
  v1::AddRequest add;
  add.set_collection("p");
  add.mutable_document()->set_id("gbk-article");
  add.mutable_document()->set_content(EncodeAs(source, "gb18030"));
  add.mutable_document()->set_charset("gb18030");
  ASSERT_THAT(client_->Add(add), IsOk());
  const std::string host = neardup::testing::ReadTestData("unrelated_zh.txt");
  const size_t at = host.find("\n\n", host.size() / 3) + 2;
  const std::string query =
      host.substr(0, at) + para + "\n\n" + host.substr(at);

  v1::SearchRequest req;
  req.set_collection("p");
  req.mutable_document()->set_content(query);
  req.set_return_source_text(true);
  auto r = client_->Search(req);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->sources_size(), 1);
  const v1::PassageSource& src = r->sources(0);
  EXPECT_EQ(src.id(), "gbk-article");
  EXPECT_EQ(src.text(), source);  // decoded back to UTF-8
  ASSERT_EQ(src.passages_size(), 1);
  const v1::PassageMatch& m = src.passages(0);
  // Query offsets are bytes and code points of the UTF-8 query; source
  // code points index the decoded text, source bytes the GB18030 bytes.
  EXPECT_EQ(m.query_byte_start(), at);
  EXPECT_EQ(m.query_start(), CodePoints(query.substr(0, at)));
  EXPECT_EQ(m.source_start(), CodePoints(source.substr(0, p)));
  EXPECT_EQ(m.source_byte_start(),
            EncodeAs(source.substr(0, p), "gb18030").size());
  EXPECT_NEAR(m.query_end() - m.query_start(), CodePoints(para), 2);
  EXPECT_GT(src.containment(), 0.05);
  EXPECT_DOUBLE_EQ(r->coverage(), src.containment());

  // Deleted: its passages are gone.
  ASSERT_THAT(client_->Delete("p", "gbk-article"), IsOk());
  r = client_->Search(req);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->sources_size(), 0);

  // The same article as a GB18030 page: stored as its extracted text, yet
  // source offsets still index the page as sent (bytes) and as decoded
  // (code points), and source_text_* the returned text.
  const std::string page =
      "<html><head><title>\xE6\x96\xB0\xE9\x97\xBB</title>"
      "<style>p{margin:0}</style></head><body><nav><a href=/>Home</a></nav>"
      "<article><p>" +
      absl::StrReplaceAll(source, {{"\n\n", "</p>\n\n<p>"}}) +
      "</p></article></body></html>";
  const size_t page_at = page.find(para.substr(0, para.find('\n')));
  ASSERT_NE(page_at, std::string::npos);
  add.mutable_document()->set_id("gbk-page");
  add.mutable_document()->set_content(EncodeAs(page, "gb18030"));
  ASSERT_THAT(client_->Add(add), IsOk());
  r = client_->Search(req);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->sources_size(), 1);
  const v1::PassageSource& in_page = r->sources(0);
  EXPECT_EQ(in_page.text().find('<'), std::string::npos) << in_page.text();
  ASSERT_EQ(in_page.passages_size(), 1);
  const v1::PassageMatch& pm = in_page.passages(0);
  EXPECT_EQ(pm.query_byte_start(), at);
  EXPECT_EQ(pm.source_start(), CodePoints(page.substr(0, page_at)));
  EXPECT_EQ(pm.source_byte_start(),
            EncodeAs(page.substr(0, page_at), "gb18030").size());
  const size_t text_at = in_page.text().find(para.substr(0, para.find('\n')));
  ASSERT_NE(text_at, std::string::npos);
  EXPECT_EQ(pm.source_text_start(),
            CodePoints(in_page.text().substr(0, text_at)));
  EXPECT_NEAR(pm.source_text_end() - pm.source_text_start(), CodePoints(para),
              4);
}

TEST_F(ServerTest, SearchRejectsBadRequests) {
  CreateCollection("plain");
  v1::SearchRequest req;
  req.set_collection("plain");
  auto r = client_->Search(req);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("no document")));
  req.mutable_document()->set_content("some words to look for");
  EXPECT_THAT(
      client_->Search(req),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--passages")));
  req.set_collection("missing");
  EXPECT_THAT(client_->Search(req), StatusIs(absl::StatusCode::kNotFound));
  v1::CollectionParams params;
  params.set_passages(true);
  params.set_passage_max_docs(200000);
  EXPECT_THAT(client_->CreateCollection("p", params),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("passage_max_docs")));
}

// Malformed import streams get a precise status, store nothing and leave
// the collection importable.
TEST_F(ServerTest, ImportRejectsMalformedStreams) {
  CreateCollection("c");
  auto collection = client_->GetCollection("c");
  ASSERT_THAT(collection, IsOk());
  auto stub = v1::NearDup::NewStub(client_->channel());
  v1::ImportRequest header;
  header.mutable_header()->set_collection("c");
  *header.mutable_header()->mutable_params() = collection->params();
  header.mutable_header()->set_fingerprint_version(
      collection->fingerprint_version());
  v1::ImportRequest batch;
  v1::FingerprintedDocument* doc = batch.mutable_batch()->add_documents();
  doc->set_id("a");
  for (uint32_t i = 0; i < collection->params().num_perm(); ++i) {
    doc->add_minhash(i * 7919);
  }
  v1::ImportRequest commit;
  commit.set_commit(true);
  // Sends `messages`, ends the stream, and returns the call's status.
  auto run = [&](const std::vector<v1::ImportRequest>& messages) {
    grpc::ClientContext ctx;
    v1::ImportResponse resp;
    auto writer = stub->Import(&ctx, &resp);
    for (const v1::ImportRequest& m : messages) {
      if (!writer->Write(m)) break;
    }
    writer->WritesDone();
    return client::FromGrpcStatus(writer->Finish());
  };
  EXPECT_THAT(run({batch}), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("before the header")));
  EXPECT_THAT(run({header, header}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("header sent twice")));
  v1::ImportRequest no_commit;
  no_commit.set_commit(false);
  EXPECT_THAT(run({header, batch, no_commit}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("commit set to false")));
  EXPECT_THAT(run({header, batch}),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr("ended without a commit")));
  EXPECT_THAT(run({v1::ImportRequest(), header}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty import message")));
  v1::ImportRequest other = header;
  other.mutable_header()->mutable_params()->set_num_perm(64);
  EXPECT_THAT(run({other, batch, commit}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("num_perm 64")));
  v1::ImportRequest short_doc = batch;
  short_doc.mutable_batch()->mutable_documents(0)->mutable_minhash()->Truncate(
      3);
  EXPECT_THAT(run({header, short_doc, commit}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("document 1 of the import")));
  // Passages sent to a collection without them, and to one with them
  // with fingerprints out of order.
  v1::ImportRequest with_passages = batch;
  v1::ImportedPassages* p =
      with_passages.mutable_batch()->mutable_documents(0)->mutable_passages();
  p->set_content("some words");
  p->add_fingerprints(9);
  p->add_fingerprints(9);
  EXPECT_THAT(
      run({header, with_passages, commit}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not keep")));
  v1::CollectionParams passages = collection->params();
  passages.set_passages(true);
  ASSERT_THAT(client_->CreateCollection("p", passages), IsOk());
  v1::ImportRequest p_header = header;
  p_header.mutable_header()->set_collection("p");
  EXPECT_THAT(run({p_header, with_passages, commit}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not distinct and ascending")));
  EXPECT_THAT(run({p_header, batch, commit}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("without its text")));
  EXPECT_EQ(client_->GetCollection("c")->document_count(), 0u);
  // Still importable, and the import stored.
  EXPECT_THAT(run({header, batch, commit}), IsOk());
  EXPECT_EQ(client_->GetCollection("c")->document_count(), 1u);
  EXPECT_THAT(client_->Get("c", "a"), IsOk());
}

TEST_F(ServerTest, BadInputGetsPreciseStatusAndServerStaysUp) {
  CreateCollection("c");
  const std::string text = neardup::testing::ReadTestData("unrelated_en.txt");
  EXPECT_THAT(
      Add("c", "empty", ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no text")));
  EXPECT_THAT(
      Add("c", "punct", " ... --- !!! "),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no text")));
  // UTF-8 text with a broken sequence.
  EXPECT_THAT(Add("c", "bad", "中文 valid start \xC3\x28 then junk"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid UTF-8 at byte offset 19")));
  // A declared charset that the bytes do not follow.
  v1::AddRequest wrong;
  wrong.set_collection("c");
  wrong.mutable_document()->set_id("wrong");
  wrong.mutable_document()->set_content("abc \x81\x7F def");
  wrong.mutable_document()->set_charset("gbk");
  EXPECT_THAT(client_->Add(wrong), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("at byte offset 4")));
  wrong.mutable_document()->set_charset("no-such-charset");
  EXPECT_THAT(client_->Add(wrong),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown charset: no-such-charset")));
  wrong.mutable_document()->set_charset("");
  wrong.mutable_document()->set_content_type("image/png");
  EXPECT_THAT(client_->Add(wrong),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported content_type: image/png")));
  EXPECT_THAT(Add("c", "binary", std::string("\x00\x01\xfe\xff", 4)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("binary data (NUL byte at offset 0)")));
  // NUL and control bytes are valid UTF-8, and still not text.
  std::string junk = "%PDF-1.4 header";
  for (int i = 0; i < 300; ++i) junk += static_cast<char>(i % 9);
  EXPECT_THAT(Add("c", "junk", junk),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("binary data (NUL byte at offset 15)")));

  EXPECT_THAT(Add("nope", "x", text),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("collection not found: nope")));
  EXPECT_THAT(Check("nope", text), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(client_->CreateCollection("c", {}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("collection exists: c")));
  EXPECT_THAT(client_->CreateCollection("bad name!", {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  v1::CollectionParams bad;
  bad.set_threshold(2);
  EXPECT_THAT(
      client_->CreateCollection("c2", bad),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("threshold")));
  EXPECT_THAT(Add("c", "", text), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("document id is empty")));
  EXPECT_THAT(Add("c", std::string(1025, 'i'), text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("1025 bytes; the limit is 1024")));
  // A string field with bad UTF-8 cannot even be parsed by the server; the
  // client library refuses it with a message naming the field.
  v1::AddRequest bad_meta;
  bad_meta.set_collection("c");
  bad_meta.mutable_document()->set_id("m");
  bad_meta.mutable_document()->set_content(text);
  (*bad_meta.mutable_document()->mutable_metadata())["k"] = "v\xff";
  EXPECT_THAT(
      client_->Add(bad_meta),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("document.metadata.value is not valid UTF-8")));
  EXPECT_THAT(Add("c", "bad\xc3", text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("document.id is not valid UTF-8")));
  v1::AddRequest no_doc;
  no_doc.set_collection("c");
  EXPECT_THAT(client_->Add(no_doc), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("no document")));
  EXPECT_THAT(client_->Get("c", "missing"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  ASSERT_THAT(Add("c", "ok", text), IsOk());
  EXPECT_THAT(Add("c", "ok", text),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("ok")));

  // Nothing bad was stored, and the server still answers.
  auto info = client_->GetCollection("c");
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->document_count(), 1u);
  EXPECT_THAT(Check("c", text)->matches(), SizeIs(1));
  // UTF-16 without a byte order mark is read as UTF-16 and finds its UTF-8
  // copy whole.
  auto as_utf16 = Check("c", EncodeAs(text, "UTF-16LE"));
  ASSERT_THAT(as_utf16, IsOk());
  EXPECT_EQ(as_utf16->stats().charset(), "UTF-16LE");
  ASSERT_THAT(as_utf16->matches(), SizeIs(1));
  EXPECT_EQ(as_utf16->matches(0).jaccard(), 1.0);
}

TEST_F(ServerTest, OversizedMessageIsResourceExhausted) {
  StartServer(/*max_message_bytes=*/1 << 20);
  CreateCollection("c");
  std::string big = neardup::testing::GeneratedText(1, 300000);  // > 1 MiB
  ASSERT_GT(big.size(), 1u << 20);
  EXPECT_THAT(Add("c", "big", big),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(Check("c", big), StatusIs(absl::StatusCode::kResourceExhausted));
  // Still up, nothing stored.
  EXPECT_THAT(Add("c", "small", "a small document"), IsOk());
  EXPECT_EQ(client_->GetCollection("c")->document_count(), 1u);
}

// Document work waits for the executor in a bounded queue; a server whose
// queue is full refuses at once with RESOURCE_EXHAUSTED and says why,
// while point reads (collections, Get) are still answered. A queue of
// length 0 is always full.
TEST_F(ServerTest, FullWorkQueueIsResourceExhausted) {
  StartServer(64 << 20, /*max_queued_calls=*/0);
  CreateCollection("c");
  EXPECT_THAT(
      Add("c", "a", "some words of a document"),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("server busy")));
  EXPECT_THAT(
      Check("c", "some words of a document"),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("retry in")));
  EXPECT_EQ(client_->GetCollection("c")->document_count(), 0u);
  EXPECT_THAT(client_->Get("c", "a"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ServerTest, CheckAndAddOverGrpcIsAtomic) {
  CreateCollection("c");
  const std::string doc = neardup::testing::ReadTestData("article_zh.txt");
  std::vector<std::thread> threads;
  std::vector<int> added(8, -1);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      v1::CheckAndAddRequest req;
      req.set_collection("c");
      req.mutable_document()->set_id(absl::StrCat("copy", t));
      req.mutable_document()->set_content(doc);
      auto r = client_->CheckAndAdd(req);
      added[t] = r.ok() ? r->added() : -1;
    });
  }
  for (auto& th : threads) th.join();
  int total = 0;
  for (int a : added) {
    EXPECT_NE(a, -1);
    total += a == 1;
  }
  EXPECT_EQ(total, 1);
  EXPECT_EQ(client_->GetCollection("c")->document_count(), 1u);
}

// A batch over gRPC: the second copy of a text is a duplicate of the
// first in the same call, a document without text and one with an
// unsupported content_type fail alone with their codes, and the call's own
// errors (empty, oversized, unknown collection) fail it whole.
TEST_F(ServerTest, CheckAndAddBatchOverGrpc) {
  CreateCollection("c");
  const std::string zh = neardup::testing::ReadTestData("article_zh.txt");
  const std::string en = neardup::testing::ReadTestData("unrelated_en.txt");
  v1::CheckAndAddBatchRequest req;
  req.set_collection("c");
  auto add = [&](const std::string& id, const std::string& content) {
    v1::Document* d = req.add_documents();
    d->set_id(id);
    d->set_content(content);
    return d;
  };
  add("zh", zh);
  add("empty", "   ");
  add("zh-again", zh);
  add("odd-type", en)->set_content_type("application/pdf");
  add("en", en);
  auto r = client_->CheckAndAddBatch(req);
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->results(), SizeIs(5));
  EXPECT_EQ(r->results(0).code(), 0);
  EXPECT_TRUE(r->results(0).response().added());
  EXPECT_EQ(r->results(1).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(r->results(1).message(), HasSubstr("no text"));
  EXPECT_EQ(r->results(2).code(), 0);
  EXPECT_FALSE(r->results(2).response().added());
  ASSERT_THAT(r->results(2).response().matches(), SizeIs(1));
  EXPECT_EQ(r->results(2).response().matches(0).id(), "zh");
  EXPECT_TRUE(r->results(2).response().matches(0).exact());
  EXPECT_EQ(r->results(3).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(r->results(3).message(), HasSubstr("application/pdf"));
  EXPECT_TRUE(r->results(4).response().added());
  EXPECT_EQ(client_->GetCollection("c")->document_count(), 2u);

  // Sent again: every stored id is already_stored, nothing is added.
  r = client_->CheckAndAddBatch(req);
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->results(0).response().already_stored());
  EXPECT_TRUE(r->results(4).response().already_stored());
  EXPECT_EQ(client_->GetCollection("c")->document_count(), 2u);

  v1::CheckAndAddBatchRequest empty;
  empty.set_collection("c");
  EXPECT_THAT(
      client_->CheckAndAddBatch(empty),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no documents")));
  v1::CheckAndAddBatchRequest big;
  big.set_collection("c");
  for (int i = 0; i < 1001; ++i) {
    big.add_documents()->set_id(absl::StrCat("d", i));
  }
  EXPECT_THAT(
      client_->CheckAndAddBatch(big),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 1000")));
  req.set_collection("nope");
  EXPECT_THAT(client_->CheckAndAddBatch(req),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST_F(ServerTest, DeleteAndGetOverGrpc) {
  CreateCollection("c");
  const std::string doc = neardup::testing::ReadTestData("unrelated_en.txt");
  v1::AddRequest req;
  req.set_collection("c");
  req.mutable_document()->set_id("bike");
  req.mutable_document()->set_content(doc);
  (*req.mutable_document()->mutable_metadata())["lang"] = "en";
  ASSERT_THAT(client_->Add(req), IsOk());
  auto got = client_->Get("c", "bike");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->metadata().at("lang"), "en");
  EXPECT_GT(got->stats().shingles(), 100u);
  auto r = Check("c", doc);
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->matches(), SizeIs(1));
  EXPECT_TRUE(r->matches(0).exact());
  EXPECT_EQ(r->matches(0).metadata().at("lang"), "en");
  ASSERT_THAT(client_->Delete("c", "bike"), IsOk());
  EXPECT_THAT(Check("c", doc)->matches(), IsEmpty());
  EXPECT_THAT(client_->Get("c", "bike"), StatusIs(absl::StatusCode::kNotFound));
}

// Runs one unary call of a service we have no generated stubs for.
grpc::Status GenericUnary(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& method, const std::string& request,
                          std::string* response) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1), resp;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  std::vector<grpc::Slice> slices;
  if (status.ok() && resp.Dump(&slices).ok()) {
    for (const auto& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

TEST_F(ServerTest, HealthServiceReportsServing) {
  std::string response;
  // grpc.health.v1.HealthCheckRequest{service: ""} is the empty message;
  // the response {status: SERVING} is field 1 = 1: bytes 08 01.
  grpc::Status s = GenericUnary(client_->channel(),
                                "/grpc.health.v1.Health/Check", "", &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response, std::string("\x08\x01", 2));
}

TEST_F(ServerTest, ReflectionListsTheService) {
  // The reflection plugin linked into the server registers the reflection
  // messages in the generated pool: build the request dynamically.
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* req_type = pool->FindMessageTypeByName(
      "grpc.reflection.v1alpha.ServerReflectionRequest");
  const auto* resp_type = pool->FindMessageTypeByName(
      "grpc.reflection.v1alpha.ServerReflectionResponse");
  ASSERT_NE(req_type, nullptr);
  ASSERT_NE(resp_type, nullptr);
  google::protobuf::DynamicMessageFactory factory(pool);
  std::unique_ptr<google::protobuf::Message> req(
      factory.GetPrototype(req_type)->New());
  req->GetReflection()->SetString(
      req.get(), req_type->FindFieldByName("list_services"), "*");

  grpc::GenericStub stub(client_->channel());
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call = stub.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      &cq);
  void* tag;
  bool ok;
  auto step = [&](intptr_t want) {
    ASSERT_TRUE(cq.Next(&tag, &ok));
    ASSERT_EQ(reinterpret_cast<intptr_t>(tag), want);
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  ASSERT_TRUE(ok);
  std::string bytes = req->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  step(2);
  ASSERT_TRUE(ok);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  step(3);
  ASSERT_TRUE(ok);
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  EXPECT_TRUE(status.ok()) << status.error_message();

  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string resp_bytes;
  for (const auto& s : slices) {
    resp_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  std::unique_ptr<google::protobuf::Message> resp(
      factory.GetPrototype(resp_type)->New());
  ASSERT_TRUE(resp->ParseFromString(resp_bytes));
  const std::string text = resp->DebugString();
  EXPECT_THAT(text, HasSubstr("neardup.v1.NearDup"));
  EXPECT_THAT(text, HasSubstr("grpc.health.v1.Health"));
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace neardup
