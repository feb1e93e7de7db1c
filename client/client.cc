#include "client/client.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace neardup::client {
namespace {

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or values
// above U+10FFFF): what the server's protobuf parser demands of `string`
// fields. The client library links no service code (the product's rule),
// so it keeps this one copy of service/text/utf8.h's DecodeUtf8 checks.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

// Returns INVALID_ARGUMENT naming the first `string` field of `m` (at any
// depth, map entries included) that is not valid UTF-8. The server cannot
// parse such a request at all (gRPC answers it with a bare UNIMPLEMENTED),
// so the client catches it with a precise message instead.
absl::Status CheckUtf8Fields(const google::protobuf::Message& m,
                             const std::string& path) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string name = path.empty() ? f->name() : path + "." + f->name();
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
      for (int i = 0; i < n; ++i) {
        std::string scratch;
        const std::string& v =
            f->is_repeated() ? r->GetRepeatedStringReference(m, f, i, &scratch)
                             : r->GetStringReference(m, f, &scratch);
        if (!IsValidUtf8(v)) {
          return absl::InvalidArgumentError(
              absl::StrCat(name, " is not valid UTF-8"));
        }
      }
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          absl::Status s =
              CheckUtf8Fields(r->GetRepeatedMessage(m, f, i), name);
          if (!s.ok()) return s;
        }
      } else {
        absl::Status s = CheckUtf8Fields(r->GetMessage(m, f), name);
        if (!s.ok()) return s;
      }
    }
  }
  return absl::OkStatus();
}

// Reads a whole PEM file.
absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read TLS file ", path));
  }
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

// The channel's credentials: TLS from the options' files, or none.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> CredentialsFor(
    const Client::Options& options) {
  if (!options.tls && options.tls_ca_file.empty() &&
      options.tls_cert_file.empty() && options.tls_key_file.empty()) {
    return grpc::InsecureChannelCredentials();
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs its key, and a key its certificate");
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPem(options.tls_ca_file);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *std::move(ca);
  }
  if (!options.tls_cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(options.tls_cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(options.tls_key_file);
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(
    std::string_view target, const Options& options) {
  if (target.empty()) {
    return absl::InvalidArgumentError("server address is empty");
  }
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(options.max_message_bytes);
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  // A server that went away is tried again within this long (gRPC's
  // default backoff grows to two minutes, too long for a node that
  // restarts in a second).
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(
                  absl::ToInt64Milliseconds(options.max_reconnect_backoff)));
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      CredentialsFor(options);
  if (!credentials.ok()) return credentials.status();
  auto channel =
      grpc::CreateCustomChannel(std::string(target), *credentials, args);
  if (channel == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create a channel to ",
                     absl::string_view(target.data(), target.size())));
  }
  return std::unique_ptr<Client>(new Client(std::move(channel), options));
}

Client::Client(std::shared_ptr<grpc::Channel> channel, const Options& options)
    : options_(options),
      channel_(std::move(channel)),
      stub_(v1::NearDup::NewStub(channel_)) {}

