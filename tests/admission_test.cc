// Admission control and deadlines, end to end: the real NearDupServer on
// 127.0.0.1:0 (and the neardupd binary where a process limit matters),
// driven over TCP.
//
// - a write whose deadline passes while the server works on it is not
//   committed: the client that gave up is not told "not stored" about a
//   stored document;
// - large requests run on their own pool and cannot hold a short call;
// - past the in-flight byte bound calls are refused with RESOURCE_EXHAUSTED
//   and a retry hint;
// - a thousand idle connections do not stop the server from accepting.

#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "neardup/v1/neardup.grpc.pb.h"
#include "service/common/process_limits.h"
#include "service/server/server.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

// Spins (yielding, no sleep) until `done` returns true or `limit` passes;
// returns whether it did.
template <typename Done>
bool WaitFor(Done done, absl::Duration limit = absl::Seconds(60)) {
  const absl::Time end = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() > end) return false;
    std::this_thread::yield();
  }
  return true;
}

// A text of `bytes` or more in which one paragraph repeats: slow for
// Repeats and Compare, whose work grows with the pairs of repeats.
std::string RepeatedText(size_t bytes) {
  const std::string paragraph = neardup::testing::GeneratedText(7, 60) + "\n";
  std::string out;
  while (out.size() < bytes) out += paragraph;
  return out;
}

// A CheckAndAdd batch of a thousand documents of 1,200 words (about 7 MB,
// hundreds of milliseconds of analysis) into collection "c".
v1::CheckAndAddBatchRequest ThousandDocuments(uint64_t seed) {
  v1::CheckAndAddBatchRequest batch;
  batch.set_collection("c");
  for (int i = 0; i < 1000; ++i) {
    v1::Document* d = batch.add_documents();
    d->set_id(absl::StrCat("doc-", i));
    d->set_content(neardup::testing::GeneratedText(seed + i, 1200));
  }
  return batch;
}

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = neardup::testing::MakeScratchDir("admit"); }
  void TearDown() override {
    client_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Start(const server::NearDupServer::Options& base) {
    server::NearDupServer::Options options = base;
    options.db_path = dir_;
    options.listen = "127.0.0.1:0";
    auto server = server::NearDupServer::Start(options);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    auto client = client::Client::Connect(Target());
    ASSERT_THAT(client, IsOk());
    client_ = std::move(*client);
  }

  std::string Target() const {
    return absl::StrCat("127.0.0.1:", server_->port());
  }

  std::string dir_;
  std::unique_ptr<server::NearDupServer> server_;
  std::unique_ptr<client::Client> client_;
};

// A batch of a thousand 8 KB documents is hundreds of milliseconds of
// analysis; its deadline of 50 ms passes while the server works on it.
// Nothing is committed after the deadline, so the client told
// DEADLINE_EXCEEDED finds nothing stored. One worker thread: the Check
// sent afterwards runs only once the batch's task has ended.
TEST_F(AdmissionTest, WriteWhoseDeadlinePassedIsNotCommitted) {
  server::NearDupServer::Options options;
  options.worker_threads = 1;
  options.large_request_bytes = size_t{1} << 30;  // one pool for everything
  Start(options);
  ASSERT_THAT(client_->CreateCollection("c", {}), IsOk());

  const v1::CheckAndAddBatchRequest batch = ThousandDocuments(1000);
  client::Client::Options hasty;
  hasty.timeout = absl::Milliseconds(50);
  auto hasty_client = client::Client::Connect(Target(), hasty);
  ASSERT_THAT(hasty_client, IsOk());
  EXPECT_THAT((*hasty_client)->CheckAndAddBatch(batch),
              StatusIs(absl::StatusCode::kDeadlineExceeded));

  v1::CheckRequest barrier;
  barrier.set_collection("c");
  barrier.mutable_document()->set_content("after the batch");
  ASSERT_THAT(client_->Check(barrier), IsOk());
  auto c = client_->GetCollection("c");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->document_count(), 0u);
  EXPECT_THAT(client_->Get("c", "doc-0"),
              StatusIs(absl::StatusCode::kNotFound));

  // The same batch with time to spare is stored whole.
  auto stored = client_->CheckAndAddBatch(batch);
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(client_->GetCollection("c")->document_count(), 1000u);
}

