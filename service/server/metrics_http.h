// MetricsHttpServer: neardupd's plain-HTTP side door for Prometheus and
// for probes that cannot speak gRPC (cpp-httplib, Debian's
// libcpp-httplib-dev):
//
//   GET /metrics  the registry's exposition page (text/plain; version=0.0.4)
//   GET /healthz  200 "serving" while `serving()` is true, else 503
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(auto http,
//       MetricsHttpServer::Start("127.0.0.1:9464", &registry, [] { ... }));
//   int port = http->port();
//
// Thread-safe; the destructor stops it.

#ifndef NEARDUP_SERVICE_SERVER_METRICS_HTTP_H_
#define NEARDUP_SERVICE_SERVER_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "service/metrics/registry.h"

namespace httplib {
class Server;
}

namespace neardup::server {

class MetricsHttpServer {
 public:
  // Listens on `listen` ("host:port", port 0 for any free one).
  // UNAVAILABLE if it cannot be bound. `registry` must outlive it.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& listen, const metrics::Registry* registry,
      std::function<bool()> serving);

  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  int port() const { return port_; }

 private:
  MetricsHttpServer() = default;

  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace neardup::server

#endif  // NEARDUP_SERVICE_SERVER_METRICS_HTTP_H_
