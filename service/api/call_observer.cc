#include "service/api/call_observer.h"

#include <string_view>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/server_context.h"
#include "neardup/v1/neardup.grpc.pb.h"
#include "service/common/logging.h"

namespace neardup::api {
namespace {

constexpr std::string_view kOurPrefix = "/neardup.v1.NearDup/";

// The rpc's name for metrics and logs: "Check" for ours, the full name
// ("grpc.health.v1.Health/Check") for the other services'.
std::string RpcName(const char* method) {
  std::string_view m = method == nullptr ? "" : method;
  if (m.substr(0, kOurPrefix.size()) == kOurPrefix) {
    return std::string(m.substr(kOurPrefix.size()));
  }
  if (!m.empty() && m[0] == '/') m.remove_prefix(1);
  return std::string(m);
}

// True if `name` (a short name) is an rpc of neardup.v1.NearDup.
bool IsOurRpc(const std::string& name) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::NearDup::service_full_name());
  return service != nullptr && service->FindMethodByName(name) != nullptr;
}

// A request id the client sent, if it is short and printable.
bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

class CallObserver final : public grpc::experimental::Interceptor {
 public:
  CallObserver(CallObserverFactory* factory,
               grpc::experimental::ServerRpcInfo* info)
      : factory_(factory),
        info_(info),
        rpc_(RpcName(info->method())),
        ours_(info->method() != nullptr &&
              std::string_view(info->method()).substr(0, kOurPrefix.size()) ==
                  kOurPrefix),
        start_(absl::Now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      if (metadata != nullptr) {
        auto it = metadata->find(kRequestIdKey);
        if (it != metadata->end()) {
          const std::string_view sent(it->second.data(), it->second.size());
          if (UsableRequestId(sent)) request_id_ = std::string(sent);
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      auto* metadata = methods->GetSendInitialMetadata();
      if (metadata != nullptr) metadata->emplace(kRequestIdKey, RequestId());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      // gRPC answers a request it cannot parse with a bare UNIMPLEMENTED
      // for a method that exists; our own handlers never send that.
      if (ours_ && status.error_code() == grpc::StatusCode::UNIMPLEMENTED &&
          status.error_message().empty() && IsOurRpc(rpc_)) {
        status = grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat("the request could not be parsed as a ", rpc_,
                         " request of neardup.v1: its bytes are not that "
                         "protobuf message, or a string field is not valid "
                         "UTF-8 (send bytes fields for binary data)"));
        methods->ModifySendStatus(status);
      }
      Ended(status);
    }
    methods->Proceed();
  }

 private:
  const std::string& RequestId() {
    if (request_id_.empty()) request_id_ = factory_->NextRequestId();
    return request_id_;
  }

  void Ended(const grpc::Status& status) {
    const absl::Duration took = absl::Now() - start_;
    const std::string code = absl::StatusCodeToString(
        static_cast<absl::StatusCode>(status.error_code()));
    const CallObserverFactory::Options& o = factory_->options();
    if (o.metrics != nullptr) {
      o.metrics->ObserveCall(rpc_, code, absl::ToDoubleSeconds(took));
    }
    if (o.access_log) {
      grpc::ServerContextBase* ctx = info_->server_context();
      NEARDUP_LOG(
          kInfo, absl::StrFormat("access rid=%s peer=%s rpc=%s code=%s "
                                 "ms=%.3f",
                                 RequestId(), ctx != nullptr ? ctx->peer() : "",
                                 rpc_, code, absl::ToDoubleMilliseconds(took)));
    }
  }

  CallObserverFactory* const factory_;
  grpc::experimental::ServerRpcInfo* const info_;
  const std::string rpc_;
  const bool ours_;
  const absl::Time start_;
  std::string request_id_;
};

}  // namespace

CallObserverFactory::CallObserverFactory(const Options& options)
    : options_(options),
      process_tag_(absl::Uniform<uint32_t>(absl::BitGen())) {}

grpc::experimental::Interceptor* CallObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallObserver(this, info);
}

std::string CallObserverFactory::NextRequestId() {
  return absl::StrFormat("%08x-%d", process_tag_,
                         next_.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace neardup::api
