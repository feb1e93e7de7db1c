// A full disk, for real: neardupd on a small tmpfs, filled until writes
// fail. Each run checks that the failure is a clean RESOURCE_EXHAUSTED
// (no abort, no other code), that reads go on, that writes come back by
// themselves once space is freed, and that every document acknowledged
// before, during and after is there after a restart. Twenty runs with the
// free-space floor (each a test of its own, with a different room left),
// and three without it. Needs root (mount); skipped otherwise.

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

  absl::Status FillAndRecover(const std::string& db, int floor_mb, int room_mb,
                              bool* aborted);

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

// Adds documents to a neardupd on the tmpfs (free-space floor
// `floor_mb`) with `room_mb` MiB left above the floor until a write fails,
// frees the space, adds more until one succeeds, stops it, and checks that
// a restarted neardupd has every document acknowledged. Returns how the
// first failed write ended; `aborted` is set if the server died on it.
absl::Status DiskFullTest::FillAndRecover(const std::string& db, int floor_mb,
                                          int room_mb, bool* aborted) {
  std::vector<int> acknowledged;
  int next = 0;
  absl::Status failed;
  *aborted = false;
  {
    Subprocess daemon({NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0",
                       "--min_free_mb", absl::StrCat(floor_mb),
                       "--write_buffer_mb", "8"});
    const int port = daemon.ReadListeningPort();
    if (port == 0) return absl::InternalError(daemon.output());
    auto client = Connect(port);
    EXPECT_THAT(client->CreateCollection("c", {}), IsOk());
    Fill(floor_mb + room_mb);
    const absl::Time start = absl::Now();
    for (int i = 0; i < 20000 && failed.ok(); ++i, ++next) {
      failed = AddDoc(client.get(), next);
      if (failed.ok()) acknowledged.push_back(next);
    }
    const absl::Time full = absl::Now();
    if (absl::IsResourceExhausted(failed)) {
      // Asked again at once: answered, not hanging (stored if RocksDB
      // freed files meanwhile, refused otherwise), and reads go on.
      const absl::Status again = AddDoc(client.get(), next);
      if (again.ok()) {
        acknowledged.push_back(next);
      } else {
        EXPECT_THAT(again, StatusIs(absl::StatusCode::kResourceExhausted));
      }
      ++next;
      if (!acknowledged.empty()) {
        EXPECT_THAT(client->Get("c", absl::StrCat("doc-", acknowledged[0])),
                    IsOk());
      }
      // Room again: writes come back without a restart.
      Unfill();
      absl::Status resumed = absl::UnknownError("not tried");
      const absl::Time end = absl::Now() + absl::Seconds(60);
      while (!resumed.ok() && absl::Now() < end) {
        resumed = AddDoc(client.get(), next);
        if (resumed.ok()) acknowledged.push_back(next);
        ++next;
      }
      EXPECT_THAT(resumed, IsOk()) << daemon.output();
      std::cout << db << ": " << acknowledged.size()
                << " documents acknowledged, disk full after "
                << absl::FormatDuration(full - start) << ", writes back after "
                << absl::FormatDuration(absl::Now() - full) << " ("
                << failed.message() << ")\n";
      client.reset();
      daemon.Signal(SIGTERM);
      EXPECT_EQ(daemon.Wait(), 0) << daemon.output();
    } else {
      client.reset();
      daemon.Signal(SIGTERM);
      const int status = daemon.Wait();
      *aborted = status == 128 + SIGABRT;
      std::cout << db << ": the write failed with " << failed
                << "; neardupd exited with " << status << ":\n"
                << daemon.output();
      Unfill();
    }
  }
  // Nothing acknowledged was lost.
  Subprocess again({NEARDUPD_PATH, "--db", db, "--listen", "127.0.0.1:0",
                    "--min_free_mb", "0"});
  const int port = again.ReadListeningPort();
  EXPECT_GT(port, 0) << again.output();
  if (port == 0) return failed;
  auto client = Connect(port);
  auto info = client->GetCollection("c");
  EXPECT_THAT(info, IsOk());
  if (info.ok()) {
    EXPECT_EQ(info->document_count(), acknowledged.size());
  }
  for (int n : acknowledged) {
    EXPECT_THAT(client->Get("c", absl::StrCat("doc-", n)), IsOk()) << n;
  }
  client.reset();
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(), 0) << again.output();
  std::filesystem::remove_all(db);
  return failed;
}

class DiskFullRunTest : public DiskFullTest,
                        public ::testing::WithParamInterface<int> {};

// neardupd as configured by default (a free-space floor; 16 MiB here,
// above the 8 MiB memtables a flush writes): its own writes fill the
// disk to the floor, never past it. 20 runs with 2-6 MiB of room left.
TEST_P(DiskFullRunTest, FullDiskIsResourceExhaustedAndWritesResume) {
  bool aborted = false;
  const absl::Status failed =
      FillAndRecover(absl::StrCat(mnt_, "/db", GetParam()), /*floor_mb=*/16,
                     /*room_mb=*/2 + GetParam() % 5, &aborted);
  EXPECT_FALSE(aborted);
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kResourceExhausted,
                               HasSubstr("below the floor of 16 MiB")));
}

INSTANTIATE_TEST_SUITE_P(TwentyRuns, DiskFullRunTest, ::testing::Range(0, 20));

// Without a floor the disk really fills: RocksDB stops writes and neardupd
// answers RESOURCE_EXHAUSTED until space returns. Debian's RocksDB 7.8.3
// is built with assertions, and one of them (WritableFileWriter's
// `sync_without_flush_called_`, after a failed write) aborts the process
// in a few runs in a hundred (docs/OPERATIONS.md, "A full disk"); the
// test accepts that abort and only that, and even then nothing
// acknowledged may be lost.
TEST_F(DiskFullTest, FullDiskWithoutAFloorLosesNothingAcknowledged) {
  for (int run = 0; run < 3; ++run) {
    bool aborted = false;
    const absl::Status failed =
        FillAndRecover(absl::StrCat(mnt_, "/nofloor", run), /*floor_mb=*/0,
                       /*room_mb=*/1 + run, &aborted);
    EXPECT_TRUE(absl::IsResourceExhausted(failed) || aborted) << failed;
  }
}

}  // namespace
}  // namespace neardup
