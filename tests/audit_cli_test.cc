// `neardup audit` as a user runs it: the real binary over a planted corpus
// in every input format, killed with SIGKILL in every stage and started
// again, fed bad input, and over a stored collection through a real
// server, whose clusters must be the local audit's; the report is loaded
// in headless Chromium.

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/server/server.h"
#include "tests/testing/corpus.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/planted.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using ::neardup::testing::AuditResults;
using ::neardup::testing::ClusterOf;
using ::neardup::testing::CommandResult;
using ::neardup::testing::IsOk;
using ::neardup::testing::PlantedCorpus;
using ::neardup::testing::PlantedDoc;
using ::neardup::testing::PlantedFormat;
using ::neardup::testing::RunCommand;
using ::neardup::testing::Slurp;
using ::testing::HasSubstr;

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("audit_cli");
    // 12 families and 3,000 unrelated texts: two chunks at 64M.
    corpus_ = neardup::testing::MakePlantedCorpus(5, 12, 3000);
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  CommandResult Audit(std::vector<std::string> args,
                      const std::string& crash_at = "") {
    std::vector<std::string> argv;
    if (!crash_at.empty()) {
      argv = {"/usr/bin/env", "NEARDUP_AUDIT_CRASH_AT=" + crash_at};
    }
    argv.push_back(NEARDUP_CLI_PATH);
    argv.push_back("audit");
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  // Each family in one cluster of its own, and no unrelated text in any.
  void ExpectFamilies(const std::string& out, const std::string& in_dir,
                      PlantedFormat format) {
    const std::map<std::string, int> cluster = ClusterOf(out);
    std::map<std::string, int> family_cluster;
    for (const auto& d : corpus_.docs) {
      const std::string id = neardup::testing::PlantedId(d, in_dir, format);
      if (d.family.empty()) {
        EXPECT_EQ(cluster.count(id), 0u) << id;
        continue;
      }
      if (d.family == "chain") continue;
      ASSERT_EQ(cluster.count(id), 1u) << id;
      auto [it, fresh] = family_cluster.emplace(d.family, cluster.at(id));
      EXPECT_EQ(it->second, cluster.at(id)) << id;
    }
  }

  // A real server on loopback over dir_/db, and a client of it.
  void StartServer() {
    server::NearDupServer::Options options;
    options.db_path = dir_ + "/db";
    options.listen = "127.0.0.1:0";
    auto server = server::NearDupServer::Start(options);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
    auto client = client::Client::Connect(address_);
    ASSERT_THAT(client, IsOk());
    client_ = std::move(*client);
  }

  std::string dir_;
  PlantedCorpus corpus_;
  std::unique_ptr<server::NearDupServer> server_;
  std::string address_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(AuditCliTest, PlantedCorpusInEveryFormat) {
  for (PlantedFormat f : {PlantedFormat::kFiles, PlantedFormat::kJsonlGz,
                          PlantedFormat::kWarcGz}) {
    const std::string in = absl::StrCat(dir_, "/in", static_cast<int>(f));
    const std::string input = neardup::testing::WritePlanted(corpus_, in, f);
    const std::string out = in + "-out";
    CommandResult r = Audit({input, "--out", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("audited ", "3,")));
    EXPECT_THAT(r.out, HasSubstr("report: " + out + "/report.html"));
    EXPECT_EQ(r.err, "");  // not a terminal: no progress
    ExpectFamilies(out, in, f);
  }
}

// "-" reads JSON Lines from standard input (copied into the audit
// directory first, so that a resumed run and the report can read it again).
TEST_F(AuditCliTest, StandardInputIsAudited) {
  const std::string file = neardup::testing::WritePlanted(
      corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  ASSERT_EQ(Audit({file, "--out", dir_ + "/from-file"}).exit_code, 0);
  CommandResult r = RunCommand(
      {NEARDUP_CLI_PATH, "audit", "-", "--out", dir_ + "/from-stdin"},
      Slurp(file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Slurp(dir_ + "/from-stdin/clusters.jsonl"),
            Slurp(dir_ + "/from-file/clusters.jsonl"));
  EXPECT_EQ(Slurp(dir_ + "/from-stdin/report.html"),
            Slurp(dir_ + "/from-file/report.html"));
  EXPECT_EQ(Slurp(dir_ + "/from-stdin/input/stdin.jsonl"), Slurp(file));
}

// SIGKILL in every stage (the test hook kills the process at a step of the
// stage, with no chance to clean up), then the same command again: the
// outputs are byte for byte those of a run that was never interrupted, and
// the stages finished before the kill are not run again.
TEST_F(AuditCliTest, ResumesAfterSigkillInEveryStage) {
  const std::string input = neardup::testing::WritePlanted(
      corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  const std::vector<std::string> common = {input, "--memory-limit", "64M",
                                           "--threads", "2"};
  auto args = [&](const std::string& out) {
    std::vector<std::string> a = common;
    a.insert(a.end(), {"--out", out});
    return a;
  };
  ASSERT_EQ(Audit(args(dir_ + "/clean")).exit_code, 0);
  const auto reference = AuditResults(dir_ + "/clean");
  ASSERT_THAT(Slurp(dir_ + "/clean/summary.json"),
              HasSubstr("\"stage\": \"sign\""));
  for (const std::string point :
       {"sign:1", "sign:2", "bucket:5", "verify:1", "cluster:3", "report:4"}) {
    SCOPED_TRACE(point);
    const std::string out = dir_ + "/crash-" +
                            point.substr(0, point.find(':')) +
                            point.substr(point.find(':') + 1);
    CommandResult killed = Audit(args(out), point);
    ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << killed.out << killed.err;
    CommandResult again = Audit(args(out));
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(AuditResults(out), reference);
    const std::string stage = point.substr(0, point.find(':'));
    if (stage != "sign") {
      EXPECT_THAT(Slurp(out + "/summary.json"),
                  HasSubstr("\"stage\": \"sign\", \"seconds\""));
      EXPECT_THAT(Slurp(out + "/summary.json"),
                  ::testing::ContainsRegex("\"stage\": \"sign\"[^}]*"
                                           "\"resumed\": true"));
      // The stages run again are not reported as resumed.
      EXPECT_THAT(Slurp(out + "/summary.json"),
                  ::testing::ContainsRegex("\"stage\": \"report\"[^}]*"
                                           "\"resumed\": false"));
    }
  }
}

// A kill from outside, while the first stage reports progress.
TEST_F(AuditCliTest, ResumesAfterAnOutsideKill) {
  const std::string input = neardup::testing::WritePlanted(
      corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  ASSERT_EQ(Audit({input, "--out", dir_ + "/clean"}).exit_code, 0);
  {
    neardup::testing::Subprocess audit(
        {NEARDUP_CLI_PATH, "audit", input, "--out", dir_ + "/killed",
         "--progress=json", "--threads", "1", "--memory-limit", "64M"});
    ASSERT_TRUE(audit.running());
    ASSERT_NE(audit.ReadLineContaining("\"stage\":"), "");
    audit.Signal(SIGKILL);
    audit.Wait();
  }
  ASSERT_EQ(Audit({input, "--out", dir_ + "/killed", "--threads", "1",
                   "--memory-limit", "64M"})
                .exit_code,
            0);
  EXPECT_EQ(AuditResults(dir_ + "/killed"), AuditResults(dir_ + "/clean"));
}

TEST_F(AuditCliTest, BadInputIsNamedOrCounted) {
  const std::string bad = dir_ + "/bad";
  std::filesystem::create_directories(bad + "/empty");
  const std::string ok_line = "{\"id\":\"ok\",\"text\":\"" +
                              neardup::testing::GeneratedText(1, 60) + "\"}\n";
  std::string gz = neardup::testing::GzipMember(ok_line + ok_line);
  gz.resize(gz.size() - 10);
  std::ofstream(bad + "/truncated.jsonl.gz", std::ios::binary) << gz;
  std::ofstream(bad + "/notjson.jsonl") << ok_line << "{not json\n";
  std::ofstream(bad + "/notext.jsonl") << ok_line << "{\"id\":\"x\"}\n";
  // Mostly UTF-8 (so not read as a legacy charset), one broken sequence.
  std::ofstream(bad + "/utf8.txt", std::ios::binary)
      << "\xe4\xb8\xad\xe6\x96\x87 words \xc3\x28 \xe4\xb8\xad\xe6\x96\x87";
  const std::string block = "not the declared length";
  std::ofstream(bad + "/length.warc", std::ios::binary)
      << "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: urn:a\r\n"
         "Content-Type: text/plain\r\nContent-Length: 999\r\n\r\n"
      << block << "\r\n\r\n";
  struct Case {
    std::string input, message;
  };
  for (const Case& c : std::vector<Case>{
           {bad + "/truncated.jsonl.gz", "truncated.jsonl.gz: truncated gzip"},
           {bad + "/notjson.jsonl", "notjson.jsonl:2: not valid JSON"},
           {bad + "/notext.jsonl", "notext.jsonl:2: no \"text\" field"},
           {bad + "/utf8.txt",
            "utf8.txt: content is not valid UTF-8 at "
            "byte offset 13"},
           {bad + "/length.warc",
            "length.warc: record 1 at byte offset 0: "
            "Content-Length 999 runs past"},
           {bad + "/empty", "directory holds no files: " + bad + "/empty"}}) {
    SCOPED_TRACE(c.input);
    CommandResult r = Audit({c.input, "--out", dir_ + "/o"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr(c.message));
    std::filesystem::remove_all(dir_ + "/o");
  }
  // --skip-bad: counted, the rest audited.
  CommandResult r =
      Audit({bad + "/truncated.jsonl.gz", bad + "/notjson.jsonl",
             bad + "/notext.jsonl", bad + "/utf8.txt", bad + "/length.warc",
             "--out", dir_ + "/skip", "--skip-bad"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string summary = Slurp(dir_ + "/skip/summary.json");
  EXPECT_THAT(summary, HasSubstr("\"bad_documents\": 3"));
  EXPECT_THAT(summary, HasSubstr("\"damaged_files\": 2"));
  EXPECT_THAT(summary, HasSubstr("notjson.jsonl:2: not valid JSON"));
  EXPECT_THAT(r.out, HasSubstr("skipped 3 unreadable documents and 2 damaged"));
}

TEST_F(AuditCliTest, UsageErrorsAndOutputModes) {
  const std::string input = neardup::testing::WritePlanted(
      corpus_, dir_ + "/in", PlantedFormat::kJsonl);
  EXPECT_EQ(Audit({input}).exit_code, 2);                 // no --out
  EXPECT_EQ(Audit({"--out", dir_ + "/x"}).exit_code, 2);  // no input
  EXPECT_EQ(Audit({input, "--out", dir_ + "/x", "--keep", "best"}).exit_code,
            2);
  EXPECT_EQ(Audit({input, "-c", "coll", "--out", dir_ + "/x"}).exit_code, 2);
  EXPECT_EQ(
      Audit({input, "--out", dir_ + "/x", "--threshold", "1.5"}).exit_code, 2);
  CommandResult r = Audit({input, "--out", dir_ + "/q", "--quiet"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  r = Audit({input, "--out", dir_ + "/j", "--progress=json"});
  ASSERT_EQ(r.exit_code, 0);
  // One JSON object per line; every stage ends with a finished line.
  std::istringstream lines(r.err);
  std::string line;
  std::vector<std::string> finished;
  const std::regex stage(
      "^\\{\"stage\":\"([a-z]+)\",.*\"finished\":(true|false)");
  while (std::getline(lines, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, stage)) << line;
    if (m[2] == "true") finished.push_back(m[1]);
  }
  EXPECT_EQ(finished, (std::vector<std::string>{"sign", "bucket", "verify",
                                                "cluster", "report"}));
  // --json: summary.json on standard output.
  r = RunCommand(
      {NEARDUP_CLI_PATH, "--json", "audit", input, "--out", dir_ + "/j"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("\"clusters\": 13"));
}

// The collection audit through the server gives the local audit's
// clusters for the same documents, and runs while writes go on.
TEST_F(AuditCliTest, CollectionAuditMatchesTheLocalAudit) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string& address = address_;
  v1::CollectionParams params;
  params.set_passages(true);  // stored texts: the report's side-by-side
  ASSERT_THAT(client_->CreateCollection("audit", params), IsOk());
  // A few hundred documents: the families, the chain and some others.
  PlantedCorpus small = neardup::testing::MakePlantedCorpus(7, 8, 200);
  const std::string files = neardup::testing::WritePlanted(
      small, dir_ + "/in", PlantedFormat::kFiles);
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(files)) {
    paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());  // the local reader's order
  for (const std::string& p : paths) {
    v1::AddRequest req;
    req.set_collection("audit");
    req.mutable_document()->set_id(p);
    req.mutable_document()->set_content(Slurp(p));
    if (p.size() > 5 && p.substr(p.size() - 5) == ".html") {
      req.mutable_document()->set_content_type("text/html");
    }
    ASSERT_THAT(client_->Add(req), IsOk());
  }
  ASSERT_EQ(Audit({files, "--out", dir_ + "/local"}).exit_code, 0);
  // Writes go on during the audit; they are not seen.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 200 && !stop.load(); ++i) {
      v1::AddRequest req;
      req.set_collection("audit");
      req.mutable_document()->set_id(absl::StrCat("late", i));
      req.mutable_document()->set_content(
          neardup::testing::GeneratedText(90000 + i, 120));
      client_->Add(req).IgnoreError();  // racing the audit: may fail late
    }
  });
  CommandResult r = RunCommand({NEARDUP_CLI_PATH, "--server", address, "audit",
                                "-c", "audit", "--out", dir_ + "/online"});
  stop.store(true);
  writer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Slurp(dir_ + "/online/clusters.jsonl"),
            Slurp(dir_ + "/local/clusters.jsonl"));
  EXPECT_EQ(Slurp(dir_ + "/online/duplicates.tsv"),
            Slurp(dir_ + "/local/duplicates.tsv"));
  EXPECT_THAT(Slurp(dir_ + "/online/report.html"),
              HasSubstr("<mark class=\"passage\""));
  EXPECT_THAT(Slurp(dir_ + "/online/summary.json"),
              HasSubstr("\"collection\": \"audit\""));
  // A local audit's directory is not overwritten by a collection's.
  r = RunCommand({NEARDUP_CLI_PATH, "--server", address, "audit", "-c", "audit",
                  "--out", dir_ + "/local"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("holds a local audit"));
  // Bad requests: an unknown collection, exact without stored texts.
  r = RunCommand({NEARDUP_CLI_PATH, "--server", address, "audit", "-c", "nope",
                  "--out", dir_ + "/x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND: collection not found: nope"));
  ASSERT_THAT(client_->CreateCollection("plain", {}), IsOk());
  v1::AddRequest req;
  req.set_collection("plain");
  req.mutable_document()->set_id("one");
  req.mutable_document()->set_content(neardup::testing::GeneratedText(3, 50));
  ASSERT_THAT(client_->Add(req), IsOk());
  r = RunCommand({NEARDUP_CLI_PATH, "--server", address, "audit", "-c", "plain",
                  "--exact", "--out", dir_ + "/x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION: exact verification"));
}

// `neardup collections import`: an audit's signed corpus, the same
// corpus signed by the CLI, and the survivors only. Each imported
// collection answers every Check exactly as the documents added one by
// one do; the survivors are the documents duplicates.tsv does not list,
// and no two of them are near copies.
TEST_F(AuditCliTest, ImportAnswersAsAddingOneByOne) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string& address = address_;
  PlantedCorpus small = neardup::testing::MakePlantedCorpus(11, 10, 300);
  const std::string jsonl = neardup::testing::WritePlanted(
      small, dir_ + "/in", PlantedFormat::kJsonl);
  ASSERT_EQ(Audit({jsonl, "--out", dir_ + "/audit"}).exit_code, 0);
  auto import = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {NEARDUP_CLI_PATH, "--server", address,
                                     "collections", "import"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  };
  CommandResult r = import({"signed", dir_ + "/audit"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("imported ", small.docs.size())));
  r = import({"signed-here", jsonl, "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = import({"survivors", dir_ + "/audit", "--survivors-only", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  ASSERT_THAT(client_->CreateCollection("added", {}), IsOk());
  for (const auto& d : small.docs) {
    v1::AddRequest req;
    req.set_collection("added");
    req.mutable_document()->set_id(d.name);
    req.mutable_document()->set_content(d.content);
    ASSERT_THAT(client_->Add(req), IsOk());
  }
  auto answer = [&](const std::string& collection, const std::string& text) {
    v1::CheckRequest req;
    req.set_collection(collection);
    req.set_top_k(50);
    req.mutable_document()->set_content(text);
    auto resp = client_->Check(req);
    EXPECT_THAT(resp, IsOk());
    return resp.ok() ? resp->DebugString() : "";
  };
  for (const auto& d : small.docs) {
    const std::string added = answer("added", d.content);
    EXPECT_EQ(answer("signed", d.content), added) << d.name;
    EXPECT_EQ(answer("signed-here", d.content), added) << d.name;
  }

  // The survivors: every document but those duplicates.tsv lists.
  std::set<std::string> removed;
  std::istringstream dups(Slurp(dir_ + "/audit/duplicates.tsv"));
  std::string line;
  std::getline(dups, line);  // header
  while (std::getline(dups, line))
    removed.insert(line.substr(0, line.find('\t')));
  ASSERT_FALSE(removed.empty());
  auto survivors = client_->GetCollection("survivors");
  ASSERT_THAT(survivors, IsOk());
  EXPECT_EQ(survivors->document_count(), small.docs.size() - removed.size());
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("\"documents\":\"",
                                            survivors->document_count(),
                                            "\",\"duplicate_ids\":\"0\"")));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("\"not_kept\":", removed.size(),
                                            ",\"unreadable\":0,")));
  for (const auto& d : small.docs) {
    EXPECT_EQ(client_->Get("survivors", d.name).ok(),
              removed.count(d.name) == 0)
        << d.name;
  }
  r = RunCommand({NEARDUP_CLI_PATH, "--server", address, "audit", "-c",
                  "survivors", "--out", dir_ + "/survivors-audit"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Slurp(dir_ + "/survivors-audit/clusters.jsonl"), "");

  // A collection with passages, from the corpus: Search finds a document
  // by a passage of it. From an audit (no texts): refused.
  v1::CollectionParams with_passages;
  with_passages.set_passages(true);
  ASSERT_THAT(client_->CreateCollection("passages", with_passages), IsOk());
  r = import({"passages", dir_ + "/audit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("import the audit's inputs instead"));
  r = import({"passages", jsonl});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const PlantedDoc& solo = small.docs.back();
  ASSERT_TRUE(solo.family.empty()) << solo.name;
  v1::SearchRequest search;
  search.set_collection("passages");
  search.mutable_document()->set_content(
      solo.content.substr(solo.content.size() / 3, solo.content.size() / 3));
  auto found = client_->Search(search);
  ASSERT_THAT(found, IsOk());
  ASSERT_FALSE(found->sources().empty());
  EXPECT_EQ(found->sources(0).id(), solo.name);

  // Pages signed by the CLI are stored as their extracted text, as the
  // server stores a page sent one by one: Search answers alike, with
  // offsets into the pages as sent.
  const std::string pages_file = dir_ + "/pages.jsonl";
  v1::CollectionParams passages_params;
  passages_params.set_passages(true);
  ASSERT_THAT(client_->CreateCollection("pages-added", passages_params),
              IsOk());
  ASSERT_THAT(client_->CreateCollection("pages", passages_params), IsOk());
  {
    std::ofstream pages(pages_file);
    for (size_t i = 0; i < 4; ++i) {
      const std::string page = absl::StrCat(
          "<html><head><style>p{margin:0}</style></head><body><nav>"
          "<a href=/>Home</a></nav><p>",
          absl::StrReplaceAll(small.docs[i].content,
                              {{"\n", "</p><p>"}, {"\"", ""}, {"\\", ""}}),
          "</p></body></html>");
      const std::string id = absl::StrCat("page", i);
      pages << "{\"id\":\"" << id << "\",\"text\":\"" << page << "\"}\n";
      v1::AddRequest add;
      add.set_collection("pages-added");
      add.mutable_document()->set_id(id);
      add.mutable_document()->set_content(page);
      ASSERT_THAT(client_->Add(add), IsOk());
    }
  }
  r = import({"pages", pages_file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  search.set_collection("pages");
  search.mutable_document()->set_content(small.docs[2].content);
  search.set_return_source_text(true);
  auto imported_found = client_->Search(search);
  search.set_collection("pages-added");
  auto added_found = client_->Search(search);
  ASSERT_THAT(imported_found, IsOk());
  ASSERT_THAT(added_found, IsOk());
  ASSERT_FALSE(imported_found->sources().empty());
  // (pages 0-3 may be near copies of each other: page2 among them)
  EXPECT_THAT(imported_found->DebugString(), HasSubstr("id: \"page2\""));
  EXPECT_EQ(imported_found->sources(0).text().find('<'), std::string::npos);
  EXPECT_GT(imported_found->sources(0).passages(0).source_byte_start(), 40u);
  EXPECT_EQ(imported_found->DebugString(), added_found->DebugString());

  // Refused: a collection that holds documents, an unfinished audit.
  r = import({"added", dir_ + "/audit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION: collection added holds"));
  std::filesystem::remove(dir_ + "/audit/cluster.done");
  r = import({"fresh", dir_ + "/audit", "--survivors-only"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("has not finished its cluster stage"));
  r = import({"fresh", jsonl, "--survivors-only"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--survivors-only needs the directory"));
}

TEST_F(AuditCliTest, ReportInChromium) {
  const std::string input = neardup::testing::WritePlanted(
      corpus_, dir_ + "/in", PlantedFormat::kFiles);
  ASSERT_EQ(Audit({input, "--out", dir_ + "/out"}).exit_code, 0);
  CommandResult r =
      RunCommand({"/usr/bin/timeout", "120", "/usr/bin/chromium", "--headless",
                  "--no-sandbox", "--disable-gpu", "--dump-dom",
                  "file://" + dir_ + "/out/report.html"});
  if (r.exit_code == 127) {
    GTEST_SKIP() << "chromium is not installed (deploy/install-deps.sh "
                    "installs it)";
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& dom = r.out;
  // The summary as Chromium parsed it.
  EXPECT_THAT(dom, HasSubstr("<td data-key=\"documents\">3,"));
  EXPECT_THAT(dom, HasSubstr("<td data-key=\"clusters\">13</td>"));
  // The histogram: ten bars.
  std::regex bar(
      "<rect class=\"bar\" data-sizes=\"([0-9+-]+)\" "
      "data-clusters=\"([0-9]+)\"");
  std::map<std::string, int> bars;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), bar);
       it != std::sregex_iterator(); ++it) {
    bars[(*it)[1]] = std::stoi((*it)[2]);
  }
  EXPECT_EQ(bars.size(), 10u);
  EXPECT_EQ(bars["5"], 12);  // the families
  EXPECT_EQ(bars["2"], 1);   // the Chinese pair
  // The largest clusters with their members, and each one's side by side
  // view, passage 0 highlighted on both sides.
  const std::regex section("<section class=\"cluster\"");
  const size_t sections =
      std::distance(std::sregex_iterator(dom.begin(), dom.end(), section),
                    std::sregex_iterator());
  EXPECT_EQ(sections, 13u);
  EXPECT_THAT(dom, HasSubstr("least similar member"));
  const std::regex mark("<mark class=\"passage\" data-passage=\"0\"");
  const size_t marks =
      std::distance(std::sregex_iterator(dom.begin(), dom.end(), mark),
                    std::sregex_iterator());
  EXPECT_GE(marks, 2u * 12);
}

}  // namespace
}  // namespace neardup
