#include "service/api/service.h"

#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/api/admission.h"
#include "service/api/audit_reactor.h"
#include "service/api/convert.h"
#include "service/api/grpc_status.h"
#include "service/api/import_reactor.h"
#include "service/api/passages_convert.h"
#include "service/common/logging.h"
#include "service/index/params.h"
#include "service/index/validate.h"

namespace neardup::api {
namespace {

// Finishes the call with `s`, logging failures once.
void FinishCall(grpc::CallbackServerContext* ctx,
                grpc::ServerUnaryReactor* reactor, const char* method,
                const absl::Status& s) {
  if (!s.ok()) {
    // Failures on the server's side are the operator's to see, with the
    // paths the client does not get; the client's mistakes are debug.
    if (IsServerSideFailure(s.code()) &&
        s.code() != absl::StatusCode::kResourceExhausted) {
      NEARDUP_LOG(kWarning, absl::StrCat(method, " from ", ctx->peer(), ": ",
                                         s.ToString()));
    } else {
      NEARDUP_LOG(kDebug, absl::StrCat(method, " from ", ctx->peer(), ": ",
                                       s.ToString()));
    }
  }
  reactor->Finish(ToGrpcStatus(s));
}

// Finishes the call at once with `s`.
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* ctx,
                                 const char* method, const absl::Status& s) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishCall(ctx, reactor, method, s);
  return reactor;
}

// Runs `work` (which fills the response and returns the call's status)
// where `admission` puts a request of `request`'s size, and finishes the
// call with its status; refused at once with RESOURCE_EXHAUSTED and a
// retry hint when it cannot wait. The request and response stay valid
// until the call is finished.
template <typename Request, typename Work>
grpc::ServerUnaryReactor* Offload(Admission* admission,
                                  grpc::CallbackServerContext* ctx,
                                  const char* method, const Request& request,
                                  Work work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const absl::Status admitted = admission->Submit(
      request.ByteSizeLong(), [ctx, reactor, method, work = std::move(work)]() {
        // Gone or past its deadline while it waited: nobody reads the
        // answer, and a write must not happen after the client gave up.
        if (ctx->IsCancelled()) {
          FinishCall(ctx, reactor, method,
                     absl::CancelledError(
                         "call cancelled or past its deadline before it ran"));
          return;
        }
        FinishCall(ctx, reactor, method, work());
      });
  if (!admitted.ok()) {
    ctx->AddTrailingMetadata(kRetryPushbackKey,
                             absl::StrCat(absl::ToInt64Milliseconds(
                                 admission->options().retry_after)));
    FinishCall(ctx, reactor, method, admitted);
  }
  return reactor;
}

// The call's deadline; InfiniteFuture if it has none.
absl::Time DeadlineOf(const grpc::CallbackServerContext* ctx) {
  const std::chrono::system_clock::time_point d = ctx->deadline();
  if (d == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(d);
}

// CheckOptions of a request, bound by the call's deadline.
template <typename Request>
index::CheckOptions CheckOptionsOf(const grpc::CallbackServerContext* ctx,
                                   const Request& req) {
  index::CheckOptions o;
  o.threshold = req.threshold();
  o.top_k = req.top_k();
  o.deadline = DeadlineOf(ctx);
  return o;
}

// OK if the caller of `ctx` may act on `collection` with `scope`;
// UNAUTHENTICATED or PERMISSION_DENIED otherwise.
absl::Status Authorize(const Access& access,
                       const grpc::CallbackServerContext* ctx,
                       std::string_view collection, auth::Scope scope) {
  absl::StatusOr<Caller> caller = access.Identify(*ctx);
  if (!caller.ok()) return caller.status();
  return caller->Require(collection, scope);
}

// If the caller of `ctx` may not act on `collection` with `scope`, finishes
// the call with UNAUTHENTICATED or PERMISSION_DENIED and returns its
// reactor; else returns null.
grpc::ServerUnaryReactor* Deny(const Access& access,
                               grpc::CallbackServerContext* ctx,
                               const char* method, std::string_view collection,
                               auth::Scope scope) {
  absl::Status s = Authorize(access, ctx, collection, scope);
  return s.ok() ? nullptr : Finish(ctx, method, s);
}

// Returns the request's document, or INVALID_ARGUMENT if it has none or
// its content_type is not supported. `which` names it in errors.
absl::StatusOr<engine::DocumentInput> RequireDocument(bool present,
                                                      const v1::Document& doc,
                                                      const char* which) {
  if (!present) {
    return absl::InvalidArgumentError(absl::StrCat("request has no ", which));
  }
  return FromProto(doc);
}

}  // namespace

