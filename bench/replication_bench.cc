// Node groups on loopback (docs/SCALE.md, docs/BENCHMARKS.md "Node
// groups"): a three-member etcd and three neardupd processes started by
// tests/testing/cluster.h.
//
//   1. Replication lag under a paced write load: --rate pages/s of
//      CheckAndAddBatch (batches of --batch) for --seconds; every 50 ms a
//      probe page is added and both replicas are read (Get, every 0.5 ms)
//      until they have it: the time from the primary's answer to the
//      replica having it, p50/p99/max.
//   2. Check throughput, closed loop from --threads clients for --seconds:
//      first against the primary alone (the replicas idle: one node), then
//      spread over all three nodes; with each process's share of the CPU.
//
//   build/release/bench/replication_bench --rate 5000 --seconds 10
//
// Every loop is bounded by time and count; everything listens on
// 127.0.0.1.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "client/router.h"
#include "tests/testing/cluster.h"

ABSL_FLAG(double, rate, 5000, "pages added per second in the lag run");
ABSL_FLAG(int, batch, 50, "pages per CheckAndAddBatch call");
ABSL_FLAG(int, seconds, 10, "length of each run");
ABSL_FLAG(int, threads, 16, "Check clients in the throughput runs");
ABSL_FLAG(int, words, 200, "words per page");
ABSL_FLAG(bool, ack_replica, false, "run the nodes with --ack replica");
ABSL_FLAG(int, nodes, 3, "nodes in the group (2 or 3)");
ABSL_FLAG(int, node_threads, 2, "each node's --threads (analysis threads)");
ABSL_FLAG(std::string, dir, "/tmp/neardup-replication-bench",
          "databases and logs (emptied first)");

namespace {

using neardup::client::Client;
using neardup::testing::LocalCluster;

constexpr char kCollection[] = "pages";

std::string Page(uint64_t n, int words) {
  std::mt19937_64 rng(n * 7919 + 17);
  std::string out;
  for (int i = 0; i < words; ++i) {
    absl::StrAppend(&out, i ? " " : "", "w", rng() % 50000);
  }
  return out;
}

// User plus system CPU seconds of process `pid` so far.
double CpuSeconds(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(f)),
                   std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct CpuMeter {
  std::vector<std::pair<std::string, std::vector<pid_t>>> groups;
  std::vector<double> start;
  absl::Time began;
  void Begin() {
    start.clear();
    for (const auto& [name, pids] : groups) {
      double s = 0;
      for (pid_t p : pids) s += CpuSeconds(p);
      start.push_back(s);
    }
    began = absl::Now();
  }
  std::string Report() const {
    const double wall = absl::ToDoubleSeconds(absl::Now() - began);
    std::vector<std::string> parts;
    for (size_t i = 0; i < groups.size(); ++i) {
      double s = 0;
      for (pid_t p : groups[i].second) s += CpuSeconds(p);
      parts.push_back(absl::StrFormat("%s %.0f%%", groups[i].first,
                                      100 * (s - start[i]) / wall));
    }
    return absl::StrJoin(parts, ", ");
  }
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_dir);
  std::filesystem::remove_all(dir);
  if (std::string why = LocalCluster::Unavailable(); !why.empty()) {
    std::fprintf(stderr, "replication_bench: %s\n", why.c_str());
    return 1;
  }
  LocalCluster::Options o;
  o.neardupd = std::filesystem::path(argv[0]).parent_path().string() +
               "/../service/server/neardupd";
  o.dir = dir;
  o.ack_replica = absl::GetFlag(FLAGS_ack_replica);
  o.lease_seconds = 2;
  o.nodes = std::clamp(absl::GetFlag(FLAGS_nodes), 2, 3);
  // neardupd's own memory defaults (the tests' cluster runs small).
  o.extra_flags = {
      "--write_buffer_mb", "256",
      "--block_cache_mb",  "256",
      "--threads",         absl::StrCat(absl::GetFlag(FLAGS_node_threads))};
  auto cluster = LocalCluster::Start(o);
  if (!cluster.ok()) {
    std::fprintf(stderr, "replication_bench: %s\n",
                 cluster.status().ToString().c_str());
    return 1;
  }
  LocalCluster& c = **cluster;
  const int primary = *c.PrimaryIndex();
  std::vector<int> replicas;
  for (int i = 0; i < o.nodes; ++i) {
    if (i != primary) replicas.push_back(i);
  }
  auto writer = *Client::Connect(c.address(primary));
  {
    neardup::v1::CollectionParams params;
    params.set_threshold(0.8);
    auto made = writer->CreateCollection(kCollection, params);
    if (!made.ok()) {
      std::fprintf(stderr, "create: %s\n", made.status().ToString().c_str());
      return 1;
    }
  }
  CpuMeter meter;
  meter.groups = {{"primary", {c.pid(primary)}}};
  for (int r : replicas) meter.groups.push_back({"replica", {c.pid(r)}});
  meter.groups.push_back({"etcd", c.etcd_pids()});
  meter.groups.push_back({"load", {getpid()}});

