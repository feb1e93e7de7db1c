#include "service/replication/staleness.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace neardup::replication {
namespace {

using grpc::experimental::InterceptionHookPoints;

class StalenessInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit StalenessInterceptor(Node* node) : node_(node) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      // The epoch the caller's router saw: newer than this node's means
      // this node was replaced (fencing).
      auto* metadata = methods->GetRecvInitialMetadata();
      auto it = metadata->find("x-neardup-epoch");
      int64_t epoch = 0;
      if (it != metadata->end() &&
          absl::SimpleAtoi(
              absl::string_view(it->second.data(), it->second.size()),
              &epoch)) {
        node_->LearnEpoch(epoch);
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      const NodeStatus s = node_->Status();
      auto* metadata = methods->GetSendInitialMetadata();
      metadata->emplace("x-neardup-role", s.role);
      if (s.role == "replica") {
        metadata->emplace("x-neardup-primary", s.primary);
        metadata->emplace("x-neardup-replica-lag-writes",
                          absl::StrCat(s.lag_writes));
        metadata->emplace("x-neardup-replica-lag-ms",
                          s.lag == absl::InfiniteDuration()
                              ? std::string("-1")
                              : absl::StrCat(absl::ToInt64Milliseconds(s.lag)));
      }
    }
    methods->Proceed();
  }

 private:
  Node* const node_;
};

}  // namespace

grpc::experimental::Interceptor*
StalenessInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo*) {
  return new StalenessInterceptor(node_);
}

}  // namespace neardup::replication
