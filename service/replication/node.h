// Node: this process's place in a node group (docs/SCALE.md, "Beyond one
// machine"). The nodes of a group hold the same collections; one of them,
// the primary, orders every write, and the others, replicas, pull its
// write-ahead log (ReplicationService::Pull) and apply it in order.
//
// Membership and election go through etcd. Each node holds a lease and
// keeps GROUP/members/NAME on it. When GROUP/primary is absent, a node
// whose position is at least every reachable member's creates it in a
// create-if-absent transaction; the revision that created it is the new
// epoch. The primary accepts writes only while its lease is certainly
// alive: until the time it sent its last successful keep-alive plus the
// TTL, which is before etcd can expire the lease and let another node be
// elected (fencing; clocks need only run at the same rate). A node that
// hears of a newer epoch (from etcd, or in a replica's pull) stops
// accepting writes at once.
//
// With ack_replica, a write is answered only once a replica reports
// having applied it (Store::Options::after_write).
//
// Thread-safe.

#ifndef NEARDUP_SERVICE_REPLICATION_NODE_H_
#define NEARDUP_SERVICE_REPLICATION_NODE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "service/index/store.h"
#include "service/replication/etcd.h"
#include "service/replication/position.h"

namespace neardup::replication {

struct NodeOptions {
  // Unique within the group (default: the host name).
  std::string name;
  std::string group = "default";
  // host:port where the other nodes and clients reach this node's gRPC
  // service.
  std::string advertise;
  // etcd endpoints, host:port separated by commas.
  std::string etcd;
  // The lease TTL asked of etcd (it may grant more).
  int64_t lease_seconds = 2;
  // Answer writes only once a replica has them.
  bool ack_replica = false;
  // How long a write waits for that: then UNAVAILABLE (it stays stored on
  // the primary, and replicas get it when they catch up).
  absl::Duration ack_timeout = absl::Seconds(5);
};

// What GetPosition reports.
struct NodeStatus {
  std::string role;  // "primary" or "replica"
  Position position;
  std::string primary;  // host:port of the group's primary, if known
  int64_t epoch = 0;    // the newest epoch known
  uint64_t lag_writes = 0;
  absl::Duration lag;
  bool ready = false;
};

class Node {
 public:
  // `resync` is called (once, from a background thread) when this node's
  // database cannot follow the primary any more (it diverged, or fell
  // behind what the primary's log keeps): the process should restart so
  // that PrepareDatabase fetches a checkpoint.
  Node(NodeOptions options, std::unique_ptr<EtcdClient> etcd);
  ~Node();

  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const NodeOptions& options() const { return options_; }
  EtcdClient& etcd() const { return *etcd_; }

  // Starts the lease, election and (as a replica) pulling, on `store`
  // (which must outlive Stop).
  absl::Status Start(index::Store* store,
                     std::function<void(const std::string&)> resync);
  // Gives up the lease (another node is elected at once) and stops.
  void Stop();

  // Store hooks (index::Store::Options).
  absl::Status BeforeWrite();
  // Waits for a replica when this node runs with ack_replica or the
  // collection written asks for it (`ack_replica`).
  absl::Status AfterWrite(uint64_t sequence, bool ack_replica = false);

  // The primary's side of a replica's Pull: the local sequence number
  // after which to send writes to a replica at `from`. FAILED_PRECONDITION
  // if this node is not the primary (naming the one it knows); OUT_OF_RANGE
  // if `from` is not in this primary's history.
  absl::StatusOr<uint64_t> StartOfPull(const Position& from,
                                       int64_t known_epoch);
  // True while this node is the primary of `epoch`.
  bool IsPrimaryOf(int64_t epoch) const;
  // Waits until the store has a write after `sequence`, `timeout` passes
  // or the node stops.
  void WaitForWrite(uint64_t sequence, absl::Duration timeout) const;
  void RecordAck(const std::string& replica, const Position& applied);
  // Another node was elected at `epoch`: if that is newer than this
  // node's, it stops being the primary (fencing) before etcd says so.
  void LearnEpoch(int64_t epoch);