  // 1. Lag under a paced write load.
  const double rate = absl::GetFlag(FLAGS_rate);
  const int batch = absl::GetFlag(FLAGS_batch);
  const int words = absl::GetFlag(FLAGS_words);
  const absl::Duration run = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::atomic<uint64_t> next_page{0}, added{0}, late{0};
  const int writers = 4;
  const absl::Duration interval = absl::Seconds(writers * batch / rate);
  const absl::Time start = absl::Now();
  const absl::Time end = start + run;
  meter.Begin();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      auto client = *Client::Connect(c.address(primary));
      absl::Time due = start + interval * w / writers;
      while (due < end) {
        const absl::Time now = absl::Now();
        if (now < due) {
          absl::SleepFor(due - now);
        } else if (now - due > interval) {
          late.fetch_add(1);
        }
        neardup::v1::CheckAndAddBatchRequest req;
        req.set_collection(kCollection);
        for (int i = 0; i < batch; ++i) {
          const uint64_t n = next_page.fetch_add(1);
          auto* d = req.add_documents();
          d->set_id(absl::StrCat("p", n));
          d->set_content(Page(n, words));
        }
        auto r = client->CheckAndAddBatch(req);
        if (r.ok()) added.fetch_add(batch);
        due += interval;
      }
    });
  }
  std::vector<std::vector<double>> lag_ms(replicas.size());
  std::vector<std::shared_ptr<Client>> readers;
  for (int r : replicas) readers.push_back(*Client::Connect(c.address(r)));
  int probes = 0, missed = 0;
  for (absl::Time due = start + absl::Milliseconds(500); due < end;
       due += absl::Milliseconds(50)) {
    absl::SleepFor(std::max(absl::ZeroDuration(), due - absl::Now()));
    neardup::v1::AddRequest add;
    add.set_collection(kCollection);
    const std::string id = absl::StrCat("probe", probes++);
    add.mutable_document()->set_id(id);
    add.mutable_document()->set_content(Page(1000000000 + probes, words));
    if (!writer->Add(add).ok()) continue;
    const absl::Time acked = absl::Now();
    for (size_t i = 0; i < readers.size(); ++i) {
      while (!readers[i]->Get(kCollection, id).ok()) {
        if (absl::Now() - acked > absl::Seconds(5)) {
          ++missed;
          break;
        }
        absl::SleepFor(absl::Milliseconds(2));
      }
      lag_ms[i].push_back(absl::ToDoubleMilliseconds(absl::Now() - acked));
    }
  }
  for (auto& t : threads) t.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (const auto& v : lag_ms) all.insert(all.end(), v.begin(), v.end());
  std::printf(
      "lag run: %.0f pages/s added for %.1f s (asked %.0f/s, %llu batches "
      "late), ack %s\n  replication lag over %zu probes x %zu replicas: "
      "p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d not seen within 5 s\n  "
      "CPU: %s\n",
      added.load() / seconds, seconds, rate,
      static_cast<unsigned long long>(late.load()),
      o.ack_replica ? "replica" : "primary", lag_ms[0].size(), readers.size(),
      Percentile(all, 0.5), Percentile(all, 0.99), Percentile(all, 1.0), missed,
      meter.Report().c_str());

  // 2. Check throughput: the primary alone, then all three nodes.
  const int clients = absl::GetFlag(FLAGS_threads);
  auto check_run = [&](std::vector<int> nodes) {
    std::atomic<uint64_t> done{0}, failed{0};
    meter.Begin();
    const absl::Time stop = absl::Now() + run;
    std::vector<std::thread> ts;
    for (int t = 0; t < clients; ++t) {
      ts.emplace_back([&, t] {
        auto client = *Client::Connect(c.address(nodes[t % nodes.size()]));
        std::mt19937_64 rng(t);
        for (int i = 0; i < 10000000 && absl::Now() < stop; ++i) {
          neardup::v1::CheckRequest req;
          req.set_collection(kCollection);
          // Half stored pages, half new ones.
          const uint64_t n =
              rng() % 2 ? rng() % std::max<uint64_t>(1, next_page.load())
                        : 2000000000 + rng() % 1000000;
          req.mutable_document()->set_content(Page(n, words));
          if (client->Check(req).ok()) {
            done.fetch_add(1);
          } else {
            failed.fetch_add(1);
          }
        }
      });
    }
    for (auto& t : ts) t.join();
    const double s = absl::ToDoubleSeconds(run);
    std::printf("  %.0f checks/s (%llu failed); CPU: %s\n", done.load() / s,
                static_cast<unsigned long long>(failed.load()),
                meter.Report().c_str());
    return done.load() / s;
  };
  std::printf("Check, %d clients, closed loop, %llu pages stored:\n", clients,
              static_cast<unsigned long long>(next_page.load()));
  std::printf(" one node (the primary; replicas idle):\n");
  const double one = check_run({primary});
  std::printf(" primary and %zu replicas:\n", replicas.size());
  std::vector<int> all_nodes = replicas;
  all_nodes.push_back(primary);
  const double three = check_run(all_nodes);
  std::printf("  ratio %.2f\n", three / one);
  return 0;
}
