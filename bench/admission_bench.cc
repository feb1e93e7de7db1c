// admission_bench: how long a short Check waits while large requests run.
//
// Starts a NearDupServer on 127.0.0.1:0 (a scratch database), stores
// --docs documents, then sends --large Compare calls of --large_mb MiB of
// repeated paragraphs at once (the slowest request there is: its repeats
// pair up), while one client sends Checks of a 300-word document back to
// back until they have all ended. Prints the Checks' latency (p50, p99,
// max), how the large calls ended, their wall time, and the process's
// peak RSS. --large_request_kb 0 puts the large calls in the same pool as
// the Checks (the server before admission control).
//
//   build/release/bench/admission_bench --large 8 --large_mb 32
//   build/release/bench/admission_bench --large 8 --large_mb 32
//       --large_request_kb 0    (one line)

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
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
#include "service/server/server.h"

ABSL_FLAG(int, docs, 1000, "documents stored before the run");
ABSL_FLAG(int, large, 8, "large Compare calls sent at once");
ABSL_FLAG(int, large_mb, 32, "MiB of text in each large call");
ABSL_FLAG(int, large_request_kb, 1024,
          "the server's large-request threshold; 0: one pool for all");
ABSL_FLAG(int, max_inflight_mb, 1024, "the server's in-flight bound");
ABSL_FLAG(int, max_checks, 200000, "Checks at most (the loop's bound)");

namespace {

// Pseudo-words from a fixed seed (xorshift), `words` of them.
std::string Words(uint64_t seed, int words) {
  std::string out;
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (int i = 0; i < words; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const int len = 3 + static_cast<int>(x % 7);
    for (int k = 0; k < len; ++k) {
      out.push_back(static_cast<char>('a' + (x >> (8 + 5 * k)) % 26));
    }
    out.push_back(i % 12 == 11 ? '\n' : ' ');
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::StrCat("/tmp/admission_bench_", getpid());
  neardup::server::NearDupServer::Options options;
  options.db_path = dir;
  options.listen = "127.0.0.1:0";
  const int large_kb = absl::GetFlag(FLAGS_large_request_kb);
  options.large_request_bytes =
      large_kb == 0 ? (size_t{1} << 40) : static_cast<size_t>(large_kb) << 10;
  options.max_inflight_bytes =
      static_cast<uint64_t>(absl::GetFlag(FLAGS_max_inflight_mb)) << 20;
  options.max_queued_calls = 1024;
  auto server = neardup::server::NearDupServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  const std::string target = absl::StrCat("127.0.0.1:", (*server)->port());
  neardup::client::Client::Options client_options;
  client_options.timeout = absl::Minutes(10);
  auto client = neardup::client::Client::Connect(target, client_options);
  if (!client.ok() || !(*client)->CreateCollection("c", {}).ok()) return 1;
  for (int i = 0; i < absl::GetFlag(FLAGS_docs); ++i) {
    neardup::v1::AddRequest add;
    add.set_collection("c");
    add.mutable_document()->set_id(absl::StrCat("d", i));
    add.mutable_document()->set_content(Words(1000 + i, 400));
    if (!(*client)->Add(add).ok()) return 1;
  }

  const std::string paragraph = Words(7, 80) + "\n";
  std::string big;
  while (big.size() <
         (static_cast<size_t>(absl::GetFlag(FLAGS_large_mb)) << 20)) {
    big += paragraph;
  }
  neardup::v1::CompareRequest compare;
  compare.mutable_a()->set_content(big);
  compare.mutable_b()->set_content(paragraph + paragraph);

  std::atomic<int> running{absl::GetFlag(FLAGS_large)};
  std::mutex mu;
  std::map<std::string, int> outcomes;
  const absl::Time start = absl::Now();
  std::vector<std::thread> large;
  for (int i = 0; i < absl::GetFlag(FLAGS_large); ++i) {
    large.emplace_back([&] {
      auto c = neardup::client::Client::Connect(target, client_options);
      absl::Status s = c.ok() ? (*c)->Compare(compare).status() : c.status();
      {
        std::lock_guard<std::mutex> lock(mu);
        ++outcomes[absl::StatusCodeToString(s.code())];
      }
      running.fetch_sub(1);
    });
  }
  neardup::v1::CheckRequest check;
  check.set_collection("c");
  check.mutable_document()->set_content(Words(5, 300));
  std::vector<double> ms;
  const int max_checks = absl::GetFlag(FLAGS_max_checks);
  while (running.load() > 0 && static_cast<int>(ms.size()) < max_checks) {
    const absl::Time t0 = absl::Now();
    if (!(*client)->Check(check).ok()) return 1;
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  for (std::thread& t : large) t.join();
  const double wall = absl::ToDoubleSeconds(absl::Now() - start);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("large calls: %d x %d MiB, ended in %.1f s:",
              absl::GetFlag(FLAGS_large), absl::GetFlag(FLAGS_large_mb), wall);
  for (const auto& [code, n] : outcomes) std::printf(" %s %d", code.c_str(), n);
  std::printf(
      "\nchecks meanwhile: %zu, p50 %.2f ms, p99 %.2f ms, max %.1f ms\n",
      ms.size(), Percentile(ms, 0.5), Percentile(ms, 0.99),
      ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()));
  std::printf("peak RSS %.0f MB\n", ru.ru_maxrss / 1024.0);
  client->reset();
  server->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
