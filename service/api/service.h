// NearDupService: the neardup.v1.NearDup gRPC service (callback API) over
// an index::Store. Validates each request, calls the store, and converts
// the result; every error reaches the client as a gRPC status with a
// message naming the problem, and is logged once here at debug level.

#ifndef NEARDUP_SERVICE_API_SERVICE_H_
#define NEARDUP_SERVICE_API_SERVICE_H_

#include "neardup/v1/neardup.grpc.pb.h"
#include "service/index/store.h"

namespace neardup::api {

// Thread-safe (the store is). Does not take ownership: `store` must outlive
// the service.
class NearDupService final : public v1::NearDup::CallbackService {
 public:
  explicit NearDupService(index::Store* store) : store_(store) {}

  NearDupService(const NearDupService&) = delete;
  NearDupService& operator=(const NearDupService&) = delete;

  grpc::ServerUnaryReactor* CreateCollection(
      grpc::CallbackServerContext* ctx, const v1::CreateCollectionRequest* req,
      v1::Collection* resp) override;
  grpc::ServerUnaryReactor* GetCollection(grpc::CallbackServerContext* ctx,
                                          const v1::GetCollectionRequest* req,
                                          v1::Collection* resp) override;
  grpc::ServerUnaryReactor* ListCollections(
      grpc::CallbackServerContext* ctx, const v1::ListCollectionsRequest* req,
      v1::ListCollectionsResponse* resp) override;
  grpc::ServerUnaryReactor* DropCollection(
      grpc::CallbackServerContext* ctx, const v1::DropCollectionRequest* req,
      v1::DropCollectionResponse* resp) override;
  grpc::ServerUnaryReactor* Add(grpc::CallbackServerContext* ctx,
                                const v1::AddRequest* req,
                                v1::AddResponse* resp) override;
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx,
                                  const v1::CheckRequest* req,
                                  v1::CheckResponse* resp) override;
  grpc::ServerUnaryReactor* CheckAndAdd(grpc::CallbackServerContext* ctx,
                                        const v1::CheckAndAddRequest* req,
                                        v1::CheckAndAddResponse* resp) override;
  grpc::ServerUnaryReactor* CheckAndAddBatch(
      grpc::CallbackServerContext* ctx, const v1::CheckAndAddBatchRequest* req,
      v1::CheckAndAddBatchResponse* resp) override;
  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* ctx,
                                const v1::GetRequest* req,
                                v1::StoredDocument* resp) override;
  grpc::ServerUnaryReactor* Delete(grpc::CallbackServerContext* ctx,
                                   const v1::DeleteRequest* req,
                                   v1::DeleteResponse* resp) override;
  grpc::ServerUnaryReactor* Repeats(grpc::CallbackServerContext* ctx,
                                    const v1::RepeatsRequest* req,
                                    v1::RepeatsResponse* resp) override;
  grpc::ServerUnaryReactor* Compare(grpc::CallbackServerContext* ctx,
                                    const v1::CompareRequest* req,
                                    v1::CompareResponse* resp) override;
  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* ctx,
                                   const v1::SearchRequest* req,
                                   v1::SearchResponse* resp) override;

 private:
  index::Store* const store_;
};

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_SERVICE_H_
