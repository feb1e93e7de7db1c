// neardupd: the neardup gRPC server. Parses flags, starts NearDupServer,
// and shuts it down cleanly on SIGINT or SIGTERM; a replica that must fetch
// its database again re-executes itself (SIGUSR2 from its own Node).

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/common/logging.h"
#include "service/common/process_limits.h"
#include "service/common/version.h"
#include "service/index/store.h"
#include "service/server/config_file.h"
#include "service/server/server.h"
#include "service/sketch/fingerprint.h"

ABSL_FLAG(std::string, config, "",
          "a TOML file of flag values (keys are flag names); flags on the "
          "command line override it");
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
ABSL_FLAG(int, large_request_kb, 1024,
          "requests of at least this many KiB run on a pool of their own, at "
          "a lower priority, so they never hold the threads short calls need");
ABSL_FLAG(int, large_threads, 1, "threads of the large-request pool");
ABSL_FLAG(int, large_queued, 32,
          "large requests that may wait for a thread; more are refused with "
          "RESOURCE_EXHAUSTED");
ABSL_FLAG(int, max_inflight_mb, 512,
          "bytes of requests queued or running, at most, in MiB (at least "
          "--max_message_mb); calls past it are refused with "
          "RESOURCE_EXHAUSTED and a retry hint");
ABSL_FLAG(int, max_streams, 100, "concurrent calls on one connection");
ABSL_FLAG(int, idle_timeout_s, 600,
          "close a connection idle this many seconds (0: never)");
ABSL_FLAG(std::string, token_file, "",
          "bearer tokens with scopes per collection (docs/OPERATIONS.md); "
          "read again on SIGHUP. Without it every call is allowed, which is "
          "refused on an address that is not loopback unless "
          "--allow_anonymous");
ABSL_FLAG(bool, allow_anonymous, false,
          "serve a non-loopback address without a token file");
ABSL_FLAG(std::string, tls_cert, "",
          "TLS: the server's certificate chain (PEM); with --tls_key, only "
          "TLS connections are accepted. Read again every minute");
ABSL_FLAG(std::string, tls_key, "", "TLS: the server's private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "mutual TLS: clients must present a certificate this CA (PEM) "
          "signed");
ABSL_FLAG(std::string, metrics_listen, "",
          "serve Prometheus metrics (/metrics) and a health probe (/healthz) "
          "over HTTP on this host:port, e.g. 127.0.0.1:9464; empty: off");
ABSL_FLAG(bool, access_log, false,
          "log one line per call: request id, peer, rpc, status, time");
ABSL_FLAG(int, min_free_mb, 128,
          "refuse writes (RESOURCE_EXHAUSTED) while less than this many MiB "
          "are free on the database's file system, keeping room for "
          "RocksDB's flushes and compactions; 0: no floor");
ABSL_FLAG(std::string, backup_dir, "",
          "where the Backup rpc (neardup admin backup) writes RocksDB "
          "backups, incremental; empty: no backups");
ABSL_FLAG(bool, verbose, false, "log every failed call");
ABSL_FLAG(std::string, etcd, "",
          "etcd endpoints (host:port,...): run as a node of the node group "
          "--group, replicated, with failover (docs/SCALE.md); empty: a "
          "single node");
ABSL_FLAG(std::string, group, "default", "the node group this node is in");
ABSL_FLAG(std::string, node_name, "",
          "this node's name, unique in its group (default: the host name)");
ABSL_FLAG(std::string, advertise, "",
          "host:port the other nodes and clients reach this node at "
          "(default: --listen)");
ABSL_FLAG(int, lease_seconds, 2,
          "TTL of the node's etcd lease: a dead primary is replaced after "
          "about this long");
ABSL_FLAG(std::string, ack, "primary",
          "when a write is answered: 'primary' (once the primary has it) or "
          "'replica' (once a replica has it too)");
