#include "service/replication/node.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "neardup/v1/replication.grpc.pb.h"
#include "service/common/logging.h"
#include "service/common/status_macros.h"

namespace neardup::replication {
namespace {

// Writes applied as a replica remembered for replicas that follow this
// node once elected (about 40 B each).
constexpr size_t kAppliedLogCapacity = size_t{1} << 20;
// How often the coordinator looks at the election.
constexpr absl::Duration kPoll = absl::Milliseconds(100);

std::string PrimaryValue(const NodeOptions& o) {
  return absl::StrCat(o.name, "\n", o.advertise);
}

std::pair<std::string, std::string> ParsePrimaryValue(const std::string& v) {
  const size_t nl = v.find('\n');
  if (nl == std::string::npos) return {v, ""};
  return {v.substr(0, nl), v.substr(nl + 1)};
}

std::string PrimaryKey(const NodeOptions& o) {
  return GroupPrefix(o.group) + "primary";
}
std::string MembersPrefix(const NodeOptions& o) {
  return GroupPrefix(o.group) + "members/";
}
// The group's newest epoch, written by each primary once elected (no
// lease: it outlives them).
std::string EpochKey(const NodeOptions& o) {
  return GroupPrefix(o.group) + "epoch";
}
// How many lease times after the group last had a primary a node that
// lacks the newest epoch may run (see ShouldCampaign).
constexpr int kStaleCampaignLeases = 5;

absl::Status FromGrpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(what, ": ", s.error_message()));
}

std::chrono::system_clock::time_point In(absl::Duration d) {
  return std::chrono::system_clock::now() + absl::ToChronoMilliseconds(d);
}

}  // namespace

Node::Node(NodeOptions options, std::unique_ptr<EtcdClient> etcd)
    : options_(std::move(options)), etcd_(std::move(etcd)) {}

Node::~Node() { Stop(); }

absl::Status Node::Start(index::Store* store,
                         std::function<void(const std::string&)> resync) {
  store_ = store;
  resync_ = std::move(resync);
  NEARDUP_ASSIGN_OR_RETURN(std::optional<std::string> applied,
                           store->GetMeta(kAppliedKey));
  NEARDUP_ASSIGN_OR_RETURN(std::optional<std::string> primary_epoch,
                           store->GetMeta(kPrimaryEpochKey));
  int64_t was_primary = 0;
  if (primary_epoch.has_value() &&
      !absl::SimpleAtoi(*primary_epoch, &was_primary)) {
    return absl::DataLossError(absl::StrCat("bad ", kPrimaryEpochKey));
  }
  std::optional<Position> pos;
  if (applied.has_value()) {
    pos = ParsePosition(*applied);
    if (!pos.has_value()) {
      return absl::DataLossError(
          absl::StrCat("bad ", kAppliedKey, ": ", *applied));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    // A database that was a primary's (or never replicated) is at its own
    // latest write in that primary's epoch.
    if (!pos.has_value() || was_primary > pos->epoch) {
      pos = Position{was_primary, store->LatestSequence()};
    }
    applied_ = *pos;
    epoch_ = pos->epoch;
  }
  NEARDUP_LOG(kInfo,
              absl::StrCat("node ", options_.name, " of group ", options_.group,
                           " at position ", FormatPosition(*pos)));
  coordinator_ = std::thread([this] { Coordinate(); });
  follower_ = std::thread([this] { Follow(); });
  acker_ = std::thread([this] { SendAcks(); });
  return absl::OkStatus();
}

void Node::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  int64_t lease = 0;
  {
    absl::MutexLock lock(&mu_);
    if (pull_ != nullptr) pull_->TryCancel();
    lease = lease_;
    lease_ = 0;
    if (role_ == Role::kPrimary) StepDownLocked("stopping");
    changed_.SignalAll();
  }
  if (coordinator_.joinable()) coordinator_.join();
  if (follower_.joinable()) follower_.join();
  if (acker_.joinable()) acker_.join();
  // Lets another node be elected now rather than when the lease expires.
  if (lease != 0) etcd_->Revoke(lease).IgnoreError();
}