  NodeStatus Status() const;
  // For health: a primary holding its lease, or a replica caught up with
  // its primary within the last second.
  bool Ready() const;
  bool stopping() const { return stop_.HasBeenNotified(); }

 private:
  enum class Role { kReplica, kPrimary };

  void Coordinate();
  void Follow();
  // One Pull from the primary at `address`; returns when it ends.
  absl::Status PullFrom(const std::string& address, int64_t known_epoch);
  // Reports what this replica applied to the primary it pulls from.
  void SendAcks();
  absl::Status RenewLease();
  bool ShouldCampaign(const Position& mine);
  void Promote(int64_t epoch) ABSL_LOCKS_EXCLUDED(mu_);
  // Promote, then record `epoch` as the group's newest in etcd.
  void TakeUp(int64_t epoch) ABSL_LOCKS_EXCLUDED(mu_);
  void StepDownLocked(const std::string& why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Position PositionLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NotPrimaryMessage() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const NodeOptions options_;
  const std::unique_ptr<EtcdClient> etcd_;
  index::Store* store_ = nullptr;
  std::function<void(const std::string&)> resync_;

  mutable absl::Mutex mu_;
  mutable absl::CondVar changed_;  // a write, an ack, a role change
  Role role_ ABSL_GUARDED_BY(mu_) = Role::kReplica;
  // The newest epoch known, and its primary (name and address).
  int64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
  std::string primary_name_ ABSL_GUARDED_BY(mu_);
  std::string primary_address_ ABSL_GUARDED_BY(mu_);
  int64_t lease_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time lease_valid_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Replica: the last write applied. Primary: where it began (the write of
  // kPrimaryEpochKey, at local `start_sequence_`), after `previous_`.
  Position applied_ ABSL_GUARDED_BY(mu_);
  Position previous_ ABSL_GUARDED_BY(mu_);
  uint64_t start_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  // Writes applied as a replica: their position in the primary's history
  // and the local sequence number each ended at (for replicas that follow
  // this node once it is elected, from a point before its election).
  std::deque<std::pair<Position, uint64_t>> applied_log_ ABSL_GUARDED_BY(mu_);
  // Primary: the latest position each replica acknowledged.
  std::map<std::string, Position> acks_ ABSL_GUARDED_BY(mu_);
  // Replica: the primary's latest sequence number when last heard from,
  // when that was, and when this replica last had all of it.
  uint64_t primary_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time heard_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time caught_up_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  grpc::ClientContext* pull_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Where the acker reports to: the primary pulled from last.
  std::string ack_address_ ABSL_GUARDED_BY(mu_);
  bool resyncing_ ABSL_GUARDED_BY(mu_) = false;
  // When etcd last named a primary of the group.
  absl::Time primary_seen_ ABSL_GUARDED_BY(mu_) = absl::Now();
  // Held while a replicated write is applied, so a promotion sees none
  // half done.
  absl::Mutex apply_mu_;

  absl::Notification stop_;
  std::thread coordinator_;
  std::thread follower_;
  std::thread acker_;
};

// Before the store opens: if the database at `db_path` is missing or
// empty while the group has a primary, or marked for resync
// (MarkForResync), fetches a checkpoint of the primary's database into it
// (the old one is kept beside it as DB_PATH.old until the next resync) and
// records its position. Waits up to `wait` for a primary to be elected
// when one is needed.
absl::Status PrepareDatabase(const NodeOptions& options, EtcdClient& etcd,
                             const std::string& db_path,
                             absl::Duration wait = absl::Seconds(30));
// Marks `db_path` so that the next PrepareDatabase replaces it.
absl::Status MarkForResync(const std::string& db_path, const std::string& why);

}  // namespace neardup::replication

#endif  // NEARDUP_SERVICE_REPLICATION_NODE_H_