ABSL_FLAG(int, ack_timeout_ms, 5000,
          "--ack replica: how long a write waits for a replica before "
          "UNAVAILABLE");
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
      "Usage: neardupd [--db DIR] [--listen HOST:PORT] [--sync] [--salvage] "
      "[flags]\n"
      "       neardupd --verify [--db DIR] [--salvage]\n"
      "Every flag is described in docs/OPERATIONS.md.");
  // --help lists the flags of this file (Abseil's default looks for a file
  // named after the program), and --version prints the release.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "service/server/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] {
    return absl::StrCat("neardupd ", neardup::kVersion,
                        " (fingerprint version ",
                        neardup::sketch::kFingerprintVersion, ")\n");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);
  if (const std::string config = absl::GetFlag(FLAGS_config); !config.empty()) {
    absl::Status s = neardup::server::ApplyConfigFile(
        config, neardup::server::FlagsGiven(argc, argv));
    if (!s.ok()) {
      std::fprintf(stderr, "neardupd: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
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
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR2);  // a replica must fetch its database again
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
  const int large_request_kb = absl::GetFlag(FLAGS_large_request_kb);
  const int large_threads = absl::GetFlag(FLAGS_large_threads);
  const int large_queued = absl::GetFlag(FLAGS_large_queued);
  const int max_inflight_mb = absl::GetFlag(FLAGS_max_inflight_mb);
  const int max_streams = absl::GetFlag(FLAGS_max_streams);
  const int idle_timeout_s = absl::GetFlag(FLAGS_idle_timeout_s);
  if (large_request_kb < 1 || large_request_kb > (1 << 20)) {
    std::fprintf(stderr,
                 "neardupd: --large_request_kb must be in [1, 1048576]\n");
    return 2;
  }
  if (large_threads < 1 || large_threads > 1024) {
    std::fprintf(stderr, "neardupd: --large_threads must be in [1, 1024]\n");
    return 2;
  }
  if (large_queued < 1 || large_queued > 1000000) {
    std::fprintf(stderr, "neardupd: --large_queued must be in [1, 1000000]\n");
    return 2;
  }
  if (max_inflight_mb < max_message_mb || max_inflight_mb > (1 << 20)) {
    std::fprintf(stderr,
                 "neardupd: --max_inflight_mb must be in [--max_message_mb, "
                 "1048576]\n");
    return 2;
  }
  if (max_streams < 1) {
    std::fprintf(stderr, "neardupd: --max_streams must be >= 1\n");
    return 2;
  }
  if (idle_timeout_s < 0) {
    std::fprintf(stderr, "neardupd: --idle_timeout_s must be >= 0\n");
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
  options.large_request_bytes = static_cast<size_t>(large_request_kb) << 10;
  options.large_threads = large_threads;
  options.large_queued = static_cast<size_t>(large_queued);
  options.max_inflight_bytes = static_cast<uint64_t>(max_inflight_mb) << 20;
  options.max_streams_per_connection = max_streams;
  options.max_connection_idle = absl::Seconds(idle_timeout_s);
  options.token_file = absl::GetFlag(FLAGS_token_file);
  options.allow_anonymous = absl::GetFlag(FLAGS_allow_anonymous);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.access_log = absl::GetFlag(FLAGS_access_log);
  const int min_free_mb = absl::GetFlag(FLAGS_min_free_mb);
  if (min_free_mb < 0) {
    std::fprintf(stderr, "neardupd: --min_free_mb must be >= 0\n");
    return 2;
  }
  options.min_free_bytes = static_cast<uint64_t>(min_free_mb) << 20;
  options.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  options.node.etcd = absl::GetFlag(FLAGS_etcd);
  options.node.group = absl::GetFlag(FLAGS_group);
  options.node.name = absl::GetFlag(FLAGS_node_name);
  if (options.node.name.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    options.node.name = host;
  }
  options.node.advertise = absl::GetFlag(FLAGS_advertise);
  options.node.lease_seconds = absl::GetFlag(FLAGS_lease_seconds);
  const std::string ack = absl::GetFlag(FLAGS_ack);
  if (ack != "primary" && ack != "replica") {
    std::fprintf(stderr, "neardupd: --ack must be primary or replica\n");
    return 2;
  }
  if (options.node.lease_seconds < 1) {
    std::fprintf(stderr, "neardupd: --lease_seconds must be >= 1\n");
    return 2;
  }
  options.node.ack_replica = ack == "replica";
  options.node.ack_timeout =
      absl::Milliseconds(absl::GetFlag(FLAGS_ack_timeout_ms));
  // A replica whose database must be fetched again restarts itself.
  options.on_resync = [](const std::string&) { kill(getpid(), SIGUSR2); };
  // Every connection is a descriptor: at the default 1,024 a few hundred
  // idle clients and RocksDB's files starve the accept loop.
  const uint64_t open_files = neardup::RaiseOpenFileLimit();
  if (open_files < 4096) {
    NEARDUP_LOG(kWarning,
                absl::StrCat("open file limit is ", open_files,
                             "; raise the hard limit (LimitNOFILE=, ulimit "
                             "-Hn) to serve many connections"));
  }
  auto server = neardup::server::NearDupServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "neardupd: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  // Scripts and tests read this line to learn the port.
  NEARDUP_LOG(
      kInfo,
      absl::StrCat(
          "neardupd listening on ",
          options.listen.substr(0, options.listen.rfind(':')), ":",
          (*server)->port(), " db ", options.db_path,
          options.tls_cert_file.empty() ? "" : ", TLS",
          options.tls_client_ca_file.empty() ? "" : " with client certificates",
          options.token_file.empty() ? ", no tokens" : ", tokens required"));
  if ((*server)->metrics_port() != 0) {
    const std::string& m = options.metrics_listen;
    NEARDUP_LOG(kInfo,
                absl::StrCat("metrics on http://", m.substr(0, m.rfind(':')),
                             ":", (*server)->metrics_port(), "/metrics"));
  }

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    absl::Status reloaded = (*server)->ReloadTokens();
    if (reloaded.ok()) {
      NEARDUP_LOG(kInfo, "SIGHUP: token file read again");
    } else {
      NEARDUP_LOG(kError, absl::StrCat("SIGHUP: token file not reloaded, the "
                                       "old tokens stay: ",
                                       reloaded.ToString()));
    }
  }
  if (signal_number == SIGUSR2) {
    // The replica cannot follow its primary from what it holds: start
    // again, and PrepareDatabase fetches a checkpoint first.
    NEARDUP_LOG(kWarning, "restarting to fetch the database from the primary");
    (*server)->Shutdown(absl::Seconds(1));
    server->reset();
    absl::Status marked = neardup::replication::MarkForResync(
        options.db_path, "replica diverged or fell behind the log");
    if (!marked.ok()) {
      std::fprintf(stderr, "neardupd: %s\n",
                   std::string(marked.message()).c_str());
      return 1;
    }
    execv("/proc/self/exe", argv);
    std::fprintf(stderr, "neardupd: cannot restart: %s\n", strerror(errno));
    return 1;
  }
  NEARDUP_LOG(kInfo, absl::StrCat("signal ", signal_number, ": shutting down"));
  (*server)->Shutdown(absl::Seconds(grace_seconds));
  NEARDUP_LOG(kInfo, "stopped");
  return 0;
}
