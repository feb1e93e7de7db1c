// neardupd: the neardup gRPC server. Parses flags, starts NearDupServer,
// and shuts it down cleanly on SIGINT or SIGTERM.

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "service/common/logging.h"
#include "service/index/store.h"
#include "service/server/server.h"

ABSL_FLAG(std::string, db, "./data", "RocksDB directory (created if missing)");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to listen on (host:port; port 0 picks a free port)");
ABSL_FLAG(bool, sync, false,
          "fsync the write-ahead log before acknowledging each write "
          "(survives power loss; slower)");
ABSL_FLAG(int, max_message_mb, 64, "largest request accepted, in MiB");
ABSL_FLAG(int, block_cache_mb, 256, "RocksDB block cache, in MiB");
ABSL_FLAG(int, write_buffer_mb, 256,
          "RocksDB memtables of all column families together, in MiB");
ABSL_FLAG(int, grace_seconds, 10,
          "on SIGINT/SIGTERM, how long in-flight calls may take to finish");
ABSL_FLAG(int, threads, 0, "threads that analyse documents (0: one per core)");
ABSL_FLAG(int, max_queued, 256,
          "calls that may wait for a thread; more are refused with "
          "RESOURCE_EXHAUSTED");
ABSL_FLAG(bool, verbose, false, "log every failed call");
ABSL_FLAG(bool, verify, false,
          "check the database at --db (every document has all its index "
          "keys, no key is orphaned, counts are right, the write-ahead log "
          "is whole), print a report and exit: 0 clean, 1 damaged; changes "
          "nothing and does not serve");
ABSL_FLAG(bool, salvage, false,
          "open a database whose write-ahead log is damaged at the last "
          "consistent point before the damage, dropping the writes after it "
          "(logged as an error); without it such a database is refused. "
          "With --verify: check what salvaging would keep, changing nothing");

namespace {

// --verify: returns the exit status.
int VerifyDatabase(const std::string& path, bool salvage) {
  if (!std::filesystem::exists(path + "/CURRENT")) {
    std::fprintf(stderr, "neardupd: no database at %s\n", path.c_str());
    return 1;
  }
  neardup::index::Store::Options options;
  options.path = path;
  options.read_only = true;  // a check changes nothing
  options.salvage = salvage;
  auto store = neardup::index::Store::Open(options);
  if (!store.ok()) {
    if (absl::IsDataLoss(store.status())) {
      std::printf("DAMAGED: %s\n",
                  std::string(store.status().message()).c_str());
    } else {
      std::fprintf(stderr, "neardupd: %s\n",
                   std::string(store.status().message()).c_str());
    }
    return 1;
  }
  auto report = (*store)->Verify();
  if (!report.ok()) {
    std::fprintf(stderr, "neardupd: %s\n",
                 std::string(report.status().message()).c_str());
    return 1;
  }
  std::printf(
      "%s: %llu collections, %llu documents, %llu index keys; %llu missing, "
      "%llu orphaned\n",
      report->ok() ? "clean" : "DAMAGED",
      static_cast<unsigned long long>(report->collections),
      static_cast<unsigned long long>(report->documents),
      static_cast<unsigned long long>(report->index_keys),
      static_cast<unsigned long long>(report->missing_keys),
      static_cast<unsigned long long>(report->orphan_keys));
  for (const std::string& p : report->problems) {
    std::printf("  %s\n", p.c_str());
  }
  return report->ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "neardup near-duplicate detection server.\n"
      "Usage: neardupd [--db DIR] [--listen HOST:PORT] [--sync] [--salvage]\n"
      "       neardupd --verify [--db DIR] [--salvage]");
  absl::ParseCommandLine(argc, argv);
  // Keep memory freed after a request for the next one instead of handing
  // it back to the kernel: a large document touches tens of MB of fresh
  // pages, and page faults cost more than the text pipeline itself on
  // virtual machines (docs/BENCHMARKS.md). Bounded by the largest request.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  if (absl::GetFlag(FLAGS_verbose)) {
    neardup::SetMinLogLevel(neardup::LogLevel::kDebug);
  }
  if (absl::GetFlag(FLAGS_verify))
    return VerifyDatabase(absl::GetFlag(FLAGS_db),
                          absl::GetFlag(FLAGS_salvage));

  // Block the shutdown signals in every thread (gRPC's threads inherit this
  // mask); this thread then waits for them synchronously.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Sizes in MiB: bounded so the byte counts cannot overflow.
  const int max_message_mb = absl::GetFlag(FLAGS_max_message_mb);
  const int block_cache_mb = absl::GetFlag(FLAGS_block_cache_mb);
  const int write_buffer_mb = absl::GetFlag(FLAGS_write_buffer_mb);
  const int grace_seconds = absl::GetFlag(FLAGS_grace_seconds);
  if (max_message_mb < 1 || max_message_mb > 1024) {
    std::fprintf(stderr, "neardupd: --max_message_mb must be in [1, 1024]\n");
    return 2;
  }
  if (block_cache_mb < 0 || block_cache_mb > (1 << 20)) {
    std::fprintf(stderr,
                 "neardupd: --block_cache_mb must be in [0, 1048576]\n");
    return 2;
  }
  if (write_buffer_mb < 8 || write_buffer_mb > (1 << 16)) {
    std::fprintf(stderr, "neardupd: --write_buffer_mb must be in [8, 65536]\n");
    return 2;
  }
  const int threads = absl::GetFlag(FLAGS_threads);
  const int max_queued = absl::GetFlag(FLAGS_max_queued);
  if (threads < 0 || threads > 1024) {
    std::fprintf(stderr, "neardupd: --threads must be in [0, 1024]\n");
    return 2;
  }
  if (max_queued < 1 || max_queued > 1000000) {
    std::fprintf(stderr, "neardupd: --max_queued must be in [1, 1000000]\n");
    return 2;
  }
  if (grace_seconds < 0) {
    std::fprintf(stderr, "neardupd: --grace_seconds must be >= 0\n");
    return 2;
  }

  neardup::server::NearDupServer::Options options;
  options.db_path = absl::GetFlag(FLAGS_db);
  options.listen = absl::GetFlag(FLAGS_listen);
  options.sync = absl::GetFlag(FLAGS_sync);
  options.salvage = absl::GetFlag(FLAGS_salvage);
  options.max_message_bytes = max_message_mb << 20;
  options.block_cache_bytes = static_cast<size_t>(block_cache_mb) << 20;
  options.write_buffer_bytes = static_cast<size_t>(write_buffer_mb) << 20;
  options.worker_threads = threads;
  options.max_queued_calls = static_cast<size_t>(max_queued);
  auto server = neardup::server::NearDupServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "neardupd: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  // Scripts and tests read this line to learn the port.
  NEARDUP_LOG(kInfo,
              absl::StrCat("neardupd listening on ",
                           options.listen.substr(0, options.listen.rfind(':')),
                           ":", (*server)->port(), " db ", options.db_path));

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  NEARDUP_LOG(kInfo, absl::StrCat("signal ", signal_number, ": shutting down"));
  (*server)->Shutdown(absl::Seconds(grace_seconds));
  NEARDUP_LOG(kInfo, "stopped");
  return 0;
}