std::string Node::NotPrimaryMessage() const {
  return absl::StrCat(
      "node ", options_.name, " is a replica of group ", options_.group,
      primary_address_.empty()
          ? std::string("; no primary is elected at the moment, retry shortly")
          : absl::StrCat("; writes go to its primary ", primary_name_, " at ",
                         primary_address_, " (epoch ", epoch_, ")"));
}

absl::Status Node::BeforeWrite() {
  absl::MutexLock lock(&mu_);
  if (role_ != Role::kPrimary) {
    return absl::FailedPreconditionError(NotPrimaryMessage());
  }
  if (absl::Now() >= lease_valid_until_) {
    return absl::UnavailableError(
        absl::StrCat("node ", options_.name,
                     " cannot renew its lease in etcd, so it may "
                     "no longer be the primary of group ",
                     options_.group, ": nothing was written"));
  }
  return absl::OkStatus();
}

absl::Status Node::AfterWrite(uint64_t sequence, bool ack_replica) {
  absl::MutexLock lock(&mu_);
  changed_.SignalAll();
  if (!(options_.ack_replica || ack_replica) || role_ != Role::kPrimary) {
    return absl::OkStatus();
  }
  const int64_t epoch = epoch_;
  const absl::Time deadline = absl::Now() + options_.ack_timeout;
  auto acked = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const auto& [name, p] : acks_) {
      if (p.epoch == epoch && p.sequence >= sequence) return true;
    }
    return false;
  };
  while (!acked()) {
    if (role_ != Role::kPrimary || epoch_ != epoch) {
      return absl::UnavailableError(
          absl::StrCat("node ", options_.name,
                       " stopped being the primary before a "
                       "replica had the write; it may be lost"));
    }
    if (changed_.WaitWithDeadline(&mu_, deadline)) {
      return absl::UnavailableError(absl::StrCat(
          "no replica of group ", options_.group,
          " acknowledged the write "
          "within ",
          absl::FormatDuration(options_.ack_timeout),
          "; it is stored on the primary and replicas get it when they "
          "catch up"));
    }
  }
  return absl::OkStatus();
}

Position Node::PositionLocked() const {
  if (role_ == Role::kPrimary) return {epoch_, store_->LatestSequence()};
  return applied_;
}

absl::StatusOr<uint64_t> Node::StartOfPull(const Position& from,
                                           int64_t known_epoch) {
  absl::MutexLock lock(&mu_);
  if (known_epoch > epoch_) {
    if (role_ == Role::kPrimary) {
      StepDownLocked(absl::StrCat("a replica knows epoch ", known_epoch));
    }
    epoch_ = known_epoch;
  }
  if (role_ != Role::kPrimary) {
    return absl::FailedPreconditionError(NotPrimaryMessage());
  }
  const uint64_t latest = store_->LatestSequence();
  if (from.epoch == epoch_ && from.sequence <= latest &&
      from.sequence + 1 >= start_sequence_) {
    return from.sequence;
  }
  if (from == previous_) return start_sequence_ - 1;
  // A point this node passed through as a replica (of any earlier
  // primary): the same history up to there.
  if (from < previous_) {
    auto it = std::lower_bound(
        applied_log_.begin(), applied_log_.end(), from,
        [](const auto& entry, const Position& p) { return entry.first < p; });
    if (it != applied_log_.end() && it->first == from) return it->second;
  }
  return absl::OutOfRangeError(absl::StrCat(
      "position ", FormatPosition(from), " is not in the history of ",
      options_.name, ", primary of group ", options_.group, " since epoch ",
      epoch_, " (it took over at ", FormatPosition(previous_),
      "): the replica holds writes that were never acknowledged, or fell "
      "behind what this primary remembers; it starts again from a "
      "checkpoint"));
}

