// StalenessInterceptorFactory: on a replica, every answer says how stale
// it may be, in its initial metadata: `x-neardup-replica-lag-writes` (the
// primary's writes not yet applied, as of its last message) and
// `x-neardup-replica-lag-ms` (how long since the replica last had all of
// them; -1: never yet), with `x-neardup-role: replica` and
// `x-neardup-primary` (host:port). A primary adds `x-neardup-role:
// primary` only. A call carrying `x-neardup-epoch` (client::Router's
// writes) newer than the node's epoch makes a primary step down at once
// (Node::LearnEpoch).
//
// Example:
//   interceptors.push_back(
//       std::make_unique<StalenessInterceptorFactory>(node));

#ifndef NEARDUP_SERVICE_REPLICATION_STALENESS_H_
#define NEARDUP_SERVICE_REPLICATION_STALENESS_H_

#include "grpcpp/support/server_interceptor.h"
#include "service/replication/node.h"

namespace neardup::replication {

class StalenessInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `node` is not owned and must outlive the server.
  explicit StalenessInterceptorFactory(Node* node) : node_(node) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Node* const node_;
};

}  // namespace neardup::replication

#endif  // NEARDUP_SERVICE_REPLICATION_STALENESS_H_
