#include "service/server/server.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server_builder.h"
#include "service/api/call_observer.h"
#include "service/common/status_macros.h"
#include "service/replication/staleness.h"
#include "service/server/server_metrics.h"
#include "service/text/tokenizer.h"

namespace neardup::server {
namespace {

// True for a listen address only this machine can reach.
bool IsLoopback(const std::string& listen) {
  const std::string host = listen.substr(0, listen.rfind(':'));
  return absl::StartsWith(host, "127.") || host == "localhost" ||
         host == "[::1]" || host == "ipv6:[::1]" || host == "ipv4:127.0.0.1" ||
         absl::StartsWith(host, "unix:");
}

// The server's credentials: TLS from files watched for renewal, or none.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> CredentialsFor(
    const NearDupServer::Options& options) {
  if (options.tls_cert_file.empty() && options.tls_key_file.empty()) {
    if (!options.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "a client CA (mutual TLS) needs the server's own certificate and "
          "key");
    }
    return grpc::InsecureServerCredentials();
  }
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both a certificate and its key");
  }
  for (const std::string* f : {&options.tls_cert_file, &options.tls_key_file,
                               &options.tls_client_ca_file}) {
    if (f->empty()) continue;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*f, ec)) {
      return absl::NotFoundError(absl::StrCat("cannot read TLS file ", *f));
    }
  }
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          options.tls_key_file, options.tls_cert_file,
          options.tls_client_ca_file,
          static_cast<unsigned>(std::max(1, options.tls_refresh_seconds)));
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (!options.tls_client_ca_file.empty()) {
    tls.watch_root_certs();
    tls.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(tls);
}

}  // namespace