bool Node::IsPrimaryOf(int64_t epoch) const {
  absl::MutexLock lock(&mu_);
  return role_ == Role::kPrimary && epoch_ == epoch;
}

void Node::WaitForWrite(uint64_t sequence, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  while (store_->LatestSequence() <= sequence && !stop_.HasBeenNotified()) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) return;
  }
}

void Node::LearnEpoch(int64_t epoch) {
  absl::MutexLock lock(&mu_);
  if (epoch <= epoch_) return;
  if (role_ == Role::kPrimary) {
    StepDownLocked(absl::StrCat("a client knows epoch ", epoch));
  }
  epoch_ = epoch;
  changed_.SignalAll();
}

void Node::RecordAck(const std::string& replica, const Position& applied) {
  absl::MutexLock lock(&mu_);
  Position& p = acks_[replica];
  if (p < applied) p = applied;
  changed_.SignalAll();
}

NodeStatus Node::Status() const {
  absl::MutexLock lock(&mu_);
  NodeStatus s;
  s.role = role_ == Role::kPrimary ? "primary" : "replica";
  s.position = PositionLocked();
  s.primary = primary_address_;
  s.epoch = epoch_;
  if (role_ == Role::kReplica) {
    s.lag_writes =
        applied_.epoch == epoch_ && primary_sequence_ > applied_.sequence
            ? primary_sequence_ - applied_.sequence
            : 0;
    s.lag = caught_up_ == absl::InfinitePast()
                ? absl::InfiniteDuration()
                : std::max(absl::ZeroDuration(),
                           s.lag_writes == 0 ? absl::Now() - heard_
                                             : absl::Now() - caught_up_);
  }
  const absl::Time now = absl::Now();
  s.ready = role_ == Role::kPrimary
                ? now < lease_valid_until_
                : now - heard_ < absl::Seconds(1) && s.lag_writes == 0;
  return s;
}

bool Node::Ready() const { return Status().ready; }

void Node::StepDownLocked(const std::string& why) {
  if (role_ == Role::kPrimary) {
    NEARDUP_LOG(kWarning, absl::StrCat("node ", options_.name,
                                       " is no longer the primary of group ",
                                       options_.group, ": ", why));
  }
  role_ = Role::kReplica;
  acks_.clear();
  // Where this node is now: a replica of whoever is elected next.
  applied_ = {epoch_, store_->LatestSequence()};
  changed_.SignalAll();
}

void Node::Promote(int64_t epoch) {
  {
    absl::MutexLock lock(&mu_);
    if (pull_ != nullptr) pull_->TryCancel();
  }
  // No replicated write half applied from here on.
  absl::MutexLock apply(&apply_mu_);
  Position before;
  {
    absl::MutexLock lock(&mu_);
    before = applied_;
  }
  absl::Status reloaded = store_->ReloadCollections();
  if (!reloaded.ok()) {
    NEARDUP_LOG(kError, absl::StrCat("node ", options_.name,
                                     " was elected but cannot read its "
                                     "collections: ",
                                     reloaded.message()));
    return;
  }
  absl::StatusOr<uint64_t> start =
      store_->PutMeta(kPrimaryEpochKey, absl::StrCat(epoch));
  absl::MutexLock lock(&mu_);
  if (!start.ok()) {
    NEARDUP_LOG(kError, absl::StrCat("node ", options_.name,
                                     " was elected but cannot write: ",
                                     start.status().message()));
    return;
  }
  role_ = Role::kPrimary;
  epoch_ = epoch;
  previous_ = before;
  start_sequence_ = *start;
  primary_name_ = options_.name;
  primary_address_ = options_.advertise;
  acks_.clear();
  changed_.SignalAll();
  NEARDUP_LOG(
      kInfo, absl::StrCat("node ", options_.name, " is the primary of group ",
                          options_.group, ", epoch ", epoch, ", from position ",
                          FormatPosition(before)));
}

