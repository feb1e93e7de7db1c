// Node groups on loopback (docs/SCALE.md): a three-member etcd and three
// neardupd processes. Failover under concurrent CheckAndAdd load, with
// kill -9 of the primary, and a replica started empty. Skipped where etcd
// is not installed (deploy/install-deps.sh installs it).

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "client/router.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "neardup/v1/replication.grpc.pb.h"
#include "tests/testing/cluster.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using client::Client;
using client::Router;
using testing::LocalCluster;

constexpr char kCollection[] = "crawl";

std::string TempDir(const std::string& name) {
  const std::string dir =
      absl::StrCat(std::filesystem::temp_directory_path().string(), "/neardup-",
                   name, "-", getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

// A page of 120 random words of a 20,000-word vocabulary: unrelated pages
// share next to no 4-word shingle.
std::vector<std::string> RandomPage(std::mt19937_64& rng) {
  std::vector<std::string> words;
  std::uniform_int_distribution<int> word(0, 19999);
  for (int i = 0; i < 120; ++i) words.push_back(absl::StrCat("w", word(rng)));
  return words;
}

// The near copy of `page`: two words changed (Jaccard about 0.87).
std::vector<std::string> NearCopy(std::vector<std::string> page,
                                  std::mt19937_64& rng) {
  for (int i = 0; i < 2; ++i) {
    page[rng() % page.size()] = absl::StrCat("changed", rng() % 1000);
  }
  return page;
}

// What the load saw: ids acknowledged as added (or already stored), and
// the stored documents DUP answers named.
struct Outcome {
  absl::Mutex mu;
  std::set<std::string> acked ABSL_GUARDED_BY(mu);
  std::map<std::string, absl::Time> acked_at ABSL_GUARDED_BY(mu);
  std::set<std::string> named ABSL_GUARDED_BY(mu);
  uint64_t dups ABSL_GUARDED_BY(mu) = 0;
  uint64_t retries ABSL_GUARDED_BY(mu) = 0;
  std::vector<double> call_ms ABSL_GUARDED_BY(mu);  // answered first time
  std::vector<std::string> errors ABSL_GUARDED_BY(mu);
  size_t acked_count() {
    absl::MutexLock lock(&mu);
    return acked.size();
  }
};

// CheckAndAdd through the router, retried across failovers (bounded).
absl::StatusOr<v1::CheckAndAddResponse> CheckAndAddRouted(
    Router& router, const v1::CheckAndAddRequest& req, Outcome& out) {
  absl::Status last;
  for (int attempt = 0; attempt < 400; ++attempt) {
    auto c = router.ForWrite(kCollection);
    if (c.ok()) {
      absl::StatusOr<v1::CheckAndAddResponse> r = (*c)->CheckAndAdd(req);
      if (r.ok() || !Router::Retryable(r.status())) return r;
      last = r.status();
    } else {
      last = c.status();
      if (!Router::Retryable(last)) return last;
    }
    {
      absl::MutexLock lock(&out.mu);
      ++out.retries;
    }
    router.Forget(kCollection);
    absl::SleepFor(absl::Milliseconds(25));  // back off, then ask etcd again
  }
  return last;
}

// Writers: pages, a fifth of them near copies of an earlier page of the
// same writer, until `stop` (at most `limit` each).
void RunLoad(Router& router, int writer, int limit, std::atomic<bool>& stop,
             Outcome& out) {
  std::mt19937_64 rng(1000 + writer);
  std::vector<std::vector<std::string>> pages;
  for (int i = 0; i < limit && !stop.load(); ++i) {
    std::vector<std::string> page =
        !pages.empty() && rng() % 5 == 0
            ? NearCopy(pages[rng() % pages.size()], rng)
            : RandomPage(rng);
    v1::CheckAndAddRequest req;
    req.set_collection(kCollection);
    const std::string id = absl::StrCat("w", writer, "-", i);
    req.mutable_document()->set_id(id);
    req.mutable_document()->set_content(absl::StrJoin(page, " "));
    const absl::Time sent = absl::Now();
    absl::StatusOr<v1::CheckAndAddResponse> r =
        CheckAndAddRouted(router, req, out);
    absl::MutexLock lock(&out.mu);
    out.call_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
    if (!r.ok()) {
      out.errors.push_back(absl::StrCat(id, ": ", r.status().ToString()));
      continue;
    }
    if (r->added() || r->already_stored()) {
      out.acked.insert(id);
      out.acked_at[id] = absl::Now();
      pages.push_back(std::move(page));
    } else {
      ++out.dups;
      for (const auto& m : r->matches()) out.named.insert(m.id());
    }
  }
}

v1::NodePosition PositionOf(const std::string& address) {
  auto stub = v1::Replication::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  v1::NodePosition p;
  if (!stub->GetPosition(&ctx, v1::GetPositionRequest(), &p).ok()) {
    p.set_role("unreachable");
  }
  return p;
}

// Waits until every running node is at the primary's position.
bool WaitAllCaughtUp(const LocalCluster& cluster, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::set<std::pair<int64_t, uint64_t>> positions;
    bool primary = false, all = true;
    for (int i = 0; i < cluster.nodes(); ++i) {
      if (!cluster.running(i)) continue;
      v1::NodePosition p = PositionOf(cluster.address(i));
      if (p.role() == "unreachable") all = false;
      primary = primary || p.role() == "primary";
      positions.insert({p.position().epoch(), p.position().sequence()});
    }
    if (all && primary && positions.size() == 1) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

// Waits until every running node other than the primary follows the
// primary's epoch (it applied the primary's first write).
bool WaitReplicasFollow(const LocalCluster& cluster, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    absl::StatusOr<int> primary = cluster.PrimaryIndex();
    if (primary.ok() && *primary >= 0) {
      const int64_t epoch =
          PositionOf(cluster.address(*primary)).position().epoch();
      bool all = true;
      for (int i = 0; i < cluster.nodes() && all; ++i) {
        if (i == *primary || !cluster.running(i)) continue;
        v1::NodePosition p = PositionOf(cluster.address(i));
        all = p.role() == "replica" && p.position().epoch() == epoch;
      }
      if (all) return true;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

absl::StatusOr<uint64_t> DocumentCount(const std::string& address) {
  auto c = Client::Connect(address);
  if (!c.ok()) return c.status();
  auto info = (*c)->GetCollection(kCollection);
  if (!info.ok()) return info.status();
  return info->document_count();
}

class ReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = LocalCluster::Unavailable(); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }

  std::unique_ptr<LocalCluster> StartCluster(const std::string& name,
                                             bool ack_replica,
                                             int deferred = 0) {
    LocalCluster::Options o;
    o.neardupd = NEARDUPD_PATH;
    o.dir = TempDir(name);
    o.ack_replica = ack_replica;
    o.deferred_nodes = deferred;
    auto cluster = LocalCluster::Start(o);
    EXPECT_TRUE(cluster.ok()) << cluster.status();
    if (!cluster.ok()) return nullptr;
    dir_ = o.dir;
    return std::move(*cluster);
  }

  // `ack_replica`: the collection's writes are answered once a replica
  // has them (CollectionParams::ack_replica).
  void CreateCollection(Router& router, bool ack_replica = false) {
    Outcome ignored;
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto c = router.ForWrite(kCollection);
      if (c.ok()) {
        v1::CollectionParams params;
        params.set_threshold(0.8);
        if (ack_replica) params.set_ack_replica(true);
        auto made = (*c)->CreateCollection(kCollection, params);
        if (made.ok()) {
          EXPECT_EQ(made->params().ack_replica(), ack_replica);
        }
        if (made.ok()) return;
        ASSERT_TRUE(Router::Retryable(made.status())) << made.status();
      }
      router.Forget(kCollection);
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "could not create the collection";
  }

  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string dir_;
};

TEST_F(ReplicationTest, KillingThePrimaryTenTimesLosesNoAcknowledgedWrite) {
  std::unique_ptr<LocalCluster> cluster =
      StartCluster("failover", /*ack_replica=*/false);
  ASSERT_NE(cluster, nullptr);
  auto router = Router::Connect(cluster->etcd_endpoints());
  ASSERT_TRUE(router.ok()) << router.status();
  // Acknowledged by a replica: the collection asks for it (the nodes run
  // without --ack replica).
  CreateCollection(**router, /*ack_replica=*/true);

  Outcome out;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  // Writers end however the test does.
  struct Joiner {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~Joiner() {
      stop = true;
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } joiner{stop, writers};
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back(
        [&, w] { RunLoad(**router, w, /*limit=*/20000, stop, out); });
  }
  std::vector<double> failover_seconds;
  for (int cycle = 0; cycle < 10; ++cycle) {
    // The replicas follow this primary, and some writes are
    // acknowledged in its epoch, first.
    ASSERT_TRUE(WaitReplicasFollow(*cluster, absl::Seconds(60)));
    const size_t before = out.acked_count();
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (out.acked_count() < before + 40 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    ASSERT_GE(out.acked_count(), before + 40) << "cycle " << cycle;
    absl::StatusOr<int> primary = cluster->PrimaryIndex();
    ASSERT_TRUE(primary.ok() && *primary >= 0) << primary.status();
    const absl::Time killed = absl::Now();
    cluster->Kill(*primary);
    absl::StatusOr<int> next =
        cluster->WaitForPrimary(absl::Seconds(10), *primary);
    ASSERT_TRUE(next.ok()) << next.status();
    failover_seconds.push_back(absl::ToDoubleSeconds(absl::Now() - killed));
    // Within the lease (1 s) plus a second: 0.82-1.59 s in every run
    // measured here, release and ASan. etcd looks for expired leases
    // every 500 ms, so half a second more is allowed for a CI machine
    // busy with other tests.
    EXPECT_LT(failover_seconds.back(), 2.5) << "cycle " << cycle;
    ASSERT_TRUE(cluster->StartNode(*primary).ok());
  }
  stop = true;
  for (auto& t : writers) t.join();

  ASSERT_TRUE(WaitAllCaughtUp(*cluster, absl::Seconds(60)));
  absl::StatusOr<int> primary = cluster->PrimaryIndex();
  ASSERT_TRUE(primary.ok() && *primary >= 0);
  auto client = Client::Connect(cluster->address(*primary));
  ASSERT_TRUE(client.ok());
  absl::MutexLock lock(&out.mu);
  EXPECT_TRUE(out.errors.empty()) << absl::StrJoin(out.errors, "\n");
  std::printf("failover seconds: %s\n",
              absl::StrJoin(failover_seconds, " ").c_str());
  std::printf(
      "%zu acknowledged, %llu DUP answers naming %zu documents, "
      "%llu retries across failovers\n",
      out.acked.size(), static_cast<unsigned long long>(out.dups),
      out.named.size(), static_cast<unsigned long long>(out.retries));
  EXPECT_GT(out.dups, 0u);
  // No acknowledged document lost.
  size_t lost = 0;
  for (const std::string& id : out.acked) {
    if (!(*client)->Get(kCollection, id).ok()) ++lost;
  }
  EXPECT_EQ(lost, 0u) << "of " << out.acked.size() << " acknowledged";
  // Every DUP answer named a stored document.
  for (const std::string& id : out.named) {
    EXPECT_TRUE((*client)->Get(kCollection, id).ok()) << id;
  }
  // Nothing was stored twice: no pair at or above the threshold.
  v1::AuditRequest audit;
  audit.set_collection(kCollection);
  v1::AuditSummary summary;
  ASSERT_TRUE((*client)
                  ->Audit(audit,
                          [&](const v1::AuditResponse& r) {
                            if (r.has_summary()) summary = r.summary();
                            return absl::OkStatus();
                          })
                  .ok());
  EXPECT_EQ(summary.verified_pairs(), 0u);
  EXPECT_EQ(summary.documents(), out.acked.size());
  // Every node holds the same, and checks clean.
  for (int i = 0; i < cluster->nodes(); ++i) {
    absl::StatusOr<uint64_t> count = DocumentCount(cluster->address(i));
    ASSERT_TRUE(count.ok()) << count.status();
    EXPECT_EQ(*count, out.acked.size()) << "node " << i;
    auto c = Client::Connect(cluster->address(i));
    auto verified = (*c)->Verify(absl::Minutes(2));
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_TRUE(verified->clean()) << "node " << i;
  }
}

// Without --ack replica a write is answered once the primary has it: what
// a kill -9 of the primary loses is what the replicas had not yet applied,
// which the replication lag bounds.
TEST_F(ReplicationTest, WithoutReplicaAcksALostWriteIsOneWithinTheLag) {
  std::unique_ptr<LocalCluster> cluster =
      StartCluster("noack", /*ack_replica=*/false);
  ASSERT_NE(cluster, nullptr);
  auto router = Router::Connect(cluster->etcd_endpoints());
  ASSERT_TRUE(router.ok());
  CreateCollection(**router);
  Outcome out;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  struct Joiner {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~Joiner() {
      stop = true;
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } joiner{stop, writers};
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] { RunLoad(**router, w, 20000, stop, out); });
  }
  std::vector<absl::Time> kills;
  std::vector<absl::Duration> lags;
  for (int cycle = 0; cycle < 3; ++cycle) {
    // The replicas follow the new primary, then writes go on a while.
    ASSERT_TRUE(WaitReplicasFollow(*cluster, absl::Seconds(60)));
    const size_t before = out.acked_count();
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (out.acked_count() < before + 60 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    const int primary = *cluster->PrimaryIndex();
    // The lag of the most caught-up replica, just before the kill.
    absl::Duration lag = absl::InfiniteDuration();
    for (int i = 0; i < cluster->nodes(); ++i) {
      if (i == primary || !cluster->running(i)) continue;
      v1::NodePosition p = PositionOf(cluster->address(i));
      if (p.role() == "replica" && p.lag_micros() >= 0) {
        lag = std::min(lag, absl::Microseconds(p.lag_micros()));
      }
    }
    lags.push_back(lag);
    cluster->Kill(primary);
    // After it is dead: it may answer until then.
    kills.push_back(absl::Now());
    ASSERT_TRUE(cluster->WaitForPrimary(absl::Seconds(10), primary).ok());
    ASSERT_TRUE(cluster->StartNode(primary).ok());
  }
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_TRUE(WaitAllCaughtUp(*cluster, absl::Seconds(60)));
  auto client = Client::Connect(cluster->address(*cluster->PrimaryIndex()));
  absl::MutexLock lock(&out.mu);
  // Each lost write: how long before the next kill it was answered, and
  // the lag measured then.
  std::vector<std::string> lost;
  for (const std::string& id : out.acked) {
    if ((*client)->Get(kCollection, id).ok()) continue;
    const absl::Time at = out.acked_at[id];
    size_t k = 0;
    while (k < kills.size() && kills[k] < at) ++k;
    ASSERT_LT(k, kills.size()) << id << " lost after the last kill";
    const absl::Duration age = kills[k] - at;
    lost.push_back(absl::StrCat(
        id, " ",
        absl::FormatDuration(absl::Trunc(age, absl::Milliseconds(1)))));
    // What was lost is what the best replica had not applied: answered
    // within its lag before the kill (plus the time between measuring it
    // and the kill, and a margin for scheduling on 2 cores).
    EXPECT_LE(age, lags[k] + absl::Milliseconds(100))
        << id << ", lag then " << lags[k];
  }
  std::vector<std::string> lag_text;
  for (absl::Duration d : lags) {
    lag_text.push_back(
        absl::FormatDuration(absl::Trunc(d, absl::Milliseconds(1))));
  }
  std::sort(out.call_ms.begin(), out.call_ms.end());
  std::printf(
      "%zu of %zu acknowledged writes lost over %zu kills "
      "(replica lag measured before each: %s; CheckAndAdd median "
      "%.1f ms)\n",
      lost.size(), out.acked.size(), kills.size(),
      absl::StrJoin(lag_text, ", ").c_str(),
      out.call_ms[out.call_ms.size() / 2]);
}

TEST_F(ReplicationTest, AnEmptyReplicaCatchesUpFromACheckpointAndTheLog) {
  std::unique_ptr<LocalCluster> cluster =
      StartCluster("checkpoint", /*ack_replica=*/false, /*deferred=*/1);
  ASSERT_NE(cluster, nullptr);
  auto router = Router::Connect(cluster->etcd_endpoints());
  ASSERT_TRUE(router.ok());
  CreateCollection(**router);
  Outcome out;
  std::atomic<bool> stop{false};
  const absl::Time load_start = absl::Now();
  RunLoad(**router, 0, 300, stop, out);
  std::printf("300 CheckAndAdd calls in %s\n",
              absl::FormatDuration(absl::Now() - load_start).c_str());
  const int primary = *cluster->PrimaryIndex();
  const int replica = (primary + 1) % 3;

  // Writes sent to a replica are refused, naming the primary.
  auto direct = Client::Connect(cluster->address(replica));
  v1::AddRequest add;
  add.set_collection(kCollection);
  add.mutable_document()->set_id("to-a-replica");
  add.mutable_document()->set_content("a page sent to the wrong node");
  absl::StatusOr<v1::AddResponse> refused = (*direct)->Add(add);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find(cluster->address(primary)),
            std::string::npos)
      << refused.status();

  // The fourth node starts on nothing: a checkpoint, then the log, while
  // writes go on.
  const absl::Time started = absl::Now();
  ASSERT_TRUE(cluster->StartNode(3).ok());
  RunLoad(**router, 1, 200, stop, out);
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  absl::StatusOr<uint64_t> count;
  do {
    count = DocumentCount(cluster->address(3));
  } while ((!count.ok() || *count != out.acked_count()) &&
           absl::Now() < deadline &&
           (absl::SleepFor(absl::Milliseconds(20)), true));
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, out.acked_count());
  std::printf("the empty replica caught up %s after it started\n",
              absl::FormatDuration(absl::Now() - started).c_str());
  auto fourth = Client::Connect(cluster->address(3));
  auto verified = (*fourth)->Verify(absl::Minutes(2));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->clean());
  EXPECT_TRUE((*fourth)->Get(kCollection, "w1-199").ok() ||
              (*fourth)->Get(kCollection, "w0-0").ok());
  v1::NodePosition p = PositionOf(cluster->address(3));
  EXPECT_EQ(p.role(), "replica");
  EXPECT_EQ(p.lag_writes(), 0u);
  // A read from a replica says how stale it may be (once it has heard
  // from its primary: it may hold everything from the checkpoint alone).
  const absl::Time heard_by = absl::Now() + absl::Seconds(10);
  while (PositionOf(cluster->address(3)).lag_micros() < 0 &&
         absl::Now() < heard_by) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  {
    auto stub = v1::NearDup::NewStub(grpc::CreateChannel(
        cluster->address(3), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    v1::CheckRequest check;
    check.set_collection(kCollection);
    check.mutable_document()->set_content("a page to check on the replica");
    v1::CheckResponse resp;
    ASSERT_TRUE(stub->Check(&ctx, check, &resp).ok());
    const auto& md = ctx.GetServerInitialMetadata();
    auto value = [&](const std::string& key) {
      auto it = md.find(key);
      return it == md.end() ? std::string("(none)")
                            : std::string(it->second.data(), it->second.size());
    };
    EXPECT_EQ(value("x-neardup-role"), "replica");
    EXPECT_EQ(value("x-neardup-primary"), cluster->address(primary));
    EXPECT_EQ(value("x-neardup-replica-lag-writes"), "0");
    int64_t lag_ms = -1;
    EXPECT_TRUE(absl::SimpleAtoi(value("x-neardup-replica-lag-ms"), &lag_ms));
    EXPECT_GE(lag_ms, 0);
    EXPECT_LT(lag_ms, 1000);
  }
}

// A test host in a network namespace of its own, joined to this one by a
// veth pair (10.199.N.1 here, 10.199.N.2 there): cutting the link cuts it
// off from etcd and the other nodes. Needs root and iproute2.
class Namespace {
 public:
  Namespace() {
    const int n = 1 + getpid() % 250;
    name_ = absl::StrCat("neardup", getpid());
    here_ = absl::StrCat("nda", getpid());
    there_ = absl::StrCat("ndb", getpid());
    host_ = absl::StrCat("10.199.", n, ".1");
    guest_ = absl::StrCat("10.199.", n, ".2");
    for (const std::vector<std::string>& cmd :
         std::vector<std::vector<std::string>>{
             {kIp, "netns", "add", name_},
             {kIp, "link", "add", here_, "type", "veth", "peer", "name",
              there_},
             {kIp, "link", "set", there_, "netns", name_},
             {kIp, "addr", "add", host_ + "/24", "dev", here_},
             {kIp, "link", "set", here_, "up"},
             {kIp, "netns", "exec", name_, kIp, "addr", "add", guest_ + "/24",
              "dev", there_},
             {kIp, "netns", "exec", name_, kIp, "link", "set", there_, "up"},
             {kIp, "netns", "exec", name_, kIp, "link", "set", "lo", "up"}}) {
      testing::CommandResult r = testing::RunCommand(cmd);
      if (r.exit_code != 0) {
        error_ = absl::StrCat(absl::StrJoin(cmd, " "), ": ", r.err);
        return;
      }
    }
  }
  ~Namespace() {
    testing::RunCommand({kIp, "netns", "del", name_});
    testing::RunCommand({kIp, "link", "del", here_});
  }
  // Why the namespace could not be made, or "".
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  const std::string& host() const { return host_; }
  const std::string& guest() const { return guest_; }
  std::vector<std::string> Exec() const {
    return {kIp, "netns", "exec", name_};
  }
  bool Cut() {
    return testing::RunCommand({kIp, "link", "set", here_, "down"}).exit_code ==
           0;
  }
  bool Mend() {
    return testing::RunCommand({kIp, "link", "set", here_, "up"}).exit_code ==
           0;
  }

 private:
  static constexpr char kIp[] = "/usr/sbin/ip";
  std::string name_, here_, there_, host_, guest_, error_;
};

// The time of a neardupd log line ("I 2026-12-05T07:16:33.349Z ...").
std::optional<absl::Time> LogLineTime(const std::string& line) {
  const size_t space = line.find(' ');
  if (space == std::string::npos) return std::nullopt;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(
          "%Y-%m-%dT%H:%M:%E*SZ",
          line.substr(space + 1, line.find(' ', space + 1) - space - 1), &t,
          &err)) {
    return std::nullopt;
  }
  return t;
}

TEST_F(ReplicationTest, AStalePrimaryCutOffCannotAcknowledgeAWrite) {
  if (getuid() != 0 || access("/usr/sbin/ip", X_OK) != 0) {
    GTEST_SKIP() << "needs root and iproute2 for a network namespace";
  }
  Namespace ns;
  if (!ns.error().empty())
    GTEST_SKIP() << "no network namespace: " << ns.error();
  // Node 0 alone first (so it is the primary), in the namespace; nodes 1
  // and 2 here. Writes are answered by the primary alone: its lease is
  // what stops it.
  LocalCluster::Options o;
  o.neardupd = NEARDUPD_PATH;
  o.dir = TempDir("partition");
  o.nodes = 1;
  o.deferred_nodes = 2;
  o.host = ns.host();
  o.node_hosts[0] = ns.guest();
  o.node_prefixes[0] = ns.Exec();
  auto cluster = LocalCluster::Start(o);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  dir_ = o.dir;
  ASSERT_EQ(*(*cluster)->PrimaryIndex(), 0);
  ASSERT_TRUE((*cluster)->StartNode(1).ok());
  ASSERT_TRUE((*cluster)->StartNode(2).ok());
  auto router = Router::Connect((*cluster)->etcd_endpoints());
  ASSERT_TRUE(router.ok());
  CreateCollection(**router);
  ASSERT_TRUE(WaitAllCaughtUp(**cluster, absl::Seconds(30)));

  // A writer inside the namespace adds a page after another to the node
  // there, for at most 20 s, printing "ok|no ID NANOSECONDS" after each.
  const std::string page = o.dir + "/page.txt";
  {
    std::ofstream f(page);
    f << "a page written again and again under new ids by a crawler that "
         "cannot see the rest of the cluster any more";
  }
  const std::string script = absl::StrCat(
      "end=$(( $(date +%s) + 20 )); i=0; while [ $(date +%s) -lt $end ]; do "
      "i=$((i+1)); if ",
      NEARDUP_CLI_PATH, " --server ", (*cluster)->address(0),
      " --timeout 2 add -c ", kCollection, " --id s$i ", page,
      " >/dev/null 2>&1; then echo ok $i $(date +%s%N); else echo no $i "
      "$(date +%s%N); fi; done");
  std::vector<std::string> argv = ns.Exec();
  argv.insert(argv.end(), {"/bin/sh", "-c", script});
  const std::string out = o.dir + "/writer.out";
  auto writer = testing::LoggedProcess::Start(argv, out);
  ASSERT_TRUE(writer.ok());
  auto Lines = [&] {
    std::ifstream f(out);
    std::vector<std::vector<std::string>> lines;
    for (std::string l; std::getline(f, l);) {
      lines.push_back(absl::StrSplit(l, ' '));
    }
    return lines;
  };
  auto OkCount = [&] {
    int n = 0;
    for (const auto& l : Lines()) n += l.size() == 3 && l[0] == "ok";
    return n;
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (OkCount() < 5 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_GE(OkCount(), 5) << "the writer never got through";

  ASSERT_TRUE(ns.Cut());
  absl::StatusOr<int> next =
      (*cluster)->WaitForPrimary(absl::Seconds(10), /*other_than=*/0);
  ASSERT_TRUE(next.ok()) << next.status();
  // When the new primary's epoch began, from its log.
  std::optional<absl::Time> epoch_began;
  const absl::Time wait_log = absl::Now() + absl::Seconds(10);
  while (!epoch_began.has_value() && absl::Now() < wait_log) {
    std::ifstream f((*cluster)->log(*next));
    for (std::string l; std::getline(f, l);) {
      if (l.find("is the primary of group") != std::string::npos) {
        epoch_began = LogLineTime(l);
      }
    }
    if (!epoch_began.has_value()) absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(epoch_began.has_value());
  // Let the writer try for another two seconds past it.
  while (absl::Now() < *epoch_began + absl::Seconds(2)) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  (*writer)->Stop(SIGTERM);
  int after = 0, refused_after = 0;
  absl::Time last_ok = absl::InfinitePast();
  for (const auto& l : Lines()) {
    int64_t nanos = 0;
    if (l.size() != 3 || !absl::SimpleAtoi(l[2], &nanos)) continue;
    const absl::Time at = absl::FromUnixNanos(nanos);
    if (l[0] == "ok") last_ok = std::max(last_ok, at);
    if (at > *epoch_began) {
      ++after;
      refused_after += l[0] == "no";
    }
  }
  std::printf(
      "last write the cut-off primary acknowledged: %s before the "
      "new epoch began; %d writes tried after it, %d refused\n",
      absl::FormatDuration(*epoch_began - last_ok).c_str(), after,
      refused_after);
  EXPECT_LT(last_ok, *epoch_began);
  EXPECT_GT(after, 0);
  EXPECT_EQ(refused_after, after);
  ASSERT_TRUE(ns.Mend());
}

// A CheckAndAdd through nginx (deploy/nginx) with the collection in the
// x-neardup-collection header, retried while nginx starts or reloads.
absl::StatusOr<v1::CheckAndAddResponse> CheckAndAddThrough(
    const std::string& address, const std::string& collection,
    const std::string& id, const std::string& text) {
  auto stub = v1::NearDup::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::CheckAndAddRequest req;
  req.set_collection(collection);
  req.mutable_document()->set_id(id);
  req.mutable_document()->set_content(text);
  grpc::Status last;
  for (int attempt = 0; attempt < 100; ++attempt) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-neardup-collection", collection);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    v1::CheckAndAddResponse resp;
    last = stub->CheckAndAdd(&ctx, req, &resp);
    if (last.ok()) return resp;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::UnavailableError(last.error_message());
}

TEST_F(ReplicationTest, NginxSendsEachCallToThePrimaryOfItsCollectionsGroup) {
  if (access("/usr/sbin/nginx", X_OK) != 0 ||
      access("/usr/bin/etcdctl", X_OK) != 0) {
    GTEST_SKIP() << "nginx or etcdctl is not installed (Debian's nginx-light "
                    "and etcd-client; deploy/install-deps.sh installs them)";
  }
  std::unique_ptr<LocalCluster> cluster = StartCluster("nginx", false);
  ASSERT_NE(cluster, nullptr);
  auto router = Router::Connect(cluster->etcd_endpoints());
  ASSERT_TRUE(router.ok());
  ASSERT_TRUE((*router)->Place(kCollection, "g1").ok());
  CreateCollection(**router);

  const std::string source = NEARDUP_SOURCE_DIR;
  const std::string upstreams = dir_ + "/neardup-upstreams.conf";
  auto write_upstreams = [&] {
    testing::CommandResult r =
        testing::RunCommand({"/usr/bin/env", "NGINX_RELOAD=no", "/bin/sh",
                             source + "/deploy/nginx/neardup-upstreams.sh",
                             "--once", cluster->etcd_endpoints(), upstreams});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  write_upstreams();
  const int port = testing::FreePort();
  const std::string conf = dir_ + "/nginx.conf";
  std::filesystem::create_directories(dir_ + "/nginx-temp");
  {
    std::ofstream f(conf);
    f << "daemon off;\nworker_processes 1;\npid " << dir_
      << "/nginx.pid;\nerror_log " << dir_ << "/nginx-error.log info;\n"
      << "events { worker_connections 64; }\n"
      << "http {\n  access_log off;\n  client_body_temp_path " << dir_
      << "/nginx-temp;\n  include " << upstreams << ";\n"
      << "  server {\n    listen 127.0.0.1:" << port << " http2;\n"
      << "    client_max_body_size 64m;\n    include " << source
      << "/deploy/nginx/neardup-routes.conf;\n  }\n}\n";
  }
  auto nginx =
      testing::LoggedProcess::Start({"/usr/sbin/nginx", "-p", dir_, "-c", conf,
                                     "-e", dir_ + "/nginx-error.log"},
                                    dir_ + "/nginx.out");
  ASSERT_TRUE(nginx.ok());
  const std::string through = absl::StrCat("127.0.0.1:", port);

  // A placed collection: its group's primary.
  auto first = CheckAndAddThrough(through, kCollection, "via-nginx-1",
                                  "a page sent through nginx to the primary");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->added());
  // A collection placed nowhere: the hashed upstream (one group here).
  {
    auto stub = v1::NearDup::NewStub(
        grpc::CreateChannel(through, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-neardup-collection", "unplaced");
    v1::CreateCollectionRequest req;
    req.set_name("unplaced");
    v1::Collection made;
    EXPECT_TRUE(stub->CreateCollection(&ctx, req, &made).ok());
  }

  // The primary dies; the script follows etcd, nginx reloads.
  const int primary = *cluster->PrimaryIndex();
  cluster->Kill(primary);
  ASSERT_TRUE(cluster->WaitForPrimary(absl::Seconds(10), primary).ok());
  write_upstreams();
  testing::CommandResult reload =
      testing::RunCommand({"/usr/sbin/nginx", "-p", dir_, "-c", conf, "-e",
                           dir_ + "/nginx-error.log", "-s", "reload"});
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  auto second = CheckAndAddThrough(through, kCollection, "via-nginx-2",
                                   "another page, after the failover, to the "
                                   "new primary of the group");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->added());
  auto again = CheckAndAddThrough(through, kCollection, "via-nginx-3",
                                  "a page sent through nginx to the primary");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->added());  // the first one survived the failover
  (*nginx)->Stop(SIGQUIT);
}

}  // namespace
}  // namespace neardup
