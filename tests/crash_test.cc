// Crash test: a real neardupd ingests a stream of documents from four
// client threads and is killed with SIGKILL at a random moment, several
// times over. After every kill: the database verifies clean (no orphan or
// missing index key: Store::Verify), and after every restart each
// acknowledged document is found by Get and by Check.
//
// BulkImportIsAllOrNothing: the same for a bulk import.
// DamagedWriteAheadLogIsRefusedNotDropped: a log damaged after a kill is
// reported and refused, never dropped silently; --salvage opens the rest.
//
// Cycles: 5, or NEARDUP_CRASH_CYCLES (the longer run: deploy/crash-test.sh).
// Kill moments are drawn from a fixed seed: after 20-150 further
// acknowledgements, with writes in flight.

#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/index/store.h"
#include "tests/testing/corpus.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using ::neardup::testing::GeneratedText;
using ::neardup::testing::IsOk;
using ::neardup::testing::Subprocess;

std::string DocId(int n) { return absl::StrCat("doc-", n); }
std::string DocText(int n) { return GeneratedText(50000 + n, 80); }

int Cycles() {
  const char* env = std::getenv("NEARDUP_CRASH_CYCLES");
  int n = 0;
  return env != nullptr && absl::SimpleAtoi(env, &n) && n > 0 ? n : 5;
}

TEST(CrashTest, AcknowledgedDocumentsSurviveSigkill) {
  const std::string dir = neardup::testing::MakeScratchDir("crash");
  const std::string db = dir + "/db";
  std::mt19937_64 rng(20261125);
  std::vector<int> acked;    // documents the server acknowledged
  std::atomic<int> next{0};  // next document number to send
  const int cycles = Cycles();
  for (int cycle = 0; cycle <= cycles; ++cycle) {
    Subprocess daemon({NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(daemon.running());
    const int port = daemon.ReadListeningPort();
    ASSERT_GT(port, 0) << daemon.output();
    client::Client::Options options;
    options.timeout = absl::Seconds(20);
    auto client =
        client::Client::Connect(absl::StrCat("127.0.0.1:", port), options);
    ASSERT_THAT(client, IsOk());
    if (cycle == 0) {
      ASSERT_THAT((*client)->CreateCollection("c", {}), IsOk());
    }
    // Everything acknowledged before the last kill is there.
    for (int n : acked) {
      ASSERT_THAT((*client)->Get("c", DocId(n)), IsOk()) << "cycle " << cycle;
      v1::CheckRequest check;
      check.set_collection("c");
      check.mutable_document()->set_content(DocText(n));
      auto r = (*client)->Check(check);
      ASSERT_THAT(r, IsOk());
      ASSERT_FALSE(r->matches().empty()) << DocId(n);
      EXPECT_EQ(r->matches(0).id(), DocId(n));
      EXPECT_TRUE(r->matches(0).exact());
    }
    if (cycle == cycles) {
      client->reset();
      daemon.Signal(SIGTERM);
      EXPECT_EQ(daemon.Wait(), 0) << daemon.output();
      break;
    }

    // Ingest until `target` more acknowledgements, then kill.
    const int target = 20 + static_cast<int>(rng() % 131);
    std::mutex mu;
    std::condition_variable acked_more;
    int new_acks = 0;
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&] {
        // Bounded: stops at the first error (the kill) or after 2,000.
        for (int i = 0; i < 2000; ++i) {
          const int n = next.fetch_add(1);
          v1::AddRequest add;
          add.set_collection("c");
          add.mutable_document()->set_id(DocId(n));
          add.mutable_document()->set_content(DocText(n));
          if (!(*client)->Add(add).ok()) return;
          std::lock_guard<std::mutex> lock(mu);
          acked.push_back(n);
          ++new_acks;
          acked_more.notify_all();
        }
      });
    }
    bool reached = false;
    {
      std::unique_lock<std::mutex> lock(mu);
      reached = acked_more.wait_for(lock, std::chrono::seconds(120),
                                    [&] { return new_acks >= target; });
    }
    daemon.Signal(SIGKILL);  // with the writers' next calls in flight
    // Joined before any assertion can return: destroying a running
    // std::thread would abort the whole test binary.
    for (auto& w : writers) w.join();
    ASSERT_TRUE(reached) << "only " << new_acks << " of " << target
                         << " acknowledged";
    EXPECT_EQ(daemon.Wait(), 128 + SIGKILL);
    client->reset();

    // The database as the kill left it: nothing missing, nothing orphaned.
    index::Store::Options store_options;
    store_options.path = db;
    auto store = index::Store::Open(store_options);
    ASSERT_THAT(store, IsOk());
    auto report = (*store)->Verify();
    ASSERT_THAT(report, IsOk());
    EXPECT_TRUE(report->ok()) << "cycle " << cycle << ": "
                              << ::testing::PrintToString(report->problems);
    EXPECT_GE(report->documents, acked.size());
  }
  // The operator's check of the final database.
  const neardup::testing::CommandResult verify =
      neardup::testing::RunCommand({NEARDUPD_PATH, "--verify", "--db", db});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, ::testing::StartsWith("clean: 1 collections"));
  std::filesystem::remove_all(dir);
}

