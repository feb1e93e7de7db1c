#include "service/server/metrics_http.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace neardup::server {

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, const metrics::Registry* registry,
    std::function<bool()> serving) {
  const size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address is not HOST:PORT: ", listen));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  server->http_ = std::make_unique<httplib::Server>();
  // Two threads: a scrape or a probe at a time is all this serves.
  server->http_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server->http_->Get(
      "/metrics", [registry](const httplib::Request&, httplib::Response& res) {
        res.set_content(registry->Render(), "text/plain; version=0.0.4");
      });
  server->http_->Get(
      "/healthz", [serving = std::move(serving)](const httplib::Request&,
                                                 httplib::Response& res) {
        const bool ok = serving();
        res.status = ok ? 200 : 503;
        res.set_content(ok ? "serving\n" : "not serving\n", "text/plain");
      });
  const int bound = port == 0
                        ? server->http_->bind_to_any_port(host)
                        : (server->http_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for metrics on ", listen,
                     ": address in use or not available"));
  }
  server->port_ = bound;
  httplib::Server* http = server->http_.get();
  server->thread_ = std::thread([http] { http->listen_after_bind(); });
  return server;
}

MetricsHttpServer::~MetricsHttpServer() {
  if (http_ != nullptr) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace neardup::server