grpc::ServerUnaryReactor* NearDupService::CreateCollection(
    grpc::CallbackServerContext* ctx, const v1::CreateCollectionRequest* req,
    v1::Collection* resp) {
  if (auto* denied = Deny(*access_, ctx, "CreateCollection", req->name(),
                          auth::Scope::kAdmin)) {
    return denied;
  }
  auto info = engine_->CreateCollection(req->name(), FromProto(req->params()));
  if (info.ok()) ToProto(*info, resp);
  return Finish(ctx, "CreateCollection", info.status());
}

grpc::ServerUnaryReactor* NearDupService::GetCollection(
    grpc::CallbackServerContext* ctx, const v1::GetCollectionRequest* req,
    v1::Collection* resp) {
  if (auto* denied = Deny(*access_, ctx, "GetCollection", req->name(),
                          auth::Scope::kRead)) {
    return denied;
  }
  auto info = engine_->GetCollection(req->name());
  if (info.ok()) ToProto(*info, resp);
  return Finish(ctx, "GetCollection", info.status());
}

grpc::ServerUnaryReactor* NearDupService::ListCollections(
    grpc::CallbackServerContext* ctx, const v1::ListCollectionsRequest* req,
    v1::ListCollectionsResponse* resp) {
  // Pages are cut by name: the token is the last name of the previous page.
  absl::StatusOr<Caller> caller = access_->Identify(*ctx);
  if (!caller.ok()) return Finish(ctx, "ListCollections", caller.status());
  const uint32_t page_size = req->page_size();
  for (const index::CollectionInfo& info : engine_->ListCollections()) {
    if (!caller->Allows(info.name, auth::Scope::kRead)) continue;
    if (!req->page_token().empty() && info.name <= req->page_token()) {
      continue;
    }
    if (page_size > 0 &&
        resp->collections_size() == static_cast<int>(page_size)) {
      resp->set_next_page_token(
          resp->collections(resp->collections_size() - 1).name());
      break;
    }
    ToProto(info, resp->add_collections());
  }
  return Finish(ctx, "ListCollections", absl::OkStatus());
}

grpc::ServerUnaryReactor* NearDupService::DropCollection(
    grpc::CallbackServerContext* ctx, const v1::DropCollectionRequest* req,
    v1::DropCollectionResponse* resp) {
  if (auto* denied = Deny(*access_, ctx, "DropCollection", req->name(),
                          auth::Scope::kAdmin)) {
    return denied;
  }
  auto dropped = engine_->DropCollection(req->name());
  if (dropped.ok()) resp->set_documents_dropped(*dropped);
  return Finish(ctx, "DropCollection", dropped.status());
}

