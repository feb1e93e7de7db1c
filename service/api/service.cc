#include "service/api/service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "service/api/convert.h"
#include "service/api/grpc_status.h"
#include "service/api/passages_convert.h"
#include "service/common/logging.h"
#include "service/index/validate.h"
#include "service/passages/passages.h"
#include "service/text/analyze.h"

namespace neardup::api {
namespace {

// Finishes the call with `s`, logging failures once.
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* ctx,
                                 const char* method, const absl::Status& s) {
  if (!s.ok()) {
    NEARDUP_LOG(kDebug, absl::StrCat(method, " from ", ctx->peer(), ": ",
                                     s.ToString()));
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

// Returns the request's document for the index, or INVALID_ARGUMENT if it
// has none or its content_type is not supported.
template <typename Request>
absl::StatusOr<index::DocumentInput> RequireDocument(const Request* req) {
  if (!req->has_document()) {
    return absl::InvalidArgumentError("request has no document");
  }
  return FromProto(req->document());
}

// Reads and analyses one document of a stateless request (default text
// parameters). `which` names it in errors ("document", "document a").
absl::StatusOr<text::Analysis> AnalyzeOne(bool present,
                                          const v1::Document& proto,
                                          const char* which) {
  if (!present) {
    return absl::InvalidArgumentError(absl::StrCat("request has no ", which));
  }
  absl::StatusOr<index::DocumentInput> doc = FromProto(proto);
  if (!doc.ok()) return doc.status();
  absl::StatusOr<text::Analysis> a =
      text::Analyze(doc->content, text::TextParams(), doc->input);
  if (!a.ok()) {
    return absl::Status(a.status().code(),
                        absl::StrCat(which, ": ", a.status().message()));
  }
  return a;
}

}  // namespace

grpc::ServerUnaryReactor* NearDupService::CreateCollection(
    grpc::CallbackServerContext* ctx, const v1::CreateCollectionRequest* req,
    v1::Collection* resp) {
  auto info = store_->CreateCollection(req->name(), FromProto(req->params()));
  if (info.ok()) ToProto(*info, resp);
  return Finish(ctx, "CreateCollection", info.status());
}

grpc::ServerUnaryReactor* NearDupService::GetCollection(
    grpc::CallbackServerContext* ctx, const v1::GetCollectionRequest* req,
    v1::Collection* resp) {
  auto info = store_->GetCollection(req->name());
  if (info.ok()) ToProto(*info, resp);
  return Finish(ctx, "GetCollection", info.status());
}

grpc::ServerUnaryReactor* NearDupService::ListCollections(
    grpc::CallbackServerContext* ctx, const v1::ListCollectionsRequest* req,
    v1::ListCollectionsResponse* resp) {
  // Pages are cut by name: the token is the last name of the previous page.
  const uint32_t page_size = req->page_size();
  for (const index::CollectionInfo& info : store_->ListCollections()) {
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
  auto dropped = store_->DropCollection(req->name());
  if (dropped.ok()) resp->set_documents_dropped(*dropped);
  return Finish(ctx, "DropCollection", dropped.status());
}

grpc::ServerUnaryReactor* NearDupService::Add(grpc::CallbackServerContext* ctx,
                                              const v1::AddRequest* req,
                                              v1::AddResponse* resp) {
  absl::StatusOr<index::DocumentInput> doc = RequireDocument(req);
  absl::Status s = doc.status();
  if (s.ok()) {
    auto result = store_->Add(req->collection(), *doc, req->upsert());
    if (result.ok()) {
      resp->set_replaced(result->replaced);
      ToProto(result->stats, resp->mutable_stats());
    }
    s = result.status();
  }
  return Finish(ctx, "Add", s);
}

grpc::ServerUnaryReactor* NearDupService::Check(
    grpc::CallbackServerContext* ctx, const v1::CheckRequest* req,
    v1::CheckResponse* resp) {
  absl::StatusOr<index::DocumentInput> doc = RequireDocument(req);
  absl::Status s = doc.status();
  if (s.ok()) {
    auto result = store_->Check(req->collection(), *doc,
                                {req->threshold(), req->top_k()});
    if (result.ok()) ToProto(*result, resp);
    s = result.status();
  }
  return Finish(ctx, "Check", s);
}

grpc::ServerUnaryReactor* NearDupService::CheckAndAdd(
    grpc::CallbackServerContext* ctx, const v1::CheckAndAddRequest* req,
    v1::CheckAndAddResponse* resp) {
  absl::StatusOr<index::DocumentInput> doc = RequireDocument(req);
  absl::Status s = doc.status();
  if (s.ok()) {
    auto result = store_->CheckAndAdd(req->collection(), *doc,
                                      {req->threshold(), req->top_k()});
    if (result.ok()) ToProto(*result, resp);
    s = result.status();
  }
  return Finish(ctx, "CheckAndAdd", s);
}

grpc::ServerUnaryReactor* NearDupService::CheckAndAddBatch(
    grpc::CallbackServerContext* ctx, const v1::CheckAndAddBatchRequest* req,
    v1::CheckAndAddBatchResponse* resp) {
  const size_t n = req->documents_size();
  absl::Status s = index::ValidateBatchSize(n);
  if (!s.ok()) return Finish(ctx, "CheckAndAddBatch", s);
  auto set_error = [](const absl::Status& e,
                      v1::CheckAndAddBatchResponse::Result* r) {
    r->set_code(static_cast<int>(e.code()));
    r->set_message(std::string(e.message()));
  };
  // Documents that cannot even be read fail alone; the rest go to the
  // index together. `where[j]` is the request position of docs[j].
  std::vector<index::DocumentInput> docs;
  std::vector<size_t> where;
  for (size_t i = 0; i < n; ++i) {
    resp->add_results();
    absl::StatusOr<index::DocumentInput> doc =
        FromProto(req->documents(static_cast<int>(i)));
    if (!doc.ok()) {
      set_error(doc.status(), resp->mutable_results(static_cast<int>(i)));
      continue;
    }
    docs.push_back(*std::move(doc));
    where.push_back(i);
  }
  auto results = store_->CheckAndAddBatch(req->collection(), docs,
                                          {req->threshold(), req->top_k()});
  if (!results.ok()) {
    resp->Clear();
    return Finish(ctx, "CheckAndAddBatch", results.status());
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
  return Finish(ctx, "CheckAndAddBatch", absl::OkStatus());
}

grpc::ServerUnaryReactor* NearDupService::Get(grpc::CallbackServerContext* ctx,
                                              const v1::GetRequest* req,
                                              v1::StoredDocument* resp) {
  auto doc = store_->Get(req->collection(), req->id());
  if (doc.ok()) ToProto(*doc, resp);
  return Finish(ctx, "Get", doc.status());
}

grpc::ServerUnaryReactor* NearDupService::Delete(
    grpc::CallbackServerContext* ctx, const v1::DeleteRequest* req,
    v1::DeleteResponse*) {
  return Finish(ctx, "Delete", store_->Delete(req->collection(), req->id()));
}

grpc::ServerUnaryReactor* NearDupService::Repeats(
    grpc::CallbackServerContext* ctx, const v1::RepeatsRequest* req,
    v1::RepeatsResponse* resp) {
  absl::StatusOr<text::Analysis> a =
      AnalyzeOne(req->has_document(), req->document(), "document");
  if (a.ok()) {
    ToProto(passages::FindRepeats(req->document().content(), *a),
            req->return_collapsed(), resp);
  }
  return Finish(ctx, "Repeats", a.status());
}

grpc::ServerUnaryReactor* NearDupService::Compare(
    grpc::CallbackServerContext* ctx, const v1::CompareRequest* req,
    v1::CompareResponse* resp) {
  absl::StatusOr<text::Analysis> a = AnalyzeOne(req->has_a(), req->a(), "a");
  if (!a.ok()) return Finish(ctx, "Compare", a.status());
  absl::StatusOr<text::Analysis> b = AnalyzeOne(req->has_b(), req->b(), "b");
  if (b.ok()) ToProto(passages::Compare(*a, *b), resp);
  return Finish(ctx, "Compare", b.status());
}

grpc::ServerUnaryReactor* NearDupService::Search(
    grpc::CallbackServerContext* ctx, const v1::SearchRequest* req,
    v1::SearchResponse* resp) {
  absl::StatusOr<index::DocumentInput> doc = RequireDocument(req);
  absl::Status s = doc.status();
  if (s.ok()) {
    auto result = store_->Search(req->collection(), *doc,
                                 {req->top_k(), req->return_source_text()});
    if (result.ok()) ToProto(*result, resp);
    s = result.status();
  }
  return Finish(ctx, "Search", s);
}

}  // namespace neardup::api
