// The Import rpc's client stream: a header, batches of fingerprinted
// documents, then a commit. Runs on a thread of its own, one message at
// a time while the next is read (at most two are held, so a fast client
// waits for the server instead of filling its memory), and answers when
// the import is committed or has failed. A stream that ends without a
// commit, or a cancelled call, stores nothing.

#ifndef NEARDUP_SERVICE_API_IMPORT_REACTOR_H_
#define NEARDUP_SERVICE_API_IMPORT_REACTOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "neardup/v1/neardup.grpc.pb.h"
#include "service/api/access.h"
#include "service/engine/engine.h"

namespace neardup::api {

class ImportReactor final : public grpc::ServerReadReactor<v1::ImportRequest> {
 public:
  // Imports running at once, at most; more are refused.
  static constexpr int kMaxRunning = 4;

  // Deletes itself when the call is done. `response` is filled at the
  // commit. `running` was incremented by the caller and is decremented
  // when the call is done. `caller` must have write access to the
  // collection the header names.
  ImportReactor(engine::Engine* engine, grpc::CallbackServerContext* ctx,
                v1::ImportResponse* response, std::atomic<int>* running,
                Caller caller);

  void OnReadDone(bool ok) override;
  void OnDone() override;

 private:
  // The import, on its own thread.
  void Run();
  // Starts reading the next message into request_.
  void StartNextRead();
  // Waits for it and swaps it into `out`: false if the stream ended or
  // broke.
  bool AwaitRead(v1::ImportRequest* out);
  absl::Status Handle(const v1::ImportRequest& m, bool* committed);

  engine::Engine* const engine_;
  grpc::CallbackServerContext* const ctx_;
  v1::ImportResponse* const response_;
  std::atomic<int>* const running_;
  const Caller caller_;
  std::unique_ptr<engine::Importer> importer_;
  uint64_t received_ = 0;      // documents, duplicates included
  v1::ImportRequest request_;  // being read
  std::thread thread_;

  absl::Mutex mu_;
  bool read_done_ ABSL_GUARDED_BY(mu_) = false;
  bool read_ok_ ABSL_GUARDED_BY(mu_) = false;
};

// An import refused at once with `status`.
class FailedReader final : public grpc::ServerReadReactor<v1::ImportRequest> {
 public:
  explicit FailedReader(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_IMPORT_REACTOR_H_