void Client::Authorize(grpc::ClientContext* ctx) const {
  if (!options_.token.empty()) {
    ctx->AddMetadata("authorization", "Bearer " + options_.token);
  }
  if (const int64_t epoch = epoch_.load(); epoch != 0) {
    ctx->AddMetadata("x-neardup-epoch", absl::StrCat(epoch));
  }
}

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> Client::Call(Method method, const Request& request,
                                      absl::Duration timeout) {
  if (absl::Status s = CheckUtf8Fields(request, ""); !s.ok()) return s;
  grpc::ClientContext context;
  Authorize(&context);
  context.set_deadline(absl::ToChronoTime(
      absl::Now() +
      (timeout == absl::ZeroDuration() ? options_.timeout : timeout)));
  Response response;
  grpc::Status s = (stub_.get()->*method)(&context, request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

absl::StatusOr<v1::Collection> Client::CreateCollection(
    std::string_view name, const v1::CollectionParams& params) {
  v1::CreateCollectionRequest req;
  req.set_name(std::string(name));
  *req.mutable_params() = params;
  return Call<v1::CreateCollectionRequest, v1::Collection>(
      &v1::NearDup::Stub::CreateCollection, req);
}

absl::StatusOr<v1::Collection> Client::GetCollection(std::string_view name) {
  v1::GetCollectionRequest req;
  req.set_name(std::string(name));
  return Call<v1::GetCollectionRequest, v1::Collection>(
      &v1::NearDup::Stub::GetCollection, req);
}

absl::StatusOr<std::vector<v1::Collection>> Client::ListCollections() {
  std::vector<v1::Collection> out;
  v1::ListCollectionsRequest req;
  req.set_page_size(500);
  // Bounded: each page advances past names already returned.
  for (;;) {
    auto resp = Call<v1::ListCollectionsRequest, v1::ListCollectionsResponse>(
        &v1::NearDup::Stub::ListCollections, req);
    if (!resp.ok()) return resp.status();
    out.insert(out.end(), resp->collections().begin(),
               resp->collections().end());
    if (resp->next_page_token().empty() ||
        resp->next_page_token() <= req.page_token()) {
      return out;
    }
    req.set_page_token(resp->next_page_token());
  }
}

absl::StatusOr<uint64_t> Client::DropCollection(std::string_view name) {
  v1::DropCollectionRequest req;
  req.set_name(std::string(name));
  auto resp = Call<v1::DropCollectionRequest, v1::DropCollectionResponse>(
      &v1::NearDup::Stub::DropCollection, req);
  if (!resp.ok()) return resp.status();
  return resp->documents_dropped();
}

absl::StatusOr<v1::AddResponse> Client::Add(const v1::AddRequest& request) {
  return Call<v1::AddRequest, v1::AddResponse>(&v1::NearDup::Stub::Add,
                                               request);
}

absl::StatusOr<v1::CheckResponse> Client::Check(
    const v1::CheckRequest& request) {
  return Call<v1::CheckRequest, v1::CheckResponse>(&v1::NearDup::Stub::Check,
                                                   request);
}

absl::StatusOr<v1::CheckAndAddResponse> Client::CheckAndAdd(
    const v1::CheckAndAddRequest& request) {
  return Call<v1::CheckAndAddRequest, v1::CheckAndAddResponse>(
      &v1::NearDup::Stub::CheckAndAdd, request);
}

absl::StatusOr<v1::CheckAndAddBatchResponse> Client::CheckAndAddBatch(
    const v1::CheckAndAddBatchRequest& request) {
  return Call<v1::CheckAndAddBatchRequest, v1::CheckAndAddBatchResponse>(
      &v1::NearDup::Stub::CheckAndAddBatch, request);
}

absl::StatusOr<v1::StoredDocument> Client::Get(std::string_view collection,
                                               std::string_view id,
                                               bool include_fingerprint) {
  v1::GetRequest req;
  req.set_collection(std::string(collection));
  req.set_id(std::string(id));
  req.set_include_fingerprint(include_fingerprint);
  return Call<v1::GetRequest, v1::StoredDocument>(&v1::NearDup::Stub::Get, req);
}

absl::Status Client::Delete(std::string_view collection, std::string_view id) {
  v1::DeleteRequest req;
  req.set_collection(std::string(collection));
  req.set_id(std::string(id));
  return Call<v1::DeleteRequest, v1::DeleteResponse>(&v1::NearDup::Stub::Delete,
                                                     req)
      .status();
}

absl::StatusOr<v1::RepeatsResponse> Client::Repeats(
    const v1::RepeatsRequest& request) {
  return Call<v1::RepeatsRequest, v1::RepeatsResponse>(
      &v1::NearDup::Stub::Repeats, request);
}

absl::StatusOr<v1::CompareResponse> Client::Compare(
    const v1::CompareRequest& request) {
  return Call<v1::CompareRequest, v1::CompareResponse>(
      &v1::NearDup::Stub::Compare, request);
}

absl::Status Client::Audit(
    const v1::AuditRequest& request,
    const std::function<absl::Status(const v1::AuditResponse&)>& on_message,
    absl::Duration timeout) {
  absl::Status s = CheckUtf8Fields(request, "");
  if (!s.ok()) return s;
  grpc::ClientContext ctx;
  Authorize(&ctx);
  if (timeout != absl::InfiniteDuration()) {
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
  std::unique_ptr<grpc::ClientReader<v1::AuditResponse>> reader =
      stub_->Audit(&ctx, request);
  v1::AuditResponse m;
  absl::Status failed;
  while (reader->Read(&m)) {
    failed = on_message(m);
    if (!failed.ok()) {
      ctx.TryCancel();
      break;
    }
  }
  if (!failed.ok()) {
    while (reader->Read(&m)) {
    }
    reader->Finish().ok();  // the call was cancelled: its status is ours
    return failed;
  }
  return FromGrpcStatus(reader->Finish());
}

absl::StatusOr<v1::SearchResponse> Client::Search(
    const v1::SearchRequest& request) {
  return Call<v1::SearchRequest, v1::SearchResponse>(&v1::NearDup::Stub::Search,
                                                     request);
}

absl::StatusOr<std::unique_ptr<Client::ImportStream>> Client::BeginImport(
    const v1::ImportHeader& header) {
  std::unique_ptr<ImportStream> stream(new ImportStream());
  Authorize(&stream->ctx_);
  stream->writer_ = stub_->Import(&stream->ctx_, &stream->response_);
  v1::ImportRequest m;
  *m.mutable_header() = header;
  if (!stream->writer_->Write(m)) return stream->Failed();
  return stream;
}

Client::ImportStream::~ImportStream() {
  if (done_) return;
  ctx_.TryCancel();
  writer_->Finish().ok();  // cancelled: nothing is stored
}

absl::Status Client::ImportStream::Failed() {
  done_ = true;
  absl::Status s = FromGrpcStatus(writer_->Finish());
  if (s.ok()) return absl::InternalError("import stream ended early");
  return s;
}

absl::Status Client::ImportStream::Send(v1::ImportBatch batch) {
  if (done_) return absl::FailedPreconditionError("import stream is over");
  v1::ImportRequest m;
  m.mutable_batch()->Swap(&batch);
  if (!writer_->Write(m)) return Failed();
  return absl::OkStatus();
}

absl::StatusOr<v1::ImportResponse> Client::ImportStream::Commit() {
  if (done_) return absl::FailedPreconditionError("import stream is over");
  v1::ImportRequest m;
  m.set_commit(true);
  if (!writer_->Write(m)) return Failed();
  writer_->WritesDone();
  done_ = true;
  absl::Status s = FromGrpcStatus(writer_->Finish());
  if (!s.ok()) return s;
  return response_;
}

absl::StatusOr<v1::VerifyResponse> Client::Verify(absl::Duration timeout) {
  return Call<v1::VerifyRequest, v1::VerifyResponse>(
      &v1::NearDup::Stub::Verify, v1::VerifyRequest(), timeout);
}

absl::StatusOr<v1::BackupInfo> Client::Backup(const v1::BackupRequest& request,
                                              absl::Duration timeout) {
  return Call<v1::BackupRequest, v1::BackupInfo>(&v1::NearDup::Stub::Backup,
                                                 request, timeout);
}

absl::StatusOr<v1::ListBackupsResponse> Client::ListBackups() {
  return Call<v1::ListBackupsRequest, v1::ListBackupsResponse>(
      &v1::NearDup::Stub::ListBackups, v1::ListBackupsRequest());
}

}  // namespace neardup::client
