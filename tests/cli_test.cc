// Runs the real `neardup` binary against a real server on 127.0.0.1 and
// checks its output (human and --json) and exit codes.

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "neardup/v1/neardup.pb.h"
#include "service/server/server.h"
#include "tests/testing/corpus.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/html_pages.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using ::neardup::testing::CommandResult;
using ::neardup::testing::IsOk;
using ::testing::HasSubstr;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("cli");
    server::NearDupServer::Options options;
    options.db_path = dir_ + "/db";
    options.listen = "127.0.0.1:0";
    auto server = server::NearDupServer::Start(options);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    article_ =
        std::string(NEARDUP_SOURCE_DIR) + "/tests/testdata/article_zh.txt";
    unrelated_ =
        std::string(NEARDUP_SOURCE_DIR) + "/tests/testdata/unrelated_en.txt";
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs `neardup --server 127.0.0.1:PORT args...`.
  CommandResult Cli(std::vector<std::string> args,
                    const std::string& input = "") {
    args.insert(args.begin(), {NEARDUP_CLI_PATH, "--server",
                               absl::StrCat("127.0.0.1:", server_->port())});
    return neardup::testing::RunCommand(args, input);
  }

  // Parses `json` strictly (unknown fields are errors) into `m`.
  static void ParseJson(const std::string& json, google::protobuf::Message* m) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto s = google::protobuf::util::JsonStringToMessage(json, m, options);
    EXPECT_TRUE(s.ok()) << s.ToString() << " in " << json;
  }

  std::string dir_, article_, unrelated_;
  std::unique_ptr<server::NearDupServer> server_;
};

