// The operator's rpcs end to end: Verify while serving, online backups,
// and a restore (offline, through the CLI) that serves the same documents
// and verifies clean. The real NearDupServer on 127.0.0.1:0, with tokens.

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/index/store.h"
#include "service/server/server.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kAdmin[] = "admin-token-0123456789abcdef";
constexpr char kWriter[] = "writer-token-0123456789abcd";

class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("ops");
    std::ofstream(dir_ + "/tokens") << "ops " << kAdmin << " admin:*\n"
                                    << "crawler " << kWriter << " write:*\n";
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Start(const std::string& db, const std::string& backups) {
    server_.reset();
    server::NearDupServer::Options options;
    options.db_path = db;
    options.listen = "127.0.0.1:0";
    options.token_file = dir_ + "/tokens";
    options.backup_dir = backups;
    auto server = server::NearDupServer::Start(options);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    admin_ = Client(kAdmin);
    writer_ = Client(kWriter);
  }

  std::unique_ptr<client::Client> Client(const std::string& token) {
    client::Client::Options options;
    options.token = token;
    auto c = client::Client::Connect(
        absl::StrCat("127.0.0.1:", server_->port()), options);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? std::move(*c) : nullptr;
  }

  void AddDocs(int from, int to) {
    for (int i = from; i < to; ++i) {
      v1::AddRequest req;
      req.set_collection("c");
      req.mutable_document()->set_id(absl::StrCat("doc-", i));
      req.mutable_document()->set_content(
          neardup::testing::GeneratedText(300 + i, 200));
      ASSERT_THAT(writer_->Add(req), IsOk()) << i;
    }
  }

  std::string dir_;
  std::unique_ptr<server::NearDupServer> server_;
  std::unique_ptr<client::Client> admin_, writer_;
};

TEST_F(OperationsTest, VerifyWhileServingNeedsAdmin) {
  Start(dir_ + "/db", "");
  ASSERT_THAT(admin_->CreateCollection("c", {}), IsOk());
  AddDocs(0, 40);
  auto report = admin_->Verify();
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(report->collections(), 1u);
  EXPECT_EQ(report->documents(), 40u);
  EXPECT_GT(report->index_keys(), 40u);
  EXPECT_THAT(writer_->Verify(), StatusIs(absl::StatusCode::kPermissionDenied,
                                          HasSubstr("no admin access")));
  EXPECT_THAT(admin_->Backup({}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("--backup_dir")));
}

TEST_F(OperationsTest, BackupsRestoreToTheDocumentsOfTheirMoment) {
  const std::string backups = dir_ + "/backups";
  Start(dir_ + "/db", backups);
  ASSERT_THAT(admin_->CreateCollection("c", {}), IsOk());
  AddDocs(0, 30);
  v1::BackupRequest verify;
  verify.set_verify(true);
  auto first = admin_->Backup(verify);
  ASSERT_THAT(first, IsOk());
  EXPECT_GT(first->files(), 0u);
  AddDocs(30, 50);  // after the first backup, in the second
  auto second = admin_->Backup({});
  ASSERT_THAT(second, IsOk());
  EXPECT_GT(second->id(), first->id());
  auto list = admin_->ListBackups();
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->backups_size(), 2);
  EXPECT_EQ(list->backups(0).id(), first->id());
  EXPECT_THAT(writer_->Backup({}),
              StatusIs(absl::StatusCode::kPermissionDenied));

  // Restore the first with the CLI, offline, into a new directory.
  const std::string restored = dir_ + "/restored";
  neardup::testing::CommandResult r = neardup::testing::RunCommand(
      {NEARDUP_CLI_PATH, "admin", "restore", backups, restored, "--id",
       absl::StrCat(first->id())});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("restored backup ", first->id())));
  // Not over a database.
  r = neardup::testing::RunCommand(
      {NEARDUP_CLI_PATH, "admin", "restore", backups, restored});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not empty"));

  // The restored database verifies clean offline and serves the 30.
  {
    index::Store::Options options;
    options.path = restored;
    options.read_only = true;
    auto store = index::Store::Open(options);
    ASSERT_THAT(store, IsOk());
    auto report = (*store)->Verify();
    ASSERT_THAT(report, IsOk());
    EXPECT_TRUE(report->ok());
    EXPECT_EQ(report->documents, 30u);
  }
  Start(restored, "");
  EXPECT_EQ(admin_->GetCollection("c")->document_count(), 30u);
  EXPECT_THAT(admin_->Get("c", "doc-29"), IsOk());
  EXPECT_THAT(admin_->Get("c", "doc-30"),
              StatusIs(absl::StatusCode::kNotFound));
  v1::CheckRequest check;
  check.set_collection("c");
  check.mutable_document()->set_content(
      neardup::testing::GeneratedText(300 + 7, 200));
  auto found = admin_->Check(check);
  ASSERT_THAT(found, IsOk());
  ASSERT_GE(found->matches_size(), 1);
  EXPECT_EQ(found->matches(0).id(), "doc-7");
}

}  // namespace
}  // namespace neardup
