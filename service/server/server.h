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

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "service/api/service.h"
#include "service/common/executor.h"
#include "service/engine/engine.h"
#include "service/index/store.h"

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
    // Collection audits: threads (0: one per core) and memory budget;
    // their scratch files go to DB_PATH/audits.
    int audit_threads = 0;
    uint64_t audit_memory_bytes = uint64_t{1} << 30;
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

  // Stops accepting calls, lets in-flight calls finish until `grace` has
  // passed (then cancels them), and closes the store. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  NearDupServer() = default;

  // Declared so that destruction runs server_, service_, executor_ (which
  // finishes the calls still queued), engine_, then store_.
  std::unique_ptr<index::Store> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<api::NearDupService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace neardup::server

#endif  // NEARDUP_SERVICE_SERVER_SERVER_H_
