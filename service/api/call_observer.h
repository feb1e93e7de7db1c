// CallObserver: a gRPC server interceptor that sees every call of the
// server, ours and the health and reflection services':
//
// - each call gets a request id: the client's "x-request-id" metadata if
//   it sent one (up to 64 printable characters), else a new one; it is
//   sent back as "x-request-id" initial metadata and names the call in
//   the access log;
// - a request gRPC could not parse (not protobuf, or a string field that
//   is not UTF-8) is answered INVALID_ARGUMENT saying so, instead of the
//   bare UNIMPLEMENTED gRPC's callback API sends for it;
// - when a call ends, its latency goes into the metrics registry by rpc
//   and status code, and, with the access log on, one line is logged:
//   "access rid=ID peer=ADDR rpc=NAME code=CODE ms=MILLISECONDS".
//
// Example:
//   std::vector<std::unique_ptr<
//       grpc::experimental::ServerInterceptorFactoryInterface>> creators;
//   creators.push_back(std::make_unique<CallObserverFactory>(
//       CallObserverFactory::Options{&registry, /*access_log=*/true}));
//   builder.experimental().SetInterceptorCreators(std::move(creators));
//
// Thread-safe.

#ifndef NEARDUP_SERVICE_API_CALL_OBSERVER_H_
#define NEARDUP_SERVICE_API_CALL_OBSERVER_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "grpcpp/support/server_interceptor.h"
#include "service/metrics/registry.h"

namespace neardup::api {

class CallObserverFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  struct Options {
    metrics::Registry* metrics = nullptr;  // not owned; may be null
    bool access_log = false;
  };

  explicit CallObserverFactory(const Options& options);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // A new request id, unique in this process and unlikely to repeat
  // across restarts.
  std::string NextRequestId();

  const Options& options() const { return options_; }

 private:
  const Options options_;
  const uint32_t process_tag_;
  std::atomic<uint64_t> next_{1};
};

// The metadata key of request ids.
inline constexpr char kRequestIdKey[] = "x-request-id";

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_CALL_OBSERVER_H_