absl::Status Node::RenewLease() {
  int64_t lease;
  {
    absl::MutexLock lock(&mu_);
    lease = lease_;
  }
  const absl::Time sent = absl::Now();
  if (lease == 0) {
    NEARDUP_ASSIGN_OR_RETURN(EtcdClient::Lease granted,
                             etcd_->GrantLease(options_.lease_seconds));
    NEARDUP_RETURN_IF_ERROR(etcd_->Put(MembersPrefix(options_) + options_.name,
                                       options_.advertise, granted.id));
    absl::MutexLock lock(&mu_);
    lease_ = granted.id;
    lease_valid_until_ = sent + absl::Seconds(granted.ttl_seconds);
    return absl::OkStatus();
  }
  absl::StatusOr<int64_t> ttl = etcd_->KeepAlive(lease);
  absl::MutexLock lock(&mu_);
  if (absl::IsNotFound(ttl.status())) {
    lease_ = 0;
    StepDownLocked("its lease expired");
    return ttl.status();
  }
  if (!ttl.ok()) return ttl.status();
  lease_valid_until_ = sent + absl::Seconds(*ttl);
  return absl::OkStatus();
}

bool Node::ShouldCampaign(const Position& mine) {
  // The newest epoch the group has had. A node that never applied its
  // first write lacks what that primary wrote (with --ack replica, maybe
  // acknowledged writes): it runs only once no such node has come
  // forward for five lease times, so that a group whose last primary
  // died before any replica heard from it is not stuck for ever (a member
  // that holds the newest epoch and answers is preferred by the check on
  // positions below; one whose lease lives but does not answer holds
  // everyone back).
  absl::StatusOr<std::optional<EtcdClient::KeyValue>> latest =
      etcd_->Get(EpochKey(options_));
  if (!latest.ok()) return false;
  int64_t epoch = 0;
  if (latest->has_value() && !absl::SimpleAtoi((*latest)->value, &epoch)) {
    return false;
  }
  {
    absl::MutexLock lock(&mu_);
    if (absl::Now() - primary_seen_ <
            kStaleCampaignLeases * absl::Seconds(options_.lease_seconds) &&
        mine.epoch < epoch) {
      return false;
    }
  }
  absl::StatusOr<std::vector<EtcdClient::KeyValue>> members =
      etcd_->List(MembersPrefix(options_));
  if (!members.ok()) return false;
  const std::string prefix = MembersPrefix(options_);
  for (const EtcdClient::KeyValue& m : *members) {
    const std::string name = m.key.substr(prefix.size());
    if (name == options_.name) continue;
    auto stub = v1::Replication::NewStub(
        grpc::CreateChannel(m.value, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(In(absl::Milliseconds(300)));
    v1::NodePosition theirs;
    // A member whose lease lives but who does not answer may be further
    // on: wait for it, or for its lease to end.
    if (!stub->GetPosition(&ctx, v1::GetPositionRequest(), &theirs).ok()) {
      return false;
    }
    const Position p{theirs.position().epoch(), theirs.position().sequence()};
    if (mine < p || (p == mine && name < options_.name)) return false;
  }
  return true;
}

void Node::TakeUp(int64_t epoch) {
  Promote(epoch);
  if (!IsPrimaryOf(epoch)) return;
  absl::Status noted = etcd_->Put(EpochKey(options_), absl::StrCat(epoch));
  if (!noted.ok()) {
    NEARDUP_LOG(kWarning, absl::StrCat("cannot record epoch ", epoch,
                                       " in etcd: ", noted.message()));
  }
}

void Node::Coordinate() {
  absl::Time renew_at = absl::InfinitePast();
  while (!stop_.WaitForNotificationWithTimeout(kPoll)) {
    if (absl::Now() >= renew_at) {
      absl::Status s = RenewLease();
      if (!s.ok()) {
        NEARDUP_LOG(kWarning, absl::StrCat("etcd lease: ", s.message()));
      }
      absl::MutexLock lock(&mu_);
      const absl::Duration ttl =
          std::max(absl::Seconds(1), lease_valid_until_ - absl::Now());
      renew_at = absl::Now() +
                 std::min(ttl / 3, absl::Seconds(options_.lease_seconds) / 3);
      if (!s.ok()) renew_at = absl::Now() + kPoll;
    }
    absl::StatusOr<std::optional<EtcdClient::KeyValue>> primary =
        etcd_->Get(PrimaryKey(options_));
    if (!primary.ok()) continue;
    int64_t lease;
    Position mine;
    {
      absl::MutexLock lock(&mu_);
      lease = lease_;
      mine = PositionLocked();
      if (primary->has_value()) {
        primary_seen_ = absl::Now();
        const auto [name, address] = ParsePrimaryValue((*primary)->value);
        const int64_t epoch = (*primary)->create_revision;
        const bool ours = name == options_.name && (*primary)->lease == lease_;
        if (ours && role_ == Role::kPrimary && epoch_ == epoch) continue;
        if (!ours) {
          if (role_ == Role::kPrimary) {
            StepDownLocked(absl::StrCat(name, " was elected at epoch ", epoch));
          }
          if (epoch_ != epoch || primary_address_ != address) {
            epoch_ = std::max(epoch_, epoch);
            primary_name_ = name;
            primary_address_ = address;
            changed_.SignalAll();
          }
          continue;
        }
        // Ours but not yet taken up (elected just now): below.
      } else {
        if (role_ == Role::kPrimary) StepDownLocked("its election key is gone");
        primary_name_.clear();
        primary_address_.clear();
      }
    }
    if (primary->has_value()) {
      TakeUp((*primary)->create_revision);
      continue;
    }
    if (lease == 0 || !ShouldCampaign(mine)) continue;
    absl::StatusOr<std::optional<int64_t>> won = etcd_->CreateIfAbsent(
        PrimaryKey(options_), PrimaryValue(options_), lease);
    if (won.ok() && won->has_value()) TakeUp(**won);
  }
}

void Node::Follow() {
  while (!stop_.HasBeenNotified()) {
    std::string address;
    int64_t known_epoch;
    {
      absl::MutexLock lock(&mu_);
      if (role_ == Role::kPrimary || primary_address_.empty() ||
          primary_name_ == options_.name || resyncing_) {
        changed_.WaitWithTimeout(&mu_, kPoll);
        continue;
      }
      address = primary_address_;
      known_epoch = epoch_;
    }
    absl::Status s = PullFrom(address, known_epoch);
    if (absl::IsOutOfRange(s)) {
      {
        absl::MutexLock lock(&mu_);
        resyncing_ = true;
      }
      NEARDUP_LOG(kWarning, absl::StrCat("node ", options_.name,
                                         " must start again from a "
                                         "checkpoint: ",
                                         s.message()));
      if (resync_) resync_(std::string(s.message()));
      return;
    }
    if (!s.ok() && !stop_.HasBeenNotified()) {
      NEARDUP_LOG(kInfo,
                  absl::StrCat("pull from ", address, ": ", s.message()));
      stop_.WaitForNotificationWithTimeout(kPoll);
    }
  }
}

void Node::SendAcks() {
  std::string address;
  std::unique_ptr<v1::Replication::Stub> stub;
  Position sent;
  while (!stop_.HasBeenNotified()) {
    v1::AckRequest ack;
    {
      absl::MutexLock lock(&mu_);
      // Waits for a write applied since the last report. Reports are
      // sent one after another, each with the latest position: a burst
      // of small writes costs a few reports, not one each.
      while (!stop_.HasBeenNotified() &&
             (role_ == Role::kPrimary || ack_address_.empty() ||
              !(sent < applied_))) {
        changed_.WaitWithTimeout(&mu_, kPoll);
      }
      if (stop_.HasBeenNotified()) return;
      if (ack_address_ != address) {
        address = ack_address_;
        stub = v1::Replication::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
      }
      sent = applied_;
    }
    ack.set_replica(options_.name);
    ack.mutable_applied()->set_epoch(sent.epoch);
    ack.mutable_applied()->set_sequence(sent.sequence);
    v1::AckResponse ignored;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(absl::Seconds(1)));
    if (!stub->Ack(&ctx, ack, &ignored).ok()) {
      stop_.WaitForNotificationWithTimeout(kPoll);
      absl::MutexLock lock(&mu_);
      sent = Position{};  // report again
      address.clear();
    }
  }
}

absl::Status Node::PullFrom(const std::string& address, int64_t known_epoch) {
  auto stub = v1::Replication::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  v1::PullRequest req;
  {
    absl::MutexLock lock(&mu_);
    if (role_ == Role::kPrimary) return absl::OkStatus();
    req.mutable_from()->set_epoch(applied_.epoch);
    req.mutable_from()->set_sequence(applied_.sequence);
    pull_ = &ctx;
    ack_address_ = address;
  }
  req.set_replica(options_.name);
  req.set_known_epoch(known_epoch);
  auto reader = stub->Pull(&ctx, req);
  v1::LogBatch batch;
  absl::Status failed;
  bool ended = false;  // by the primary: its status says why
  bool dirty = false;  // applied since the collections were reloaded
  absl::Time reloaded = absl::InfinitePast();
  while (failed.ok() && !(ended = !reader->Read(&batch))) {
    if (batch.epoch() < known_epoch) {
      failed = absl::FailedPreconditionError(
          absl::StrCat(address, " sends epoch ", batch.epoch(), ", older than ",
                       known_epoch));
      break;
    }
    {
      absl::MutexLock apply(&apply_mu_);
      {
        absl::MutexLock lock(&mu_);
        if (role_ == Role::kPrimary) break;
      }
      // Each write of the primary applied whole, with its end as the
      // replica's position: a replica is always at a point of the
      // primary's history, which a later primary can continue from.
      for (const v1::LogEntry& e : batch.entries()) {
        const Position end{batch.epoch(), e.sequence() + e.count() - 1};
        const std::string_view data = e.data();
        failed = store_->ApplyLogEntries({&data, 1}, kAppliedKey,
                                         FormatPosition(end));
        if (!failed.ok()) break;
        const uint64_t local = store_->LatestSequence();
        absl::MutexLock lock(&mu_);
        applied_ = end;
        applied_log_.emplace_back(end, local);
        if (applied_log_.size() > kAppliedLogCapacity) applied_log_.pop_front();
        changed_.SignalAll();  // the acker reports it
      }
      // The collections in memory (counts, new or dropped ones) follow
      // at most 5 ms behind while writes stream in, and at once when
      // they stop (the primary's next message then has none).
      dirty = dirty || batch.entries_size() > 0;
      if (dirty && (batch.entries_size() == 0 ||
                    absl::Now() - reloaded >= absl::Milliseconds(5))) {
        absl::Status s = store_->ReloadCollections();
        if (failed.ok()) failed = s;
        dirty = false;
        reloaded = absl::Now();
      }
      absl::MutexLock lock(&mu_);
      const Position at = applied_;
      primary_sequence_ = batch.primary_sequence();
      heard_ = absl::Now();
      if (at.epoch == batch.epoch() && at.sequence >= primary_sequence_) {
        caught_up_ = heard_;
      }
    }
    if (!failed.ok()) break;
  }
  if (!ended) ctx.TryCancel();
  const grpc::Status finished = reader->Finish();
  if (dirty) {
    absl::Status s = store_->ReloadCollections();
    if (failed.ok()) failed = s;
  }
  {
    absl::MutexLock lock(&mu_);
    pull_ = nullptr;
  }
  if (!failed.ok()) return failed;
  return FromGrpc(finished, absl::StrCat("pull from ", address));
}

}  // namespace neardup::replication
