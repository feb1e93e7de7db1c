#include "service/server/server.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "service/common/status_macros.h"
#include "service/text/tokenizer.h"

namespace neardup::server {

absl::StatusOr<std::unique_ptr<NearDupServer>> NearDupServer::Start(
    const Options& options) {
  // Load the Chinese folding table and build the tokenizer's tables now: a
  // missing OpenCC install fails here, not on the first request, which
  // would also stall ~0.1 s.
  NEARDUP_RETURN_IF_ERROR(text::PrepareTokenizer());
  std::unique_ptr<NearDupServer> server(new NearDupServer());
  index::Store::Options store_options;
  store_options.path = options.db_path;
  store_options.sync = options.sync;
  store_options.salvage = options.salvage;
  store_options.block_cache_bytes = options.block_cache_bytes;
  store_options.write_buffer_bytes = options.write_buffer_bytes;
  NEARDUP_ASSIGN_OR_RETURN(server->store_, index::Store::Open(store_options));
  server->engine_ = std::make_unique<engine::Engine>(server->store_.get());
  server->executor_ = std::make_unique<Executor>(
      Executor::Options{options.worker_threads, options.max_queued_calls});
  api::NearDupService::Options service_options;
  service_options.audit_dir = options.db_path + "/audits";
  service_options.audit_threads = options.audit_threads;
  service_options.audit_memory_bytes = options.audit_memory_bytes;
  // Scratch of audits a crash interrupted.
  std::error_code ignored;
  std::filesystem::remove_all(service_options.audit_dir, ignored);
  server->service_ = std::make_unique<api::NearDupService>(
      server->engine_.get(), server->executor_.get(),
      std::move(service_options));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default, which would let a second server bind
  // the same port silently; a taken port must be an error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     ": address in use or not available"));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  return server;
}

NearDupServer::~NearDupServer() { Shutdown(absl::Seconds(10)); }

void NearDupServer::Shutdown(absl::Duration grace) {
  if (server_ != nullptr) {
    if (auto* health = server_->GetHealthCheckService()) {
      health->SetServingStatus(false);
    }
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
    server_.reset();
  }
  service_.reset();
  executor_.reset();
  engine_.reset();
  store_.reset();
}

}  // namespace neardup::server