// Three large Compare calls fill the large pool (one thread, and two
// waiting); a Check sent after them is answered by the small pool before
// they have all finished. With one pool of one thread it would wait for
// all three.
TEST_F(AdmissionTest, LargeRequestsDoNotHoldAShortCall) {
  server::NearDupServer::Options options;
  options.worker_threads = 1;
  options.large_request_bytes = 256 << 10;
  options.large_threads = 1;
  Start(options);
  ASSERT_THAT(client_->CreateCollection("c", {}), IsOk());
  v1::CompareRequest compare;
  compare.mutable_a()->set_content(RepeatedText(1 << 20));
  compare.mutable_b()->set_content(RepeatedText(1 << 20));
  const uint64_t bytes = compare.ByteSizeLong();

  std::atomic<int> finished{0};
  std::vector<std::thread> large;
  for (int i = 0; i < 3; ++i) {
    large.emplace_back([&] {
      EXPECT_THAT(client_->Compare(compare), IsOk());
      finished.fetch_add(1);
    });
  }
  ASSERT_TRUE(WaitFor([&] {
    return server_->admission().inflight_bytes() >= 3 * bytes;
  })) << "the three large calls were not admitted";

  v1::CheckRequest check;
  check.set_collection("c");
  check.mutable_document()->set_content(
      neardup::testing::GeneratedText(3, 300));
  EXPECT_THAT(client_->Check(check), IsOk());
  EXPECT_LT(finished.load(), 3) << "the Check waited for the large calls";
  for (std::thread& t : large) t.join();
  EXPECT_EQ(finished.load(), 3);
}

// With room for one large request in flight, a second one is refused at
// once with RESOURCE_EXHAUSTED, a message saying what is full and the
// gRPC retry hint in the trailers; once the first is answered the second
// goes through. The first is a batch of a thousand 8 KB documents:
// hundreds of milliseconds of analysis, while the second takes a few to
// arrive.
TEST_F(AdmissionTest, CallsPastTheInflightBoundAreRefusedWithARetryHint) {
  server::NearDupServer::Options options;
  options.max_message_bytes = 16 << 20;
  options.max_inflight_bytes = 16 << 20;
  Start(options);
  ASSERT_THAT(client_->CreateCollection("c", {}), IsOk());
  const v1::CheckAndAddBatchRequest batch = ThousandDocuments(5000);
  ASSERT_GT(batch.ByteSizeLong(), 6u << 20);
  v1::CompareRequest compare;
  compare.mutable_a()->set_content(RepeatedText(10 << 20));
  compare.mutable_b()->set_content("a few words");

  std::thread first(
      [&] { EXPECT_THAT(client_->CheckAndAddBatch(batch), IsOk()); });
  ASSERT_TRUE(
      WaitFor([&] { return server_->admission().inflight_bytes() > 0; }));
  auto stub = v1::NearDup::NewStub(
      grpc::CreateChannel(Target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  v1::CompareResponse resp;
  const grpc::Status s = stub->Compare(&ctx, compare, &resp);
  first.join();
  ASSERT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("MiB of requests"));
  EXPECT_THAT(s.error_message(), HasSubstr("retry in 1000 ms"));
  const auto& trailers = ctx.GetServerTrailingMetadata();
  auto hint = trailers.find("grpc-retry-pushback-ms");
  ASSERT_NE(hint, trailers.end());
  EXPECT_EQ(std::string(hint->second.data(), hint->second.size()), "1000");
  EXPECT_EQ(server_->admission().refused_for_bytes(), 1u);
  // The batch's bytes are given back as its task ends (just after its
  // answer is sent); then there is room.
  ASSERT_TRUE(
      WaitFor([&] { return server_->admission().inflight_bytes() == 0; }));
  EXPECT_THAT(client_->Compare(compare), IsOk());
}

// neardupd started with a soft limit of 1,024 open files (a systemd
// default) raises it to the hard limit, so 1,100 idle TCP connections do
// not use up its descriptors: a normal call still gets through. Without
// that, gRPC's accept loop stops at EMFILE and never resumes.
TEST(IdleConnectionsTest, ThousandIdleConnectionsThenANormalCall) {
  constexpr int kIdle = 1100;
  if (RaiseOpenFileLimit() < kIdle + 200) {
    GTEST_SKIP() << "this process may open only " << OpenFileLimit()
                 << " files; the test needs " << kIdle + 200;
  }
  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  const std::string dir = neardup::testing::MakeScratchDir("idle");
  // The child inherits the soft limit of 1,024 (the hard limit stays).
  struct rlimit low = saved;
  low.rlim_cur = 1024;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  neardup::testing::Subprocess daemon(
      {NEARDUPD_PATH, "--db", dir + "/db", "--listen", "127.0.0.1:0"});
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_TRUE(daemon.running());
  const int port = daemon.ReadListeningPort();
  ASSERT_GT(port, 0) << daemon.output();

  std::vector<int> sockets;
  for (int i = 0; i < kIdle; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0) << "socket " << i;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
        << "connection " << i;
    sockets.push_back(fd);
  }
  client::Client::Options options;
  options.timeout = absl::Seconds(20);
  auto client =
      client::Client::Connect(absl::StrCat("127.0.0.1:", port), options);
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT((*client)->CreateCollection("after-idle", {}), IsOk());
  EXPECT_THAT((*client)->ListCollections(), IsOk());
  for (int fd : sockets) close(fd);
  client->reset();
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.output();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace neardup
