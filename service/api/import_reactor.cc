#include "service/api/import_reactor.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/api/convert.h"
#include "service/api/grpc_status.h"
#include "service/common/logging.h"
#include "service/common/status_macros.h"
#include "service/index/validate.h"
#include "service/sketch/minhash.h"
#include "service/text/shingle.h"

namespace neardup::api {
namespace {

// The pipeline the client says it fingerprinted with.
absl::StatusOr<engine::PipelineParams> SignerOf(const v1::ImportHeader& h) {
  NEARDUP_ASSIGN_OR_RETURN(
      index::CollectionParams params,
      index::ResolveCollectionParams(FromProto(h.params())));
  index::CollectionInfo info;
  info.params = std::move(params);
  info.shingle_seed =
      h.shingle_seed() != 0 ? h.shingle_seed() : text::ShingleParams().seed;
  info.minhash_seed =
      h.minhash_seed() != 0 ? h.minhash_seed() : sketch::kMinHashSeed;
  return engine::ParamsOf(info);
}

}  // namespace

ImportReactor::ImportReactor(engine::Engine* engine,
                             grpc::CallbackServerContext* ctx,
                             v1::ImportResponse* response,
                             std::atomic<int>* running, Caller caller)
    : engine_(engine),
      ctx_(ctx),
      response_(response),
      running_(running),
      caller_(std::move(caller)) {
  thread_ = std::thread([this] { Run(); });
}

void ImportReactor::StartNextRead() {
  {
    absl::MutexLock lock(&mu_);
    read_done_ = false;
  }
  StartRead(&request_);
}

bool ImportReactor::AwaitRead(v1::ImportRequest* out) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&read_done_));
  if (read_ok_) out->Swap(&request_);
  return read_ok_;
}

void ImportReactor::OnReadDone(bool ok) {
  absl::MutexLock lock(&mu_);
  read_ok_ = ok;
  read_done_ = true;
}

void ImportReactor::Run() {
  absl::Status status;
  bool committed = false;
  v1::ImportRequest current;
  StartNextRead();
  while (status.ok() && !committed) {
    if (!AwaitRead(&current)) {
      status = ctx_->IsCancelled()
                   ? absl::CancelledError(
                         "import cancelled by the client; nothing was "
                         "imported")
                   : absl::AbortedError(
                         "the import stream ended without a commit; nothing "
                         "was imported");
      break;
    }
    // The next message arrives while this one is handled. After the
    // commit there is none: the client has ended its stream.
    if (!current.has_commit()) StartNextRead();
    status = Handle(current, &committed);
  }
  const std::string collection =
      importer_ != nullptr ? importer_->collection().name : "?";
  importer_.reset();  // an import not committed is abandoned here
  if (status.ok()) {
    NEARDUP_LOG(kInfo, absl::StrCat("Import into ", collection, " from ",
                                    ctx_->peer(), ": ", response_->documents(),
                                    " documents (", response_->duplicate_ids(),
                                    " repeated ids skipped), ingested in ",
                                    response_->ingest_seconds(), " s"));
  } else {
    NEARDUP_LOG(kInfo, absl::StrCat("Import into ", collection, " from ",
                                    ctx_->peer(), ": ", status.ToString()));
  }
  Finish(ToGrpcStatus(status));
}

absl::Status ImportReactor::Handle(const v1::ImportRequest& m,
                                   bool* committed) {
  switch (m.item_case()) {
    case v1::ImportRequest::kHeader: {
      if (importer_ != nullptr) {
        return absl::InvalidArgumentError("import header sent twice");
      }
      NEARDUP_RETURN_IF_ERROR(
          caller_.Require(m.header().collection(), auth::Scope::kWrite));
      NEARDUP_ASSIGN_OR_RETURN(engine::PipelineParams signer,
                               SignerOf(m.header()));
      NEARDUP_ASSIGN_OR_RETURN(
          importer_, engine_->BeginImport(m.header().collection(), signer,
                                          m.header().fingerprint_version()));
      return absl::OkStatus();
    }
    case v1::ImportRequest::kBatch:
      if (importer_ == nullptr) {
        return absl::InvalidArgumentError(
            "import batch before the header: send the header first");
      }
      for (const v1::FingerprintedDocument& d : m.batch().documents()) {
        sketch::Fingerprint fp;
        fp.minhash.assign(d.minhash().begin(), d.minhash().end());
        fp.bottom_k.assign(d.bottom_k().begin(), d.bottom_k().end());
        fp.simhash = d.simhash();
        fp.digest.low = d.digest_low();
        fp.digest.high = d.digest_high();
        fp.shingle_count = d.shingle_count();
        fp.token_count = d.token_count();
        // What the record takes from the stats; the rest is in `fp`.
        index::DocumentStats stats;
        stats.content_bytes = d.content_bytes();
        stats.repeated_fraction = d.repeated_fraction();
        index::Metadata metadata(d.metadata().begin(), d.metadata().end());
        std::optional<index::PassageInput> passages;
        if (d.has_passages()) {
          const v1::ImportedPassages& p = d.passages();
          passages.emplace();
          passages->fingerprints.assign(p.fingerprints().begin(),
                                        p.fingerprints().end());
          passages->content = p.content();
          passages->charset = p.charset();
          passages->html = p.html();
          passages->main_content = !p.whole_page();
          passages->lenient = p.lenient();
          if (p.extracted()) {
            passages->extracted = true;
            passages->extracted_text = p.content();
            passages->token_offsets = p.token_offsets();
          }
        }
        absl::StatusOr<bool> added =
            importer_->Add(d.id(), std::move(metadata), std::move(fp), stats,
                           std::move(passages));
        if (!added.ok()) {
          return absl::Status(
              added.status().code(),
              absl::StrCat("document ", received_ + 1, " of the import: ",
                           added.status().message(), "; nothing was imported"));
        }
        ++received_;
      }
      return absl::OkStatus();
    case v1::ImportRequest::kCommit: {
      if (importer_ == nullptr) {
        return absl::InvalidArgumentError("import commit without a header");
      }
      if (!m.commit()) {
        return absl::InvalidArgumentError(
            "import commit set to false: to abandon an import, cancel the "
            "call");
      }
      NEARDUP_ASSIGN_OR_RETURN(index::ImportResult r, importer_->Commit([this] {
        return ctx_->IsCancelled();
      }));
      response_->set_documents(r.documents);
      response_->set_duplicate_ids(r.duplicate_ids);
      response_->set_file_bytes(r.file_bytes);
      response_->set_write_seconds(absl::ToDoubleSeconds(r.write_time));
      response_->set_ingest_seconds(absl::ToDoubleSeconds(r.ingest_time));
      *committed = true;
      return absl::OkStatus();
    }
    case v1::ImportRequest::ITEM_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      "empty import message: expected a header, a batch or a commit");
}

void ImportReactor::OnDone() {
  thread_.join();
  running_->fetch_sub(1);
  delete this;
}

}  // namespace neardup::api
