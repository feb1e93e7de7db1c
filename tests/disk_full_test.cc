// A full disk, for real: neardupd on a small tmpfs, filled until writes
// fail. Each run checks that the failure is a clean RESOURCE_EXHAUSTED
// (no abort, no other code), that reads go on, that writes come back by
// themselves once space is freed, and that every document acknowledged
// before, during and after is there after a restart. Twenty runs (each a
// test of its own, filling the disk at a different moment), and one with
// the free-space floor. Needs root (mount); skipped otherwise.

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::neardup::testing::Subprocess;
using ::testing::HasSubstr;

constexpr int kTmpfsMb = 48;

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = neardup::testing::MakeScratchDir("diskfull");
    mnt_ = dir_ + "/mnt";
    std::filesystem::create_directories(mnt_);
    const std::string size = absl::StrCat("size=", kTmpfsMb, "m");
    if (mount("tmpfs", mnt_.c_str(), "tmpfs", 0, size.c_str()) != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << strerror(errno)
                   << "; the full-disk test runs in CI, as root";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) umount2(mnt_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(dir_);
  }

  // Leaves about `free_mb` MiB free on the tmpfs with a filler file.
  void Fill(int free_mb) {
    std::ofstream out(mnt_ + "/filler", std::ios::binary | std::ios::trunc);
    const std::string block(1 << 20, 'x');
    const std::filesystem::space_info space = std::filesystem::space(mnt_);
    const auto blocks = static_cast<int64_t>(space.available >> 20) - free_mb;
    for (int64_t i = 0; i < blocks; ++i) out << block;
  }
  void Unfill() { std::filesystem::remove(mnt_ + "/filler"); }

  std::string dir_, mnt_;
  bool mounted_ = false;
};

std::unique_ptr<client::Client> Connect(int port) {
  client::Client::Options options;
  options.timeout = absl::Seconds(30);
  auto c = client::Client::Connect(absl::StrCat("127.0.0.1:", port), options);
  EXPECT_THAT(c, IsOk());
  return c.ok() ? std::move(*c) : nullptr;
}

absl::Status AddDoc(client::Client* c, int n) {
  v1::AddRequest req;
  req.set_collection("c");
  req.mutable_document()->set_id(absl::StrCat("doc-", n));
  req.mutable_document()->set_content(
      neardup::testing::GeneratedText(100000 + n, 6000));
  return c->Add(req).status();
}

class DiskFullRunTest : public DiskFullTest,
                        public ::testing::WithParamInterface<int> {};

TEST_P(DiskFullRunTest, FullDiskIsResourceExhaustedAndWritesResume) {
  {
    const int run = GetParam();
    const std::string db = absl::StrCat(mnt_, "/db", run);
    std::vector<int> acknowledged;
    int next = 0;
    {
      Subprocess daemon({NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0",
                         "--min_free_mb", "0", "--write_buffer_mb", "8"});
      const int port = daemon.ReadListeningPort();
      ASSERT_GT(port, 0) << daemon.output();
      auto client = Connect(port);
      ASSERT_THAT(client->CreateCollection("c", {}), IsOk());
      // A little room, varied per run so the disk fills at different
      // moments: in the log, in a flush, in a compaction.
      Fill(1 + run % 3);
      const absl::Time start = absl::Now();
      absl::Status failed;
      for (int i = 0; i < 20000 && failed.ok(); ++i, ++next) {
        failed = AddDoc(client.get(), next);
        if (failed.ok()) acknowledged.push_back(next);
      }
      if (!absl::IsResourceExhausted(failed)) {
        client.reset();
        daemon.Signal(SIGTERM);
        const int status = daemon.Wait();
        FAIL() << "a write failed with " << failed << ", not "
               << "RESOURCE_EXHAUSTED; neardupd exited with " << status << ":\n"
               << daemon.output();
      }
      // Refused again at once, not hanging, and reads go on.
      EXPECT_THAT(AddDoc(client.get(), next++),
                  StatusIs(absl::StatusCode::kResourceExhausted));
      if (!acknowledged.empty()) {
        EXPECT_THAT(client->Get("c", absl::StrCat("doc-", acknowledged[0])),
                    IsOk());
      }
      // Room again: writes come back without a restart (RocksDB's
      // recovery runs in the background; a write also resumes it).
      const absl::Time full = absl::Now();
      Unfill();
      absl::Status resumed = absl::UnknownError("not tried");
      const absl::Time end = absl::Now() + absl::Seconds(60);
      while (!resumed.ok() && absl::Now() < end) {
        resumed = AddDoc(client.get(), next);
        if (resumed.ok()) acknowledged.push_back(next);
        ++next;
      }
      ASSERT_THAT(resumed, IsOk()) << daemon.output();
      std::cout << "run " << run << ": " << acknowledged.size()
                << " documents acknowledged, disk full after "
                << absl::FormatDuration(full - start) << ", writes back after "
                << absl::FormatDuration(absl::Now() - full) << " ("
                << failed.message() << ")\n";
      client.reset();
      daemon.Signal(SIGTERM);
      ASSERT_EQ(daemon.Wait(), 0) << daemon.output();
    }
    // Nothing acknowledged was lost.
    Subprocess again({NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0",
                      "--min_free_mb", "0"});
    const int port = again.ReadListeningPort();
    ASSERT_GT(port, 0) << again.output();
    auto client = Connect(port);
    auto info = client->GetCollection("c");
    ASSERT_THAT(info, IsOk());
    EXPECT_EQ(info->document_count(), acknowledged.size());
    for (int n : acknowledged) {
      ASSERT_THAT(client->Get("c", absl::StrCat("doc-", n)), IsOk()) << n;
    }
    client.reset();
    again.Signal(SIGTERM);
    ASSERT_EQ(again.Wait(), 0) << again.output();
    std::filesystem::remove_all(db);
  }
}

INSTANTIATE_TEST_SUITE_P(TwentyRuns, DiskFullRunTest, ::testing::Range(0, 20));

TEST_F(DiskFullTest, FreeSpaceFloorRefusesWritesBeforeTheDiskIsFull) {
  Subprocess daemon({NEARDUPD_PATH, "--db", mnt_ + "/db", "--listen",
                     "127.0.0.1:0", "--min_free_mb", "16", "--write_buffer_mb",
                     "8"});
  const int port = daemon.ReadListeningPort();
  ASSERT_GT(port, 0) << daemon.output();
  auto client = Connect(port);
  ASSERT_THAT(client->CreateCollection("c", {}), IsOk());
  ASSERT_THAT(AddDoc(client.get(), 0), IsOk());
  Fill(12);
  EXPECT_THAT(AddDoc(client.get(), 1),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("below the floor of 16 MiB")));
  EXPECT_THAT(client->Get("c", "doc-0"), IsOk());
  Unfill();
  EXPECT_THAT(AddDoc(client.get(), 1), IsOk());
  client.reset();
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.output();
}

}  // namespace
}  // namespace neardup
