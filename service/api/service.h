// NearDupService: the neardup.v1.NearDup gRPC service (callback API) over
// an engine::Engine. Validates each request, calls the engine, and converts
// the result; every error reaches the client as a gRPC status with a
// message naming the problem, and is logged once here at debug level.
//
// Calls that read documents (Add, Check, CheckAndAdd, CheckAndAddBatch,
// Search, Repeats, Compare) run on bounded pools, not on gRPC's threads:
// Admission (admission.h) puts large requests on a pool of their own and
// refuses a call with RESOURCE_EXHAUSTED and a retry hint when its pool's
// queue is full or too many request bytes are in flight. A call whose
// deadline passed (or whose client went away) while it waited is not run,
// and a write whose deadline passes before it is committed is not
// committed (DEADLINE_EXCEEDED). Collection calls, Get and Delete are
// point reads and writes, answered on gRPC's thread. Audit runs on a
// thread of its own (audit_reactor.h), one audit at a time, and so does
// each Import (import_reactor.h), a few at a time; so do Verify and
// Backup, one of each at a time.

#ifndef NEARDUP_SERVICE_API_SERVICE_H_
#define NEARDUP_SERVICE_API_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "neardup/v1/neardup.grpc.pb.h"
#include "service/api/access.h"
#include "service/api/admission.h"
#include "service/engine/engine.h"

namespace neardup::api {

// Every call is first checked by Access (access.h): the scope each rpc
// needs is listed in service/auth/tokens.h; ListCollections lists only the
// collections the caller may read.
//
// Thread-safe (the engine is). Does not take ownership: `engine`,
// `admission` and `access` must outlive the service, and admission's pools must
// run until the gRPC server has shut down (calls in their queues finish their
// calls).
class NearDupService final : public v1::NearDup::CallbackService {
 public:
  struct Options {
    // Scratch directory of collection audits (one at a time).
    std::string audit_dir;
    int audit_threads = 0;  // 0: one per core
    uint64_t audit_memory_bytes = uint64_t{1} << 30;
    // Where Backup writes (empty: Backup is FAILED_PRECONDITION).
    std::string backup_dir;
  };

  NearDupService(engine::Engine* engine, Admission* admission,
                 const Access* access, Options options)
      : engine_(engine),
        admission_(admission),
        access_(access),
        options_(std::move(options)) {}

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
  grpc::ServerWriteReactor<v1::AuditResponse>* Audit(
      grpc::CallbackServerContext* ctx, const v1::AuditRequest* req) override;
  grpc::ServerReadReactor<v1::ImportRequest>* Import(
      grpc::CallbackServerContext* ctx, v1::ImportResponse* resp) override;
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* ctx,
                                   const v1::VerifyRequest* req,
                                   v1::VerifyResponse* resp) override;
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* ctx,
                                   const v1::BackupRequest* req,
                                   v1::BackupInfo* resp) override;
  grpc::ServerUnaryReactor* ListBackups(grpc::CallbackServerContext* ctx,
                                        const v1::ListBackupsRequest* req,
                                        v1::ListBackupsResponse* resp) override;

 private:
  engine::Engine* const engine_;
  Admission* const admission_;
  const Access* const access_;
  const Options options_;
  std::atomic<bool> audit_running_{false};
  std::atomic<int> imports_running_{0};
  std::atomic<bool> verify_running_{false};
  std::atomic<bool> backup_running_{false};
};

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_SERVICE_H_