// The files of a database that hold data (not RocksDB's info LOG), with
// their contents: what a read-only check must leave as it found.
std::map<std::string, std::string> DataFiles(const std::string& db) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(db)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("LOG", 0) == 0) continue;
    out[name] = neardup::testing::Slurp(e.path().string());
  }
  return out;
}

// Acknowledged documents, then a kill, then 16 bytes of the write-ahead
// log overwritten in its middle: RocksDB's default recovery would open
// the database without every document after the damage and report it
// only in its own LOG. neardupd refuses instead, --verify reports it
// without changing a file, and --salvage opens what is left, loudly.
TEST(CrashTest, DamagedWriteAheadLogIsRefusedNotDropped) {
  const std::string dir = neardup::testing::MakeScratchDir("wal_damage");
  const std::string db = dir + "/db";
  constexpr int kDocs = 3000;
  {
    Subprocess daemon({NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0"});
    const int port = daemon.ReadListeningPort();
    ASSERT_GT(port, 0) << daemon.output();
    auto client = client::Client::Connect(absl::StrCat("127.0.0.1:", port));
    ASSERT_THAT(client, IsOk());
    ASSERT_THAT((*client)->CreateCollection("c", {}), IsOk());
    for (int n = 0; n < kDocs; ++n) {
      v1::AddRequest add;
      add.set_collection("c");
      add.mutable_document()->set_id(DocId(n));
      add.mutable_document()->set_content(DocText(n));
      ASSERT_THAT((*client)->Add(add), IsOk());
    }
    daemon.Signal(SIGKILL);
    EXPECT_EQ(daemon.Wait(), 128 + SIGKILL);
  }
  // Every document is in the log only (the memtables were never flushed).
  std::string log;
  uintmax_t largest = 0;
  for (const auto& e : std::filesystem::directory_iterator(db)) {
    if (e.path().extension() == ".log" && e.file_size() > largest) {
      largest = e.file_size();
      log = e.path().string();
    }
  }
  ASSERT_GT(largest, 100000u) << "no write-ahead log holding the documents";
  {
    std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(largest / 2));
    f.write("!!damage here!!!", 16);
    ASSERT_TRUE(f.good());
  }
  const std::map<std::string, std::string> before = DataFiles(db);

  // The check reports the damage and the way out, and changes nothing.
  neardup::testing::CommandResult verify =
      neardup::testing::RunCommand({NEARDUPD_PATH, "--verify", "--db", db});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_THAT(verify.out, ::testing::StartsWith("DAMAGED: database "));
  EXPECT_THAT(verify.out, ::testing::HasSubstr("--salvage"));
  EXPECT_TRUE(DataFiles(db) == before) << "--verify changed the database";

  // Serving is refused, naming the damage and the way out.
  {
    Subprocess daemon({NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0"});
    EXPECT_EQ(daemon.ReadListeningPort(), 0);
    EXPECT_EQ(daemon.Wait(), 1);
    EXPECT_THAT(daemon.output(), ::testing::HasSubstr("is damaged: "));
    EXPECT_THAT(daemon.output(), ::testing::HasSubstr("--salvage"));
  }
  EXPECT_TRUE(DataFiles(db) == before) << "a refused start changed it";

  // What salvaging would keep: fewer documents, all consistent.
  verify = neardup::testing::RunCommand(
      {NEARDUPD_PATH, "--verify", "--salvage", "--db", db});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, ::testing::StartsWith("clean: 1 collections, "));
  EXPECT_THAT(verify.err, ::testing::HasSubstr("salvaging: "));
  EXPECT_TRUE(DataFiles(db) == before) << "--verify --salvage changed it";

  // Salvaged: served without the documents after the damage, loudly.
  uint64_t kept = 0;
  {
    Subprocess daemon(
        {NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0", "--salvage"});
    const int port = daemon.ReadListeningPort();
    ASSERT_GT(port, 0) << daemon.output();
    EXPECT_THAT(daemon.output(), ::testing::HasSubstr("salvaging: "));
    auto client = client::Client::Connect(absl::StrCat("127.0.0.1:", port));
    ASSERT_THAT(client, IsOk());
    auto c = (*client)->GetCollection("c");
    ASSERT_THAT(c, IsOk());
    kept = c->document_count();
    EXPECT_LT(kept, uint64_t{kDocs});
    // The documents kept are the first ones, whole.
    for (uint64_t n = 0; n < kept; n += 97) {
      EXPECT_THAT((*client)->Get("c", DocId(int(n))), IsOk()) << n;
    }
    client->reset();
    daemon.Signal(SIGTERM);
    EXPECT_EQ(daemon.Wait(), 0) << daemon.output();
  }
  verify =
      neardup::testing::RunCommand({NEARDUPD_PATH, "--verify", "--db", db});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, ::testing::StartsWith(absl::StrCat(
                              "clean: 1 collections, ", kept, " documents")));
  std::filesystem::remove_all(dir);
}

// Bulk import killed at each point of its life (at the first document,
// while documents arrive, with its files written but not ingested, right
// after the ingestion): after a restart the collection holds none of the
// import or all of it, the database verifies clean, and the import run
// again loads everything.
TEST(CrashTest, BulkImportIsAllOrNothing) {
  const std::string dir = neardup::testing::MakeScratchDir("crash_import");
  constexpr int kDocs = 3000;
  const std::string input = dir + "/corpus.jsonl";
  {
    std::string jsonl;
    for (int n = 0; n < kDocs; ++n) {
      absl::StrAppend(&jsonl, "{\"id\":\"", DocId(n), "\",\"text\":\"",
                      DocText(n), "\"}\n");
    }
    std::ofstream(input) << jsonl;
  }
  for (const std::string crash_at :
       {"add:1", "add:1500", "written", "ingested"}) {
    SCOPED_TRACE(crash_at);
    const std::string db = absl::StrCat(dir, "/db-", crash_at);
    {
      Subprocess daemon({"/usr/bin/env", "NEARDUP_IMPORT_CRASH_AT=" + crash_at,
                         NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0"});
      const int port = daemon.ReadListeningPort();
      ASSERT_GT(port, 0) << daemon.output();
      const neardup::testing::CommandResult r = neardup::testing::RunCommand(
          {NEARDUP_CLI_PATH, "--server", absl::StrCat("127.0.0.1:", port),
           "collections", "import", "c", input});
      EXPECT_NE(r.exit_code, 0) << r.out;  // the server died under it
      EXPECT_EQ(daemon.Wait(), 128 + SIGKILL) << daemon.output();
    }
    index::Store::Options store_options;
    store_options.path = db;
    {
      auto store = index::Store::Open(store_options);
      ASSERT_THAT(store, IsOk());
      auto c = (*store)->GetCollection("c");
      ASSERT_THAT(c, IsOk());
      // Ingested is durable: RocksDB synced the files and its manifest.
      EXPECT_EQ(c->document_count, crash_at == "ingested" ? kDocs : 0);
      auto report = (*store)->Verify();
      ASSERT_THAT(report, IsOk());
      EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
      EXPECT_EQ(report->documents, c->document_count);
      // The files of the import a crash cut short are gone.
      EXPECT_TRUE(!std::filesystem::exists(db + "/import") ||
                  std::filesystem::is_empty(db + "/import"));
      if (c->document_count == kDocs) continue;
    }
    // Nothing was imported: the import run again loads everything.
    Subprocess daemon({NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0"});
    const int port = daemon.ReadListeningPort();
    ASSERT_GT(port, 0) << daemon.output();
    const neardup::testing::CommandResult r = neardup::testing::RunCommand(
        {NEARDUP_CLI_PATH, "--server", absl::StrCat("127.0.0.1:", port),
         "collections", "import", "c", input});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, ::testing::HasSubstr("imported 3,000 documents"));
    auto client = client::Client::Connect(absl::StrCat("127.0.0.1:", port));
    ASSERT_THAT(client, IsOk());
    v1::CheckRequest check;
    check.set_collection("c");
    check.mutable_document()->set_content(DocText(1234));
    auto found = (*client)->Check(check);
    ASSERT_THAT(found, IsOk());
    ASSERT_FALSE(found->matches().empty());
    EXPECT_EQ(found->matches(0).id(), DocId(1234));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace neardup