absl::StatusOr<std::unique_ptr<NearDupServer>> NearDupServer::Start(
    const Options& options) {
  // Load the Chinese folding table and build the tokenizer's tables now: a
  // missing OpenCC install fails here, not on the first request, which
  // would also stall ~0.1 s.
  if (options.max_inflight_bytes <
      static_cast<uint64_t>(options.max_message_bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the in-flight request bytes (", options.max_inflight_bytes,
        ") must be at least the largest request (", options.max_message_bytes,
        ")"));
  }
  if (options.token_file.empty() && !options.allow_anonymous &&
      !IsLoopback(options.listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing to serve ", options.listen,
        " without a token file: anyone who can reach it could read, write "
        "and drop every collection. Give a token file, or allow anonymous "
        "access explicitly"));
  }
  NEARDUP_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                           CredentialsFor(options));
  std::unique_ptr<api::Access> access;
  if (options.token_file.empty()) {
    access = std::make_unique<api::Access>();
  } else {
    NEARDUP_ASSIGN_OR_RETURN(access, api::Access::FromFile(options.token_file));
  }
  NEARDUP_RETURN_IF_ERROR(text::PrepareTokenizer());
  std::unique_ptr<NearDupServer> server(new NearDupServer());
  server->access_ = std::move(access);
  index::Store::Options store_options;
  store_options.path = options.db_path;
  store_options.sync = options.sync;
  store_options.salvage = options.salvage;
  store_options.block_cache_bytes = options.block_cache_bytes;
  store_options.write_buffer_bytes = options.write_buffer_bytes;
  store_options.min_free_bytes = options.min_free_bytes;
  if (!options.node.etcd.empty()) {
    NEARDUP_ASSIGN_OR_RETURN(
        std::unique_ptr<replication::EtcdClient> etcd,
        replication::EtcdClient::Connect(options.node.etcd));
    NEARDUP_RETURN_IF_ERROR(
        replication::PrepareDatabase(options.node, *etcd, options.db_path));
    replication::NodeOptions node = options.node;
    if (node.advertise.empty()) {
      if (absl::EndsWith(options.listen, ":0")) {
        return absl::InvalidArgumentError(
            "a node listening on port 0 must be told the address the other "
            "nodes reach it at (advertise)");
      }
      node.advertise = options.listen;
    }
    server->node_ =
        std::make_unique<replication::Node>(std::move(node), std::move(etcd));
    replication::Node* n = server->node_.get();
    store_options.before_write = [n] { return n->BeforeWrite(); };
    store_options.after_write = [n](uint64_t seq, bool ack_replica) {
      return n->AfterWrite(seq, ack_replica);
    };
    // What a replica that was away can still pull instead of a whole
    // checkpoint: an hour, at most 4 GB of log.
    store_options.wal_ttl_seconds = 3600;
    store_options.wal_size_limit_mb = 4096;
    store_options.allow_import = false;
  }
  NEARDUP_ASSIGN_OR_RETURN(server->store_, index::Store::Open(store_options));
  server->engine_ = std::make_unique<engine::Engine>(server->store_.get());
  server->executor_ = std::make_unique<Executor>(
      Executor::Options{options.worker_threads, options.max_queued_calls});
  // Niceness 10: about a tenth of the CPU share of a normal thread when
  // both want a core (the kernel weighs nice levels 1.25x apart).
  server->large_executor_ = std::make_unique<Executor>(Executor::Options{
      options.large_threads, options.large_queued, /*nice=*/10});
  api::Admission::Options admission;
  admission.large_request_bytes = options.large_request_bytes;
  admission.max_inflight_bytes = options.max_inflight_bytes;
  server->admission_ = std::make_unique<api::Admission>(
      server->executor_.get(), server->large_executor_.get(), admission);
  api::NearDupService::Options service_options;
  service_options.audit_dir = options.db_path + "/audits";
  service_options.audit_threads = options.audit_threads;
  service_options.audit_memory_bytes = options.audit_memory_bytes;
  service_options.backup_dir = options.backup_dir;
  // Scratch of audits a crash interrupted.
  std::error_code ignored;
  std::filesystem::remove_all(service_options.audit_dir, ignored);
  server->service_ = std::make_unique<api::NearDupService>(
      server->engine_.get(), server->admission_.get(), server->access_.get(),
      std::move(service_options));

  server->metrics_ = std::make_unique<metrics::Registry>();
  RegisterServerMetrics(server->store_.get(), server->admission_.get(),
                        server->metrics_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default, which would let a second server bind
  // the same port silently; a taken port must be an error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             options.max_streams_per_connection);
  if (options.max_connection_idle > absl::ZeroDuration()) {
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_IDLE_MS,
        static_cast<int>(std::min<int64_t>(
            absl::ToInt64Milliseconds(options.max_connection_idle),
            std::numeric_limits<int>::max())));
  }
  builder.AddListeningPort(options.listen, credentials, &server->port_);
  builder.RegisterService(server->service_.get());
  if (server->node_ != nullptr) {
    server->replication_ = std::make_unique<replication::ReplicationService>(
        server->node_.get(), server->store_.get());
    builder.RegisterService(server->replication_.get());
  }
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<api::CallObserverFactory>(
      api::CallObserverFactory::Options{server->metrics_.get(),
                                        options.access_log}));
  if (server->node_ != nullptr) {
    interceptors.push_back(
        std::make_unique<replication::StalenessInterceptorFactory>(
            server->node_.get()));
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     ": address in use or not available"));
  }
  if (server->node_ != nullptr) {
    NEARDUP_RETURN_IF_ERROR(
        server->node_->Start(server->store_.get(), options.on_resync));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  server->server_->GetHealthCheckService()->SetServingStatus(
      v1::NearDup::service_full_name(), true);
  server->health_watcher_ = std::thread([self = server.get()] {
    bool reported = true;
    while (!self->stop_watching_.WaitForNotificationWithTimeout(
        absl::Seconds(1))) {
      const bool now = self->serving();
      if (now == reported) continue;
      reported = now;
      auto* health = self->server_->GetHealthCheckService();
      health->SetServingStatus(now);
      health->SetServingStatus(v1::NearDup::service_full_name(), now);
    }
  });
  if (!options.metrics_listen.empty()) {
    const NearDupServer* self = server.get();
    NEARDUP_ASSIGN_OR_RETURN(
        server->metrics_http_,
        MetricsHttpServer::Start(options.metrics_listen, server->metrics_.get(),
                                 [self] { return self->serving(); }));
  }
  return server;
}

NearDupServer::~NearDupServer() { Shutdown(absl::Seconds(10)); }

int NearDupServer::metrics_port() const {
  return metrics_http_ == nullptr ? 0 : metrics_http_->port();
}

void NearDupServer::Shutdown(absl::Duration grace) {
  serving_.store(false);
  // Gives up the lease first: another node is elected at once, and pulls
  // end.
  if (node_ != nullptr) node_->Stop();
  if (health_watcher_.joinable()) {
    stop_watching_.Notify();
    health_watcher_.join();
  }
  metrics_http_.reset();
  if (server_ != nullptr) {
    if (auto* health = server_->GetHealthCheckService()) {
      health->SetServingStatus(false);
    }
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
    server_.reset();
  }
  service_.reset();
  replication_.reset();
  admission_.reset();
  access_.reset();
  large_executor_.reset();
  executor_.reset();
  engine_.reset();
  node_.reset();
  store_.reset();
}

}  // namespace neardup::server
