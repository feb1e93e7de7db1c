// neardup C++ client library: one channel and stub, a deadline on every
// call, results as absl::StatusOr with the server's code and message.
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(auto client,
//                            client::Client::Connect("127.0.0.1:50051"));
//   v1::CheckAndAddRequest req;
//   req.set_collection("pages");
//   req.mutable_document()->set_id(url);
//   req.mutable_document()->set_content(html_text);
//   NEARDUP_ASSIGN_OR_RETURN(v1::CheckAndAddResponse r,
//                            client->CheckAndAdd(req));
//   if (!r.added()) Skip(url, r.matches(0).id());
//
// Thread-safe: calls may be made concurrently from many threads.

#ifndef NEARDUP_CLIENT_CLIENT_H_
#define NEARDUP_CLIENT_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "neardup/v1/neardup.grpc.pb.h"

namespace neardup::client {

inline constexpr std::string_view kDefaultServer = "127.0.0.1:50051";

class Client {
 public:
  struct Options {
    // Deadline of each call, from when it starts.
    absl::Duration timeout = absl::Seconds(30);
    // Largest message sent or received; the server has its own limit.
    int max_message_bytes = 256 << 20;
    // Sent as "authorization: Bearer TOKEN" with every call (a server
    // with a token file needs it); empty: none.
    std::string token;
    // TLS: the CA that signed the server's certificate (PEM file; empty
    // with TLS on: the system's roots), and for mutual TLS the client's
    // own certificate chain and key. `tls` turns TLS on; any file turns
    // it on too.
    bool tls = false;
    std::string tls_ca_file;
    std::string tls_cert_file;
    std::string tls_key_file;
    // Longest wait between attempts to reach a server that is down.
    absl::Duration max_reconnect_backoff = absl::Seconds(5);
  };

  // Creates a client for `target` ("host:port"). Does not connect yet: the
  // first call does, and fails with UNAVAILABLE if nothing listens.
  // NOT_FOUND if a TLS file cannot be read.
  static absl::StatusOr<std::unique_ptr<Client>> Connect(
      std::string_view target, const Options& options);
  static absl::StatusOr<std::unique_ptr<Client>> Connect(
      std::string_view target) {
    return Connect(target, Options());
  }

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  absl::StatusOr<v1::Collection> CreateCollection(
      std::string_view name, const v1::CollectionParams& params);
  absl::StatusOr<v1::Collection> GetCollection(std::string_view name);
  absl::StatusOr<std::vector<v1::Collection>> ListCollections();
  // Returns the number of documents dropped.
  absl::StatusOr<uint64_t> DropCollection(std::string_view name);

  absl::StatusOr<v1::AddResponse> Add(const v1::AddRequest& request);
  absl::StatusOr<v1::CheckResponse> Check(const v1::CheckRequest& request);
  absl::StatusOr<v1::CheckAndAddResponse> CheckAndAdd(
      const v1::CheckAndAddRequest& request);
  // Up to 1000 documents at once; results[i] belongs to documents(i) and
  // carries its own status code. The returned status is the call's.
  absl::StatusOr<v1::CheckAndAddBatchResponse> CheckAndAddBatch(
      const v1::CheckAndAddBatchRequest& request);
  // With `include_fingerprint`, StoredDocument.fingerprint is filled.
  absl::StatusOr<v1::StoredDocument> Get(std::string_view collection,
                                         std::string_view id,
                                         bool include_fingerprint = false);
  absl::Status Delete(std::string_view collection, std::string_view id);
  absl::StatusOr<v1::RepeatsResponse> Repeats(
      const v1::RepeatsRequest& request);
  absl::StatusOr<v1::CompareResponse> Compare(
      const v1::CompareRequest& request);
  absl::StatusOr<v1::SearchResponse> Search(const v1::SearchRequest& request);

  // Operations (admin token). Verify reads the whole database: `timeout`
  // bounds it (about a minute per million documents).
  absl::StatusOr<v1::VerifyResponse> Verify(
      absl::Duration timeout = absl::Hours(2));
  absl::StatusOr<v1::BackupInfo> Backup(
      const v1::BackupRequest& request,
      absl::Duration timeout = absl::Hours(2));
  absl::StatusOr<v1::ListBackupsResponse> ListBackups();

  // Audits a stored collection: calls `on_message` with each message of
  // the stream, in order (progress, clusters, side-by-side views, the
  // summary last). An error from `on_message` cancels the call and is
  // returned; otherwise the call's status. `timeout` bounds the whole
  // call (none by default: an audit of millions of documents takes
  // minutes).
  absl::Status Audit(
      const v1::AuditRequest& request,
      const std::function<absl::Status(const v1::AuditResponse&)>& on_message,
      absl::Duration timeout = absl::InfiniteDuration());

  // A replicated deployment (client/router.h): every call then carries
  // `epoch` (the epoch of the primary this client was chosen for, as
  // x-neardup-epoch); a node that learns of a newer epoch than its own
  // stops accepting writes at once. 0: none sent.
  void SetEpoch(int64_t epoch) { epoch_.store(epoch); }

  // A bulk import (the Import rpc): BeginImport sends the header, Send
  // each batch, Commit ends the stream and returns what was stored.
  // Destroyed without a commit, it cancels the call: nothing is stored.
  class ImportStream {
   public:
    ~ImportStream();
    ImportStream(const ImportStream&) = delete;
    ImportStream& operator=(const ImportStream&) = delete;

    // Sends one batch; if the server ended the call (a bad document, a
    // concurrent write...), returns its status.
    absl::Status Send(v1::ImportBatch batch);
    absl::StatusOr<v1::ImportResponse> Commit();

   private:
    friend class Client;
    ImportStream() = default;
    // The server's status once the stream is broken.
    absl::Status Failed();

    grpc::ClientContext ctx_;
    v1::ImportResponse response_;
    std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer_;
    bool done_ = false;
  };
  // No deadline: an import of millions of documents takes minutes.
  absl::StatusOr<std::unique_ptr<ImportStream>> BeginImport(
      const v1::ImportHeader& header);

  // The channel, for other services on the same server (health,
  // reflection).
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  Client(std::shared_ptr<grpc::Channel> channel, const Options& options);

  std::atomic<int64_t> epoch_{0};

  // Puts the token, if any, and the epoch, if set, on `ctx`.
  void Authorize(grpc::ClientContext* ctx) const;

  // Runs one unary call with a fresh context and deadline.
  // `timeout` zero: the client's.
  template <typename Request, typename Response, typename Method>
  absl::StatusOr<Response> Call(Method method, const Request& request,
                                absl::Duration timeout = absl::ZeroDuration());

  const Options options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::NearDup::Stub> stub_;
};

// Returns `s` as an absl::Status (same code and message).
absl::Status FromGrpcStatus(const grpc::Status& s);

}  // namespace neardup::client

#endif  // NEARDUP_CLIENT_CLIENT_H_
