// NearDupServer: neardupd's server object. Owns the store, the engine, the
// executor that runs document work, the service and the gRPC server, with the
// standard health service (grpc.health.v1) and server reflection, so grpcurl
// can list and call it.
//
// Example:
//   NearDupServer::Options options;
//   options.listen = "127.0.0.1:0";
//   NEARDUP_ASSIGN_OR_RETURN(auto server, NearDupServer::Start(options));
//   Connect(absl::StrCat("127.0.0.1:", server->port()));
//   ...
//   server->Shutdown(absl::Seconds(10));  // or let it go out of scope
//
// Thread-safe.

#ifndef NEARDUP_SERVICE_SERVER_SERVER_H_
#define NEARDUP_SERVICE_SERVER_SERVER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "service/api/access.h"
#include "service/api/admission.h"
#include "service/api/service.h"
#include "service/common/executor.h"
#include "service/engine/engine.h"
#include "service/index/store.h"
#include "service/metrics/registry.h"
#include "service/replication/node.h"
#include "service/replication/replication_service.h"
#include "service/server/metrics_http.h"

namespace neardup::server {

class NearDupServer {
 public:
  struct Options {
    // RocksDB directory (created if missing).
    std::string db_path = "./data";
    // host:port to listen on; port 0 picks a free port (see port()).
    std::string listen = "127.0.0.1:50051";
    // Largest request accepted; larger ones get RESOURCE_EXHAUSTED.
    int max_message_bytes = 64 << 20;
    // Store options, see index::Store::Options.
    bool sync = false;
    // Open a database with a damaged write-ahead log at the last point
    // before the damage (index::Store::Options::salvage).
    bool salvage = false;
    size_t block_cache_bytes = size_t{256} << 20;
    // Memtables of all column families together.
    size_t write_buffer_bytes = size_t{256} << 20;
    // Threads that analyse and fingerprint documents (0: one per core),
    // and how many calls may wait for one before RESOURCE_EXHAUSTED.
    int worker_threads = 0;
    size_t max_queued_calls = 256;
    // Requests of at least large_request_bytes run on large_threads
    // threads of lower priority, with at most large_queued waiting;
    // requests queued or running hold at most max_inflight_bytes (at least
    // max_message_bytes). See api::Admission.
    size_t large_request_bytes = size_t{1} << 20;
    int large_threads = 1;
    size_t large_queued = 32;
    uint64_t max_inflight_bytes = uint64_t{512} << 20;
    // Concurrent calls on one connection, and how long a connection may
    // stay idle before the server closes it (0: never).
    int max_streams_per_connection = 100;
    absl::Duration max_connection_idle = absl::Minutes(10);
    // Bearer tokens with scopes (service/auth/tokens.h); empty: every
    // call allowed, which Start refuses on an address that is not
    // loopback unless allow_anonymous.
    std::string token_file;
    bool allow_anonymous = false;
    // TLS: the server's certificate chain and key (PEM). With
    // tls_client_ca_file, clients must present a certificate it signed
    // (mutual TLS). The files are read again every
    // tls_refresh_seconds, so renewed certificates need no restart.
    std::string tls_cert_file;
    std::string tls_key_file;
    std::string tls_client_ca_file;
    int tls_refresh_seconds = 60;
    // Prometheus metrics and /healthz over plain HTTP on this host:port
    // (port 0: any free one, see metrics_port()); empty: none.
    std::string metrics_listen;
    // Log one line per call (request id, peer, rpc, status, time).
    bool access_log = false;
    // Writes are refused below this much free disk (index::Store::Options).
    uint64_t min_free_bytes = 0;
    // Where the Backup rpc writes; empty: no backups.
    std::string backup_dir;
    // Collection audits: threads (0: one per core) and memory budget;
    // their scratch files go to DB_PATH/audits.
    int audit_threads = 0;
    uint64_t audit_memory_bytes = uint64_t{1} << 30;
    // A node of a replicated node group (service/replication/node.h) when
    // `node.etcd` is set; a single node otherwise. An empty
    // `node.advertise` becomes the listening host and port.
    replication::NodeOptions node;
    // Called (from a background thread) when this node's database must be
    // fetched again from the primary: the process should shut down and
    // start again (neardupd re-executes itself).
    std::function<void(const std::string&)> on_resync;
  };

  // Opens the store and starts serving. FAILED_PRECONDITION if the database
  // is locked by another process; UNAVAILABLE if the address cannot be
  // bound (in use, or not local).
  static absl::StatusOr<std::unique_ptr<NearDupServer>> Start(
      const Options& options);

  // Shuts down (see Shutdown) with a 10 s grace period.
  ~NearDupServer();

  NearDupServer(const NearDupServer&) = delete;
  NearDupServer& operator=(const NearDupServer&) = delete;

  // Returns the port the server listens on.
  int port() const { return port_; }

  // The store it serves, and the executor its calls run on (for
  // in-process benchmarks and tools).
  const index::Store& store() const { return *store_; }
  const Executor& executor() const { return *executor_; }
  const api::Admission& admission() const { return *admission_; }
  // The metrics HTTP port, or 0 without one.
  int metrics_port() const;
  const metrics::Registry& metrics() const { return *metrics_; }

  // Reads the token file again (neardupd does on SIGHUP); on error the
  // tokens in force stay.
  absl::Status ReloadTokens() { return access_->Reload(); }

  // True from Start until Shutdown while the store accepts writes (not
  // after a full disk or an I/O error stopped them); the gRPC health
  // service and /healthz say the same, within a second.
  // On a node of a group, also only while it is the primary holding its
  // lease, or a replica caught up with it (node.h, Node::Ready).
  bool serving() const {
    return serving_.load() && store_->writable() &&
           (node_ == nullptr || node_->Ready());
  }
  // The node of a group, or null for a single node.
  const replication::Node* node() const { return node_.get(); }

  // Stops accepting calls, lets in-flight calls finish until `grace` has
  // passed (then cancels them), and closes the store. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  NearDupServer() = default;

  // Declared so that destruction runs server_, service_, admission_, the
  // executors (which finish the calls still queued), engine_, then store_.
  std::unique_ptr<index::Store> store_;
  std::unique_ptr<replication::Node> node_;
  std::unique_ptr<replication::ReplicationService> replication_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Executor> large_executor_;
  std::unique_ptr<api::Admission> admission_;
  std::unique_ptr<api::Access> access_;
  std::unique_ptr<metrics::Registry> metrics_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  std::unique_ptr<api::NearDupService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::atomic<bool> serving_{true};
  // Keeps the health service in step with serving().
  std::thread health_watcher_;
  absl::Notification stop_watching_;
};

}  // namespace neardup::server

#endif  // NEARDUP_SERVICE_SERVER_SERVER_H_
