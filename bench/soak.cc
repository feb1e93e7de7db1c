// soak: mixed load against a running neardupd for --minutes, then a
// report: calls and errors by rpc and status code, and the server's
// resident memory (from /proc/PID/status) every minute, first, last and
// highest. Every loop is bounded by the clock and by --max_calls.
//
// Threads (rates are targets; each sleeps to its next call):
//   ingest   CheckAndAddBatch of 50 new or near-copy documents, --ingest/s
//   check    Check of a stored document or a fresh one, --checks/s each
//   reads    Get and Delete of stored ids
//   large    a 4 MiB Compare every 5 s (the large-request pool)
//   admin    Verify and ListCollections every minute
//
//   build/release/service/server/neardupd --db /tmp/soak --listen
//   127.0.0.1:50090 & build/release/bench/soak --server 127.0.0.1:50090
//   --server_pid $! --minutes 30

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/client.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50090", "neardupd address");
ABSL_FLAG(int, server_pid, 0, "neardupd's pid, for its memory");
ABSL_FLAG(double, minutes, 30, "how long");
ABSL_FLAG(double, ingest, 1000, "documents added per second (target)");
ABSL_FLAG(int, check_threads, 4, "threads sending Checks");
ABSL_FLAG(double, checks, 250, "Checks per second per thread (target)");
ABSL_FLAG(long, max_calls, 100000000, "calls at most, all threads");

namespace {

std::string Words(uint64_t seed, int words) {
  std::mt19937_64 rng(seed);
  std::string out;
  for (int i = 0; i < words; ++i) {
    const int len = 3 + static_cast<int>(rng() % 7);
    for (int k = 0; k < len; ++k) {
      out.push_back(static_cast<char>('a' + rng() % 26));
    }
    out.push_back(i % 12 == 11 ? '\n' : ' ');
  }
  return out;
}

uint64_t RssKb(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

class Tally {
 public:
  void Add(const std::string& rpc, const absl::Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[{rpc, absl::StatusCodeToString(s.code())}];
    if (!s.ok() && first_errors_.size() < 5) {
      first_errors_.push_back(absl::StrCat(rpc, ": ", s.ToString()));
    }
  }
  void Print() {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t errors = 0;
    for (const auto& [key, n] : counts_) {
      std::printf("  %-18s %-20s %lu\n", key.first.c_str(), key.second.c_str(),
                  static_cast<unsigned long>(n));
      if (key.second != "OK") errors += n;
    }
    std::printf("errors: %lu\n", static_cast<unsigned long>(errors));
    for (const std::string& e : first_errors_) std::printf("  %s\n", e.c_str());
  }

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> counts_;
  std::vector<std::string> first_errors_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string target = absl::GetFlag(FLAGS_server);
  neardup::client::Client::Options options;
  options.timeout = absl::Minutes(5);
  auto client = neardup::client::Client::Connect(target, options);
  if (!client.ok()) return 1;
  neardup::client::Client* c = client->get();
  if (!c->CreateCollection("soak", {}).ok()) {
    std::fprintf(stderr, "soak: cannot create collection soak\n");
    return 1;
  }
  const absl::Time end =
      absl::Now() + absl::Minutes(absl::GetFlag(FLAGS_minutes));
  std::atomic<long> calls{0};
  const long max_calls = absl::GetFlag(FLAGS_max_calls);
  auto going = [&] { return absl::Now() < end && calls.load() < max_calls; };
  std::atomic<uint64_t> next_doc{0};
  Tally tally;
  auto paced = [&](double per_second, auto step) {
    const absl::Duration gap = absl::Seconds(1.0 / per_second);
    absl::Time next = absl::Now();
    while (going()) {
      step();
      calls.fetch_add(1);
      next += gap;
      const absl::Time now = absl::Now();
      if (next > now) {
        absl::SleepFor(next - now);
      } else {
        next = now;  // behind: do not burst to catch up
      }
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back([&] {  // ingest
    uint64_t seed = 1;
    paced(absl::GetFlag(FLAGS_ingest) / 50, [&] {
      neardup::v1::CheckAndAddBatchRequest batch;
      batch.set_collection("soak");
      for (int i = 0; i < 50; ++i) {
        const uint64_t n = next_doc.fetch_add(1);
        auto* d = batch.add_documents();
        d->set_id(absl::StrCat("d", n));
        // One in ten is a copy of an earlier document (a DUP answer).
        d->set_content(Words(n % 10 == 9 ? n / 2 + 1 : n + 1, 300));
      }
      tally.Add("CheckAndAddBatch", c->CheckAndAddBatch(batch).status());
      ++seed;
    });
  });
  for (int t = 0; t < absl::GetFlag(FLAGS_check_threads); ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      paced(absl::GetFlag(FLAGS_checks), [&] {
        neardup::v1::CheckRequest req;
        req.set_collection("soak");
        const uint64_t stored = std::max<uint64_t>(1, next_doc.load());
        req.mutable_document()->set_content(Words(
            rng() % 2 == 0 ? rng() % stored + 1 : 1000000000 + rng(), 300));
        tally.Add("Check", c->Check(req).status());
      });
    });
  }
  threads.emplace_back([&] {  // reads and deletes
    std::mt19937_64 rng(99);
    paced(50, [&] {
      const uint64_t stored = std::max<uint64_t>(1, next_doc.load());
      const std::string id = absl::StrCat("d", rng() % stored);
      absl::Status s = c->Get("soak", id).status();
      tally.Add("Get", absl::IsNotFound(s) ? absl::OkStatus() : s);
      if (rng() % 10 == 0) {
        s = c->Delete("soak", id);
        tally.Add("Delete", absl::IsNotFound(s) ? absl::OkStatus() : s);
      }
    });
  });
  threads.emplace_back([&] {  // large requests
    const std::string paragraph = Words(5, 80) + "\n";
    std::string big;
    while (big.size() < (4u << 20)) big += paragraph;
    neardup::v1::CompareRequest req;
    req.mutable_a()->set_content(big);
    req.mutable_b()->set_content(paragraph);
    paced(0.2, [&] { tally.Add("Compare 4 MiB", c->Compare(req).status()); });
  });
  threads.emplace_back([&] {  // admin, and the minute's report
    const int pid = absl::GetFlag(FLAGS_server_pid);
    uint64_t first = 0, peak = 0, last = 0;
    int minute = 0;
    paced(1.0 / 60, [&] {
      last = pid > 0 ? RssKb(pid) : 0;
      if (minute == 0) first = last;
      peak = std::max(peak, last);
      std::printf("minute %d: %lu documents sent, server RSS %lu MB\n", minute,
                  static_cast<unsigned long>(next_doc.load()),
                  static_cast<unsigned long>(last / 1024));
      std::fflush(stdout);
      ++minute;
      tally.Add("ListCollections", c->ListCollections().status());
    });
    std::printf("server RSS: first %lu MB, last %lu MB, highest %lu MB\n",
                static_cast<unsigned long>(first / 1024),
                static_cast<unsigned long>(last / 1024),
                static_cast<unsigned long>(peak / 1024));
  });
  for (std::thread& t : threads) t.join();
  auto verify = c->Verify();
  tally.Add("Verify", verify.status());
  if (verify.ok()) {
    std::printf("verify: %s, %lu documents\n",
                verify->clean() ? "clean" : "DAMAGED",
                static_cast<unsigned long>(verify->documents()));
  }
  std::printf("calls by rpc and status:\n");
  tally.Print();
  return 0;
}