grpc::ServerUnaryReactor* NearDupService::Add(grpc::CallbackServerContext* ctx,
                                              const v1::AddRequest* req,
                                              v1::AddResponse* resp) {
  if (auto* denied =
          Deny(*access_, ctx, "Add", req->collection(), auth::Scope::kWrite)) {
    return denied;
  }
  return Offload(
      admission_, ctx, "Add", *req, [this, ctx, req, resp]() -> absl::Status {
        auto doc =
            RequireDocument(req->has_document(), req->document(), "document");
        if (!doc.ok()) return doc.status();
        auto result = engine_->Add(req->collection(), *doc, req->upsert(),
                                   DeadlineOf(ctx));
        if (!result.ok()) return result.status();
        resp->set_replaced(result->replaced);
        ToProto(result->stats, resp->mutable_stats());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* NearDupService::Check(
    grpc::CallbackServerContext* ctx, const v1::CheckRequest* req,
    v1::CheckResponse* resp) {
  if (auto* denied =
          Deny(*access_, ctx, "Check", req->collection(), auth::Scope::kRead)) {
    return denied;
  }
  return Offload(
      admission_, ctx, "Check", *req, [this, ctx, req, resp]() -> absl::Status {
        auto doc =
            RequireDocument(req->has_document(), req->document(), "document");
        if (!doc.ok()) return doc.status();
        auto result =
            engine_->Check(req->collection(), *doc, CheckOptionsOf(ctx, *req));
        if (result.ok()) ToProto(*result, resp);
        return result.status();
      });
}

grpc::ServerUnaryReactor* NearDupService::CheckAndAdd(
    grpc::CallbackServerContext* ctx, const v1::CheckAndAddRequest* req,
    v1::CheckAndAddResponse* resp) {
  if (auto* denied = Deny(*access_, ctx, "CheckAndAdd", req->collection(),
                          auth::Scope::kWrite)) {
    return denied;
  }
  return Offload(admission_, ctx, "CheckAndAdd", *req,
                 [this, ctx, req, resp]() -> absl::Status {
                   auto doc = RequireDocument(req->has_document(),
                                              req->document(), "document");
                   if (!doc.ok()) return doc.status();
                   auto result = engine_->CheckAndAdd(
                       req->collection(), *doc, CheckOptionsOf(ctx, *req));
                   if (result.ok()) ToProto(*result, resp);
                   return result.status();
                 });
}

grpc::ServerUnaryReactor* NearDupService::CheckAndAddBatch(
    grpc::CallbackServerContext* ctx, const v1::CheckAndAddBatchRequest* req,
    v1::CheckAndAddBatchResponse* resp) {
  if (auto* denied = Deny(*access_, ctx, "CheckAndAddBatch", req->collection(),
                          auth::Scope::kWrite)) {
    return denied;
  }
  const size_t n = req->documents_size();
  absl::Status s = index::ValidateBatchSize(n);
  if (!s.ok()) return Finish(ctx, "CheckAndAddBatch", s);
  return Offload(
      admission_, ctx, "CheckAndAddBatch", *req,
      [this, ctx, req, resp, n]() -> absl::Status {
        auto set_error = [](const absl::Status& e,
                            v1::CheckAndAddBatchResponse::Result* r) {
          r->set_code(static_cast<int>(e.code()));
          r->set_message(std::string(e.message()));
        };
        // Documents that cannot even be converted fail alone; the rest go
        // to the engine together. `where[j]` is the request position of
        // docs[j].
        std::vector<engine::DocumentInput> docs;
        std::vector<size_t> where;
        for (size_t i = 0; i < n; ++i) {
          resp->add_results();
          absl::StatusOr<engine::DocumentInput> doc =
              FromProto(req->documents(static_cast<int>(i)));
          if (!doc.ok()) {
            set_error(doc.status(), resp->mutable_results(static_cast<int>(i)));
            continue;
          }
          docs.push_back(*std::move(doc));
          where.push_back(i);
        }
        auto results = engine_->CheckAndAddBatch(req->collection(), docs,
                                                 CheckOptionsOf(ctx, *req));
        if (!results.ok()) {
          resp->Clear();
          return results.status();
        }
        for (size_t j = 0; j < docs.size(); ++j) {
          auto* out = resp->mutable_results(static_cast<int>(where[j]));
          const absl::StatusOr<index::CheckResult>& r = (*results)[j];
          if (r.ok()) {
            ToProto(*r, out->mutable_response());
          } else {
            set_error(r.status(), out);
          }
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* NearDupService::Get(grpc::CallbackServerContext* ctx,
                                              const v1::GetRequest* req,
                                              v1::StoredDocument* resp) {
  if (auto* denied =
          Deny(*access_, ctx, "Get", req->collection(), auth::Scope::kRead)) {
    return denied;
  }
  auto doc = engine_->Get(req->collection(), req->id());
  if (doc.ok()) ToProto(*doc, req->include_fingerprint(), resp);
  return Finish(ctx, "Get", doc.status());
}

grpc::ServerUnaryReactor* NearDupService::Delete(
    grpc::CallbackServerContext* ctx, const v1::DeleteRequest* req,
    v1::DeleteResponse*) {
  if (auto* denied = Deny(*access_, ctx, "Delete", req->collection(),
                          auth::Scope::kWrite)) {
    return denied;
  }
  return Finish(ctx, "Delete", engine_->Delete(req->collection(), req->id()));
}

grpc::ServerUnaryReactor* NearDupService::Repeats(
    grpc::CallbackServerContext* ctx, const v1::RepeatsRequest* req,
    v1::RepeatsResponse* resp) {
  if (absl::StatusOr<Caller> caller = access_->Identify(*ctx); !caller.ok()) {
    return Finish(ctx, "Repeats", caller.status());
  }
  return Offload(
      admission_, ctx, "Repeats", *req, [req, resp]() -> absl::Status {
        auto doc =
            RequireDocument(req->has_document(), req->document(), "document");
        if (!doc.ok()) return doc.status();
        auto r = engine::Engine::Repeats(*doc);
        if (r.ok()) ToProto(*r, req->return_collapsed(), resp);
        return r.status();
      });
}

grpc::ServerUnaryReactor* NearDupService::Compare(
    grpc::CallbackServerContext* ctx, const v1::CompareRequest* req,
    v1::CompareResponse* resp) {
  if (absl::StatusOr<Caller> caller = access_->Identify(*ctx); !caller.ok()) {
    return Finish(ctx, "Compare", caller.status());
  }
  return Offload(admission_, ctx, "Compare", *req,
                 [req, resp]() -> absl::Status {
                   auto a = RequireDocument(req->has_a(), req->a(), "a");
                   if (!a.ok()) return a.status();
                   auto b = RequireDocument(req->has_b(), req->b(), "b");
                   if (!b.ok()) return b.status();
                   auto c = engine::Engine::Compare(*a, *b);
                   if (c.ok()) ToProto(*c, resp);
                   return c.status();
                 });
}

grpc::ServerUnaryReactor* NearDupService::Search(
    grpc::CallbackServerContext* ctx, const v1::SearchRequest* req,
    v1::SearchResponse* resp) {
  if (auto* denied = Deny(*access_, ctx, "Search", req->collection(),
                          auth::Scope::kRead)) {
    return denied;
  }
  return Offload(
      admission_, ctx, "Search", *req, [this, req, resp]() -> absl::Status {
        auto doc =
            RequireDocument(req->has_document(), req->document(), "document");
        if (!doc.ok()) return doc.status();
        auto result = engine_->Search(
            req->collection(), *doc, {req->top_k(), req->return_source_text()});
        if (result.ok()) ToProto(*result, resp);
        return result.status();
      });
}

grpc::ServerWriteReactor<v1::AuditResponse>* NearDupService::Audit(
    grpc::CallbackServerContext* ctx, const v1::AuditRequest* req) {
  if (absl::Status denied =
          Authorize(*access_, ctx, req->collection(), auth::Scope::kRead);
      !denied.ok()) {
    return new FailedWriter(ToGrpcStatus(denied));
  }
  audit::CollectionAuditOptions o;
  if (req->threshold() != 0) {
    absl::Status s = index::CheckThreshold(req->threshold());
    if (!s.ok()) return new FailedWriter(ToGrpcStatus(s));
    o.threshold = req->threshold();
  }
  if (!req->keep().empty()) {
    absl::StatusOr<audit::Keep> keep = audit::ParseKeep(req->keep());
    if (!keep.ok()) return new FailedWriter(ToGrpcStatus(keep.status()));
    o.keep = *keep;
  }
  o.containment = req->containment();
  o.exact = req->exact();
  o.components = req->components();
  o.with_texts = req->with_texts();
  o.threads = options_.audit_threads;
  o.memory_limit = options_.audit_memory_bytes;
  o.work_dir = options_.audit_dir + "/current";
  bool idle = false;
  if (!audit_running_.compare_exchange_strong(idle, true)) {
    NEARDUP_LOG(kDebug, absl::StrCat("Audit from ", ctx->peer(),
                                     ": another audit is running"));
    return new FailedWriter(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        "an audit is running; the server runs one at a time: retry later"));
  }
  return new AuditReactor(engine_->store(), *req, std::move(o),
                          &audit_running_);
}

grpc::ServerReadReactor<v1::ImportRequest>* NearDupService::Import(
    grpc::CallbackServerContext* ctx, v1::ImportResponse* resp) {
  absl::StatusOr<Caller> caller = access_->Identify(*ctx);
  if (!caller.ok()) return new FailedReader(ToGrpcStatus(caller.status()));
  if (imports_running_.fetch_add(1) >= ImportReactor::kMaxRunning) {
    imports_running_.fetch_sub(1);
    return new FailedReader(ToGrpcStatus(absl::ResourceExhaustedError(
        absl::StrCat(ImportReactor::kMaxRunning,
                     " imports are running; retry when one has ended"))));
  }
  return new ImportReactor(engine_, ctx, resp, &imports_running_,
                           *std::move(caller));
}

namespace {

void ToProto(const index::BackupSummary& b, v1::BackupInfo* out) {
  out->set_id(b.id);
  out->set_create_time_unix(b.create_time_unix);
  out->set_size_bytes(b.size_bytes);
  out->set_files(b.files);
}

// Runs `work` on a thread of its own, at most one at a time per `running`
// flag (RESOURCE_EXHAUSTED otherwise), and finishes the call with its
// status: for the long operations that would hold a pool's thread for
// minutes.
template <typename Work>
grpc::ServerUnaryReactor* OnOwnThread(grpc::CallbackServerContext* ctx,
                                      const char* method,
                                      std::atomic<bool>* running, Work work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  bool idle = false;
  if (!running->compare_exchange_strong(idle, true)) {
    FinishCall(ctx, reactor, method,
               absl::ResourceExhaustedError(
                   absl::StrCat("a ", method,
                                " is running; one runs at a time: retry "
                                "when it has ended")));
    return reactor;
  }
  std::thread([ctx, reactor, method, running, work = std::move(work)] {
    const absl::Status s = work();
    running->store(false);
    FinishCall(ctx, reactor, method, s);
  }).detach();
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* NearDupService::Verify(
    grpc::CallbackServerContext* ctx, const v1::VerifyRequest*,
    v1::VerifyResponse* resp) {
  if (auto* denied = Deny(*access_, ctx, "Verify", "*", auth::Scope::kAdmin)) {
    return denied;
  }
  return OnOwnThread(
      ctx, "Verify", &verify_running_, [this, resp]() -> absl::Status {
        const absl::Time start = absl::Now();
        auto report = engine_->Verify();
        if (!report.ok()) return report.status();
        resp->set_clean(report->ok());
        resp->set_collections(report->collections);
        resp->set_documents(report->documents);
        resp->set_index_keys(report->index_keys);
        resp->set_missing_keys(report->missing_keys);
        resp->set_orphan_keys(report->orphan_keys);
        for (const std::string& p : report->problems) {
          resp->add_problems(p);
        }
        resp->set_seconds(absl::ToDoubleSeconds(absl::Now() - start));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* NearDupService::Backup(
    grpc::CallbackServerContext* ctx, const v1::BackupRequest* req,
    v1::BackupInfo* resp) {
  if (auto* denied = Deny(*access_, ctx, "Backup", "*", auth::Scope::kAdmin)) {
    return denied;
  }
  if (options_.backup_dir.empty()) {
    return Finish(ctx, "Backup",
                  absl::FailedPreconditionError(
                      "this server has no backup directory: start neardupd "
                      "with --backup_dir DIR"));
  }
  return OnOwnThread(
      ctx, "Backup", &backup_running_, [this, req, resp]() -> absl::Status {
        const absl::Time start = absl::Now();
        auto b = engine_->store()->Backup(options_.backup_dir, req->verify());
        if (!b.ok()) return b.status();
        ToProto(*b, resp);
        resp->set_seconds(absl::ToDoubleSeconds(absl::Now() - start));
        NEARDUP_LOG(kInfo, absl::StrCat("backup ", b->id, ": ", b->files,
                                        " files, ", b->size_bytes, " bytes"));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* NearDupService::ListBackups(
    grpc::CallbackServerContext* ctx, const v1::ListBackupsRequest*,
    v1::ListBackupsResponse* resp) {
  if (auto* denied =
          Deny(*access_, ctx, "ListBackups", "*", auth::Scope::kAdmin)) {
    return denied;
  }
  if (options_.backup_dir.empty()) {
    return Finish(ctx, "ListBackups", absl::OkStatus());
  }
  auto backups = index::Store::ListBackups(options_.backup_dir);
  if (backups.ok()) {
    for (const index::BackupSummary& b : *backups) {
      ToProto(b, resp->add_backups());
    }
  }
  return Finish(ctx, "ListBackups", backups.status());
}

}  // namespace neardup::api
