// The Audit rpc's server-side stream: runs audit::AuditCollection on a
// thread of its own and writes what it produces (progress, batches of
// clusters, side-by-side views, the summary) one message at a time. The
// audit waits when the client reads slowly (at most kQueued messages are
// held), and stops when the call is cancelled.

#ifndef NEARDUP_SERVICE_API_AUDIT_REACTOR_H_
#define NEARDUP_SERVICE_API_AUDIT_REACTOR_H_

#include <atomic>
#include <deque>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "neardup/v1/neardup.grpc.pb.h"
#include "service/audit/collection.h"
#include "service/index/store.h"

namespace neardup::api {

class AuditReactor final : public grpc::ServerWriteReactor<v1::AuditResponse> {
 public:
  static constexpr size_t kQueued = 16;

  // Starts the audit of `request` over `store` in `work_dir`. `running`
  // is set by the caller and cleared when the call is done. Deletes
  // itself when the call is done.
  AuditReactor(const index::Store* store, v1::AuditRequest request,
               audit::CollectionAuditOptions options,
               std::atomic<bool>* running);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // The audit, on its own thread.
  void Produce();
  // Queues `m` for writing, waiting for room; false if the call is over.
  bool Push(v1::AuditResponse m);
  // Starts the next write, or finishes the call when all is written.
  void Pump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const index::Store* const store_;
  const v1::AuditRequest request_;
  audit::CollectionAuditOptions options_;
  std::atomic<bool>* const running_;
  std::thread thread_;

  absl::Mutex mu_;
  std::deque<v1::AuditResponse> queue_ ABSL_GUARDED_BY(mu_);
  v1::AuditResponse writing_ ABSL_GUARDED_BY(mu_);
  bool write_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool produced_ ABSL_GUARDED_BY(mu_) = false;  // the audit has ended
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> cancelled_{false};
};

// A stream answered with `status` and nothing else.
class FailedWriter final : public grpc::ServerWriteReactor<v1::AuditResponse> {
 public:
  explicit FailedWriter(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_AUDIT_REACTOR_H_
