#include "service/api/audit_reactor.h"

#include <utility>

#include "service/api/grpc_status.h"
#include "service/common/logging.h"

namespace neardup::api {
namespace {

// Clusters per message, at most; a message is also cut at about 1 MB.
constexpr int kClustersPerMessage = 256;
constexpr size_t kMessageBytes = 1 << 20;

void ToProto(const audit::MemberView& m, v1::AuditMember* out) {
  out->set_id(m.id);
  out->set_words(m.words);
  out->set_bytes(m.bytes);
  out->set_jaccard(m.jaccard);
  out->set_containment(m.containment);
  out->set_reverse_containment(m.reverse_containment);
  out->set_exact(m.exact);
}

}  // namespace

AuditReactor::AuditReactor(const index::Store* store, v1::AuditRequest request,
                           audit::CollectionAuditOptions options,
                           std::atomic<bool>* running)
    : store_(store),
      request_(std::move(request)),
      options_(std::move(options)),
      running_(running) {
  thread_ = std::thread([this] { Produce(); });
}

bool AuditReactor::Push(v1::AuditResponse m) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](AuditReactor* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
        return r->queue_.size() < kQueued || r->cancelled_.load();
      },
      this));
  if (cancelled_.load()) return false;
  queue_.push_back(std::move(m));
  Pump();
  return true;
}

void AuditReactor::Pump() {
  if (write_pending_ || finished_) return;
  if (!queue_.empty() && !cancelled_.load()) {
    writing_ = std::move(queue_.front());
    queue_.pop_front();
    write_pending_ = true;
    StartWrite(&writing_);
    return;
  }
  if (produced_) {
    finished_ = true;
    Finish(cancelled_.load() ? grpc::Status::CANCELLED : ToGrpcStatus(status_));
  }
}

void AuditReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  write_pending_ = false;
  if (!ok) cancelled_.store(true);  // the stream is broken
  Pump();
}

void AuditReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  cancelled_.store(true);
  Pump();
}

void AuditReactor::OnDone() {
  thread_.join();  // finished: Finish comes only after the audit ended
  running_->store(false);
  delete this;
}

void AuditReactor::Produce() {
  v1::AuditResponse batch;
  auto flush = [&]() -> absl::Status {
    if (batch.clusters().clusters_size() == 0) return absl::OkStatus();
    v1::AuditResponse m = std::move(batch);
    batch.Clear();
    return Push(std::move(m)) ? absl::OkStatus()
                              : absl::CancelledError("the client went away");
  };
  options_.cancelled = [this] { return cancelled_.load(); };
  options_.progress = [this](const audit::Progress& p) {
    v1::AuditResponse m;
    v1::AuditProgress* out = m.mutable_progress();
    out->set_stage(std::string(p.stage));
    out->set_unit(std::string(p.unit));
    out->set_done(p.done);
    out->set_total(p.total);
    out->set_seconds(p.seconds);
    out->set_finished(p.finished);
    Push(std::move(m));
  };
  audit::CollectionAuditSink sink;
  sink.cluster = [&](audit::ClusterView c) -> absl::Status {
    v1::AuditCluster* out = batch.mutable_clusters()->add_clusters();
    out->set_number(c.number);
    ToProto(c.representative, out->mutable_representative());
    for (const audit::MemberView& m : c.members) {
      ToProto(m, out->add_members());
    }
    if (batch.clusters().clusters_size() >= kClustersPerMessage ||
        batch.ByteSizeLong() >= kMessageBytes) {
      return flush();
    }
    return absl::OkStatus();
  };
  sink.side_by_side = [&](audit::SideBySide v) -> absl::Status {
    absl::Status s = flush();
    if (!s.ok()) return s;
    v1::AuditResponse m;
    v1::AuditSideBySide* out = m.mutable_side_by_side();
    out->set_cluster(v.cluster);
    out->set_member_id(v.member_id);
    out->set_representative_content(std::move(v.representative_text));
    out->set_member_content(std::move(v.member_text));
    for (const auto& r : v.representative_ranges) {
      v1::TextSpan* t = out->add_representative_passages();
      t->set_byte_start(r.begin);
      t->set_byte_end(r.end);
    }
    for (const auto& r : v.member_ranges) {
      v1::TextSpan* t = out->add_member_passages();
      t->set_byte_start(r.begin);
      t->set_byte_end(r.end);
    }
    return Push(std::move(m)) ? absl::OkStatus()
                              : absl::CancelledError("the client went away");
  };
  absl::StatusOr<audit::AuditSummary> s =
      audit::AuditCollection(*store_, request_.collection(), options_, sink);
  absl::Status status = s.status();
  if (status.ok()) status = flush();
  if (status.ok()) {
    v1::AuditResponse m;
    v1::AuditSummary* out = m.mutable_summary();
    out->set_parameters_json(s->params_json);
    out->set_documents(s->documents);
    out->set_bytes(s->bytes);
    out->set_candidate_pairs(s->candidate_pairs);
    out->set_verified_pairs(s->verified_pairs);
    out->set_clusters(s->clusters);
    out->set_largest_cluster(s->largest_cluster);
    out->set_exact_duplicates(s->exact_duplicates);
    out->set_near_duplicates(s->near_duplicates);
    out->set_components(s->components);
    out->set_largest_component(s->largest_component);
    for (const audit::StageRun& r : s->stages) {
      v1::AuditStage* st = out->add_stages();
      st->set_stage(r.name);
      st->set_seconds(r.seconds);
      st->set_peak_memory_bytes(r.peak_memory_bytes);
    }
    out->set_seconds(s->seconds);
    out->set_threads(s->threads);
    Push(std::move(m));
  }
  if (!status.ok()) {
    NEARDUP_LOG(kDebug,
                "Audit of " + request_.collection() + ": " + status.ToString());
  }
  absl::MutexLock lock(&mu_);
  produced_ = true;
  status_ = status;
  Pump();
}

}  // namespace neardup::api