TEST_F(CliTest, CollectionsCreateListGetDrop) {
  CommandResult r =
      Cli({"collections", "create", "news", "--threshold", "0.7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("created collection news"));
  EXPECT_THAT(r.out, HasSubstr("threshold 0.7"));

  r = Cli({"--json", "collections", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  v1::ListCollectionsResponse list;
  ParseJson(r.out, &list);
  ASSERT_EQ(list.collections_size(), 1);
  EXPECT_EQ(list.collections(0).name(), "news");
  EXPECT_DOUBLE_EQ(list.collections(0).params().threshold(), 0.7);

  r = Cli({"collections", "get", "news", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  v1::Collection c;
  ParseJson(r.out, &c);
  EXPECT_EQ(c.lsh().bands() * c.lsh().rows() <= 128, true);

  r = Cli({"collections", "create", "news"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("ALREADY_EXISTS: collection exists: news"));
  EXPECT_TRUE(r.out.empty());

  r = Cli({"collections", "drop", "news"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"collections", "get", "news"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND: collection not found: news"));
}

TEST_F(CliTest, AddCheckGetDeleteWithJson) {
  ASSERT_EQ(Cli({"collections", "create", "c"}).exit_code, 0);
  CommandResult r =
      Cli({"add", "-c", "c", "--id", "art", "--meta", "source=test", article_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("added art"));

  // check --json: one JSON object {"matches":[{"id","jaccard",...}],
  // "added": false, ...}
  r = Cli({"check", "-c", "c", article_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"matches\":[{\"id\":\"art\""));
  EXPECT_THAT(r.out, HasSubstr("\"added\":false"));
  v1::CheckAndAddResponse resp;
  ParseJson(r.out, &resp);
  ASSERT_EQ(resp.matches_size(), 1);
  EXPECT_EQ(resp.matches(0).id(), "art");
  EXPECT_DOUBLE_EQ(resp.matches(0).jaccard(), 1.0);
  EXPECT_TRUE(resp.matches(0).exact());
  EXPECT_EQ(resp.matches(0).metadata().at("source"), "test");

  // Human output and stdin input.
  r = Cli({"check", "-c", "c", "-"}, "completely different words here");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("no match"));

  // check --add: a near copy is not added; a new text is.
  r = Cli({"check", "-c", "c", article_, "--add", "--id", "copy", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ParseJson(r.out, &resp);
  EXPECT_FALSE(resp.added());
  EXPECT_EQ(resp.matches(0).id(), "art");
  r = Cli({"check", "-c", "c", unrelated_, "--add", "--id", "bike"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("added as bike"));

  r = Cli({"get", "-c", "c", "bike", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  v1::StoredDocument doc;
  ParseJson(r.out, &doc);
  EXPECT_EQ(doc.id(), "bike");

  r = Cli({"delete", "-c", "c", "bike"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"get", "-c", "c", "bike"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
}

// Writes `text` to a new file in the scratch dir and returns its path.
std::string WriteScratch(const std::string& dir, const std::string& name,
                         const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST_F(CliTest, RepeatsFindsABodyPrintedTwice) {
  const std::string body = neardup::testing::ReadTestData("article_zh.txt");
  const std::string page = "免费下载 最新电影 高清在线观看\n" + body +
                           "\n分享到 微博 微信\n" + body +
                           "\n友情链接 网站地图 联系我们\n";
  const std::string file = WriteScratch(dir_, "page.txt", page);

  // --json: {"repeated_fraction", "passages":[{"occurrences":[{"start",
  // "end","byte_start","byte_end"}]}]}
  CommandResult r = Cli({"--json", "repeats", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"passages\":[{\"occurrences\":[{\"start\""));
  EXPECT_THAT(r.out, HasSubstr("\"byte_end\""));
  v1::RepeatsResponse resp;
  ParseJson(r.out, &resp);
  ASSERT_EQ(resp.passages_size(), 1);
  ASSERT_EQ(resp.passages(0).occurrences_size(), 2);
  const v1::TextSpan& second = resp.passages(0).occurrences(1);
  // Byte offsets are into the file; the second copy starts where it was
  // put (the body's first character is not punctuation).
  EXPECT_EQ(second.byte_start(), page.rfind(body));
  EXPECT_GT(resp.repeated_fraction(), 0.4);

  r = Cli({"repeats", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 repeated passage, "));
  EXPECT_THAT(r.out, HasSubstr("2 occurrences"));

  // --collapsed prints the page with one copy of the body.
  r = Cli({"repeats", file, "--collapsed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(body.substr(0, 60)), std::string::npos);
  EXPECT_EQ(r.out.find(body.substr(0, 60)), r.out.rfind(body.substr(0, 60)));
}

TEST_F(CliTest, CompareJsonAndHtmlInChromium) {
  const std::string source = neardup::testing::ReadTestData("article_en.txt");
  const std::string host = neardup::testing::ReadTestData("unrelated_en.txt");
  size_t p = source.find("\n\n") + 2;
  const std::string para = source.substr(p, source.find("\n\n", p) - p);
  const size_t at = host.find("\n\n", host.size() / 3) + 2;
  const std::string query =
      host.substr(0, at) + para + "\n\n" + host.substr(at);
  const std::string a = WriteScratch(dir_, "query.txt", query);
  const std::string b = WriteScratch(dir_, "source.txt", source);
  const std::string html = dir_ + "/compare.html";

  // --json: scores plus passages as in search: {"query_start",
  // "query_end", "source_start", "source_end", ...}
  CommandResult r = Cli({"--json", "compare", a, b, "--html", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  v1::CompareResponse resp;
  ParseJson(r.out, &resp);
  ASSERT_EQ(resp.passages_size(), 1) << r.out;
  EXPECT_EQ(resp.passages(0).query_byte_start(), at);
  EXPECT_EQ(resp.passages(0).source_byte_start(), p);
  EXPECT_THAT(r.out, HasSubstr("\"query_start\":"));
  EXPECT_THAT(r.out, HasSubstr("\"source_end\":"));
  EXPECT_GT(resp.containment(), 0.05);
  EXPECT_LT(resp.containment(), 0.5);

  // Unrelated documents: no passages.
  r = Cli({"--json", "compare", unrelated_, b});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ParseJson(r.out, &resp);
  EXPECT_EQ(resp.passages_size(), 0);

  // The page, loaded by headless Chromium: both sides carry passage 0's
  // highlight, around the pasted paragraph's text.
  r = neardup::testing::RunCommand(
      {"/usr/bin/timeout", "120", "/usr/bin/chromium", "--headless",
       "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + html});
  if (r.exit_code == 127) {
    GTEST_SKIP() << "chromium is not installed (deploy/install-deps.sh "
                    "installs it)";
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string mark = "<mark class=\"passage\" data-passage=\"0\"";
  const size_t first = r.out.find(mark);
  ASSERT_NE(first, std::string::npos) << r.out.substr(0, 2000);
  const size_t second = r.out.find(mark, first + 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(r.out.find(mark, second + 1), std::string::npos);
  const std::string words = para.substr(0, 40);
  const size_t text_at = r.out.find(">", first) + 1;
  EXPECT_EQ(r.out.substr(text_at, words.size()), words);
}

TEST_F(CliTest, SearchJsonAndHtmlInChromium) {
  ASSERT_EQ(Cli({"collections", "create", "p", "--passages",
                 "--passage-max-docs", "20"})
                .exit_code,
            0);
  CommandResult r = Cli({"collections", "get", "p"});
  EXPECT_THAT(r.out, HasSubstr("passage index (boilerplate: in more than 20"));
  const std::string source = neardup::testing::ReadTestData("article_en.txt");
  const std::string other = neardup::testing::ReadTestData("article_zh.txt");
  const std::string s1 = WriteScratch(dir_, "source.txt", source);
  const std::string s2 = WriteScratch(dir_, "other.txt", other);
  ASSERT_EQ(Cli({"add", "-c", "p", s1, s2}).exit_code, 0);
  const std::string host = neardup::testing::ReadTestData("unrelated_en.txt");
  const size_t p = source.find("\n\n") + 2;
  const std::string para = source.substr(p, source.find("\n\n", p) - p);
  const size_t at = host.find("\n\n", host.size() / 3) + 2;
  const std::string query =
      host.substr(0, at) + para + "\n\n" + host.substr(at);
  const std::string file = WriteScratch(dir_, "query.txt", query);
  const std::string html = dir_ + "/search.html";

  // --json: {"sources":[{"id","containment","passages":[{"query_start",
  // "query_end","source_start","source_end",...}]}]}, without the texts
  // that --html asked the server for.
  r = Cli({"--json", "search", "-c", "p", file, "--html", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("{\"sources\":[{\"id\":\"" + s1 + "\""));
  EXPECT_THAT(r.out, HasSubstr("\"passages\":[{\"query_start\":"));
  v1::SearchResponse resp;
  ParseJson(r.out, &resp);
  ASSERT_EQ(resp.sources_size(), 1) << r.out;
  EXPECT_EQ(resp.sources(0).text(), "");
  ASSERT_EQ(resp.sources(0).passages_size(), 1);
  EXPECT_EQ(resp.sources(0).passages(0).query_byte_start(), at);
  EXPECT_EQ(resp.sources(0).passages(0).source_byte_start(), p);

  r = Cli({"search", "-c", "p", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 source, "));
  EXPECT_THAT(r.out, HasSubstr(s1 + ": "));

  // Chromium: passage 0 highlighted on the query side and the source side.
  r = neardup::testing::RunCommand(
      {"/usr/bin/timeout", "120", "/usr/bin/chromium", "--headless",
       "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + html});
  if (r.exit_code == 127) {
    GTEST_SKIP() << "chromium is not installed (deploy/install-deps.sh "
                    "installs it)";
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string mark = "<mark class=\"passage\" data-passage=\"0\"";
  const size_t first = r.out.find(mark);
  ASSERT_NE(first, std::string::npos) << r.out.substr(0, 2000);
  const size_t second = r.out.find(mark, first + 1);
  ASSERT_NE(second, std::string::npos);
  const std::string words = para.substr(0, 40);
  for (size_t m : {first, second}) {
    const size_t text_at = r.out.find(">", m) + 1;
    EXPECT_EQ(r.out.substr(text_at, words.size()), words);
  }
  EXPECT_THAT(r.out, HasSubstr("<h2>" + s1 + "</h2>"));

  // A collection without passages: the server says how to get them.
  ASSERT_EQ(Cli({"collections", "create", "plain"}).exit_code, 0);
  r = Cli({"search", "-c", "plain", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(r.err, HasSubstr("--passages"));
}

TEST_F(CliTest, CheckSaysWhenThePageRepeatsItself) {
  ASSERT_EQ(Cli({"collections", "create", "c"}).exit_code, 0);
  const std::string body = neardup::testing::ReadTestData("article_zh.txt");
  ASSERT_EQ(Cli({"add", "-c", "c", "--id", "article", article_}).exit_code, 0);
  const std::string page = WriteScratch(
      dir_, "page.txt", "Top stories\n" + body + "\nShare\n" + body + "\n");
  CommandResult r = Cli({"check", "-c", "c", page});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("the document repeats itself"));
  EXPECT_THAT(r.out, HasSubstr("article"));
}

TEST_F(CliTest, AddManyFilesDefaultsIdsToFileNames) {
  ASSERT_EQ(Cli({"collections", "create", "c"}).exit_code, 0);
  CommandResult r = Cli({"--json", "add", "-c", "c", article_, unrelated_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("\"id\":\"", article_, "\"")));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("\"id\":\"", unrelated_, "\"")));
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1);  // one JSON object, one line
}

TEST_F(CliTest, HtmlFilesAndDeclaredCharsets) {
  ASSERT_EQ(Cli({"collections", "create", "c"}).exit_code, 0);
  const std::string article = neardup::testing::ReadTestData("article_en.txt");
  const std::string html_path = WriteScratch(
      dir_, "page.html", neardup::testing::PageInTemplateA(article));
  CommandResult r = Cli({"add", "-c", "c", "--id", "page", html_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("HTML"));
  // The plain article finds the HTML page.
  r = Cli({"check", "-c", "c", "--json",
           std::string(NEARDUP_SOURCE_DIR) + "/tests/testdata/article_en.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  v1::CheckAndAddResponse resp;
  ParseJson(r.out, &resp);
  ASSERT_EQ(resp.matches_size(), 1);
  EXPECT_EQ(resp.matches(0).id(), "page");
  // A Windows-1252 file with --charset.
  r = Cli({"check", "-c", "c", "--charset", "windows-1252", "--json", "-"},
          "caf\xE9 na\xEFve");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ParseJson(r.out, &resp);
  EXPECT_EQ(resp.stats().charset(), "windows-1252");
}

TEST_F(CliTest, ServerErrorsExitOneWithTheServersMessage) {
  ASSERT_EQ(Cli({"collections", "create", "c"}).exit_code, 0);
  CommandResult r = Cli({"check", "-c", "missing", article_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("collection not found: missing"));
  r = Cli({"add", "-c", "c", "--id", "x", "-"},
          std::string("中文 bad \xE4\xB8 utf8"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not valid UTF-8 at byte offset 11"));
  r = Cli({"add", "-c", "c", dir_ + "/no-such-file"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot read file"));
  // A directory is an error with a message, not an uncaught exception.
  for (const char* command : {"add", "check"}) {
    r = Cli({command, "-c", "c", dir_ + "/"});
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("is a directory")) << command;
  }
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"frobnicate"},
           {"check", article_},                         // no -c
           {"add", "-c", "c"},                          // no file
           {"check", "-c", "c", article_, "--bogus"},   // unknown option
           {"check", "-c", "c", article_, "--upsert"},  // wrong command
           {"collections", "create"},                   // no name
           {"collections", "create", "x", "--threshold", "abc"},
           {"add", "-c", "c", "--id", "x", article_, unrelated_},
           {"check", "-c", "c", article_, "--id", "x"},  // --id needs --add
           {"add", "-c", "c", "-"},                      // stdin needs --id
           {"check", "-c", "c", "-", "--add"},
       }) {
    CommandResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.err;
    EXPECT_THAT(r.err, HasSubstr("neardup: "));
  }
  EXPECT_EQ(neardup::testing::RunCommand({NEARDUP_CLI_PATH}).exit_code, 2);
  CommandResult help = neardup::testing::RunCommand({NEARDUP_CLI_PATH, "help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("collections create NAME"));
  CommandResult version =
      neardup::testing::RunCommand({NEARDUP_CLI_PATH, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("neardup 0."));
  EXPECT_THAT(version.out, HasSubstr("fingerprint version"));
}

TEST_F(CliTest, UnreachableServerIsAnError) {
  const std::string address = absl::StrCat("127.0.0.1:", server_->port());
  server_.reset();  // nothing listens on that port any more
  CommandResult r =
      neardup::testing::RunCommand({NEARDUP_CLI_PATH, "--server", address,
                                    "--timeout", "5", "collections", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("UNAVAILABLE"));
}

}  // namespace
}  // namespace neardup
