// Runs the real neardupd binary: startup, clear errors for a taken port or
// a locked database, and clean shutdown on SIGTERM and SIGINT.

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::Subprocess;
using ::testing::HasSubstr;

class NeardupdTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = neardup::testing::MakeScratchDir("daemon"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(NeardupdTest, ServesAndShutsDownCleanlyOnSigterm) {
  for (int sig : {SIGTERM, SIGINT}) {
    Subprocess daemon(
        {NEARDUPD_PATH, "--db", dir_ + "/db", "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(daemon.running());
    const int port = daemon.ReadListeningPort();
    ASSERT_GT(port, 0) << daemon.output();

    auto client = client::Client::Connect(absl::StrCat("127.0.0.1:", port));
    ASSERT_THAT(client, IsOk());
    if (sig == SIGTERM) {
      ASSERT_THAT((*client)->CreateCollection("c", {}), IsOk());
      v1::AddRequest req;
      req.set_collection("c");
      req.mutable_document()->set_id("d");
      req.mutable_document()->set_content("words that must survive a restart");
      ASSERT_THAT((*client)->Add(req), IsOk());
    } else {
      // Second run, same database: the acknowledged document is there.
      EXPECT_THAT((*client)->Get("c", "d"), IsOk());
    }
    // Close our idle channel first: an idle gRPC client only notices the
    // server's GOAWAY at its next backup poll (5 s), and the server's
    // graceful drain would wait for that.
    client->reset();
    daemon.Signal(sig);
    EXPECT_EQ(daemon.Wait(), 0) << daemon.output();
    EXPECT_THAT(daemon.output(), HasSubstr("shutting down"));
    EXPECT_THAT(daemon.output(), HasSubstr("stopped"));
  }
}

TEST_F(NeardupdTest, TakenPortAndLockedDatabaseAreClearErrors) {
  Subprocess first(
      {NEARDUPD_PATH, "--db", dir_ + "/db1", "--listen", "127.0.0.1:0"});
  const int port = first.ReadListeningPort();
  ASSERT_GT(port, 0) << first.output();

  Subprocess same_port({NEARDUPD_PATH, "--db", dir_ + "/db2", "--listen",
                        absl::StrCat("127.0.0.1:", port)});
  EXPECT_EQ(same_port.Wait(), 1);
  EXPECT_THAT(same_port.output(),
              HasSubstr(absl::StrCat("cannot listen on 127.0.0.1:", port)));

  Subprocess same_db(
      {NEARDUPD_PATH, "--db", dir_ + "/db1", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(same_db.Wait(), 1);
  EXPECT_THAT(same_db.output(), HasSubstr("in use by another process"));

  first.Signal(SIGTERM);
  EXPECT_EQ(first.Wait(), 0);
}

// --help lists the server's own flags (Abseil's default shows only those
// of a file named after the program, which is none), --version the release.
TEST_F(NeardupdTest, HelpListsTheFlagsAndVersionPrintsTheRelease) {
  neardup::testing::CommandResult help =
      neardup::testing::RunCommand({NEARDUPD_PATH, "--help"});
  for (const char* flag :
       {"--db", "--listen", "--salvage", "--verify", "--max_inflight_mb",
        "--large_request_kb", "--idle_timeout_s"}) {
    EXPECT_THAT(help.out + help.err, HasSubstr(flag)) << flag;
  }
  neardup::testing::CommandResult version =
      neardup::testing::RunCommand({NEARDUPD_PATH, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("neardupd 0."));
  EXPECT_THAT(version.out, HasSubstr("fingerprint version"));
}

// A TOML configuration file sets flags; the command line overrides it; a
// key that is no flag, or a value of the wrong type, stops the start with
// a message naming the file and the key.
TEST_F(NeardupdTest, ConfigurationFileSetsFlagsAndTheCommandLineWins) {
  const std::string config = dir_ + "/neardupd.toml";
  {
    std::ofstream out(config);
    out << "# test configuration\n"
        << "db = \"" << dir_ << "/from-config\"\n"
        << "listen = \"127.0.0.1:0\"\n"
        << "threads = 2\n"
        << "access_log = true\n";
  }
  {
    Subprocess daemon({NEARDUPD_PATH, "--config", config});
    ASSERT_GT(daemon.ReadListeningPort(), 0) << daemon.output();
    EXPECT_THAT(daemon.output(), HasSubstr(" db " + dir_ + "/from-config"));
    daemon.Signal(SIGTERM);
    EXPECT_EQ(daemon.Wait(), 0) << daemon.output();
  }
  {
    Subprocess daemon(
        {NEARDUPD_PATH, "--config", config, "--db", dir_ + "/from-flag"});
    ASSERT_GT(daemon.ReadListeningPort(), 0) << daemon.output();
    EXPECT_THAT(daemon.output(), HasSubstr(" db " + dir_ + "/from-flag"));
    daemon.Signal(SIGTERM);
    EXPECT_EQ(daemon.Wait(), 0) << daemon.output();
  }
  for (const auto& [line, message] :
       std::vector<std::pair<std::string, std::string>>{
           {"no_such_flag = 1", "no_such_flag is not a neardupd flag"},
           {"threads = \"many\"", "threads:"},
           {"listen = [1, 2]", "listen must be a string, number or boolean"},
           {"db = ", "neardupd.toml:1:"},
       }) {
    {
      std::ofstream out(config, std::ios::trunc);
      out << line << "\n";
    }
    neardup::testing::CommandResult r =
        neardup::testing::RunCommand({NEARDUPD_PATH, "--config", config});
    EXPECT_EQ(r.exit_code, 2) << line;
    EXPECT_THAT(r.err, HasSubstr(message)) << line;
  }
}

}  // namespace
}  // namespace neardup
