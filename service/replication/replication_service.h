// ReplicationService: the neardup.v1.Replication gRPC service
// (proto/neardup/v1/replication.proto) of a node in a node group: the
// primary's log and checkpoints for its replicas, their
// acknowledgements, and every node's position for elections. Sync API:
// a Pull holds one server thread for as long as its replica follows.

#ifndef NEARDUP_SERVICE_REPLICATION_REPLICATION_SERVICE_H_
#define NEARDUP_SERVICE_REPLICATION_REPLICATION_SERVICE_H_

#include "neardup/v1/replication.grpc.pb.h"
#include "service/index/store.h"
#include "service/replication/node.h"

namespace neardup::replication {

class ReplicationService final : public v1::Replication::Service {
 public:
  // Neither is owned; both must outlive the service.
  ReplicationService(Node* node, index::Store* store)
      : node_(node), store_(store) {}

  grpc::Status Pull(grpc::ServerContext* ctx, const v1::PullRequest* req,
                    grpc::ServerWriter<v1::LogBatch>* writer) override;
  grpc::Status Ack(grpc::ServerContext* ctx, const v1::AckRequest* req,
                   v1::AckResponse* resp) override;
  grpc::Status Checkpoint(
      grpc::ServerContext* ctx, const v1::CheckpointRequest* req,
      grpc::ServerWriter<v1::CheckpointChunk>* writer) override;
  grpc::Status GetPosition(grpc::ServerContext* ctx,
                           const v1::GetPositionRequest* req,
                           v1::NodePosition* resp) override;

 private:
  Node* const node_;
  index::Store* const store_;
};

}  // namespace neardup::replication

#endif  // NEARDUP_SERVICE_REPLICATION_REPLICATION_SERVICE_H_
