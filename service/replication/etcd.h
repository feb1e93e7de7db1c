// A small client of etcd's v3 gRPC API (proto/etcd/kv.proto): what
// membership, elections and placement need. Each call goes to the first
// endpoint that answers, starting from the one that answered last, with a
// deadline; etcd's own Raft makes any member's answer linearizable.
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(auto etcd, EtcdClient::Connect("127.0.0.1:2379"));
//   NEARDUP_ASSIGN_OR_RETURN(int64_t lease, etcd->GrantLease(2));
//   NEARDUP_ASSIGN_OR_RETURN(auto won,
//       etcd->CreateIfAbsent("/neardup/groups/g1/primary", "n1", lease));
//   if (won.has_value()) { /* elected; *won is the epoch */ }
//
// Thread-safe.

#ifndef NEARDUP_SERVICE_REPLICATION_ETCD_H_
#define NEARDUP_SERVICE_REPLICATION_ETCD_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace neardup::replication {

class EtcdClient {
 public:
  struct KeyValue {
    std::string key;
    std::string value;
    // The revision that created the key (an election's epoch), and the
    // lease it is attached to (0: none).
    int64_t create_revision = 0;
    int64_t lease = 0;
  };

  // `endpoints`: host:port of etcd members, separated by commas.
  // INVALID_ARGUMENT if there are none; connects lazily.
  static absl::StatusOr<std::unique_ptr<EtcdClient>> Connect(
      std::string_view endpoints,
      absl::Duration timeout = absl::Milliseconds(800));

  // The value of `key`, or nullopt.
  absl::StatusOr<std::optional<KeyValue>> Get(std::string_view key);
  // Every key beginning with `prefix`, in key order.
  absl::StatusOr<std::vector<KeyValue>> List(std::string_view prefix);
  absl::Status Put(std::string_view key, std::string_view value,
                   int64_t lease = 0);
  absl::Status Delete(std::string_view key);
  // Creates `key` = `value` on `lease` if it does not exist, in one
  // transaction: returns the revision that created it, or nullopt if the
  // key was there already.
  absl::StatusOr<std::optional<int64_t>> CreateIfAbsent(std::string_view key,
                                                        std::string_view value,
                                                        int64_t lease);

  // A lease of `ttl_seconds` (etcd may grant a longer one: its minimum
  // follows its election timeout); returns its id and TTL.
  struct Lease {
    int64_t id = 0;
    int64_t ttl_seconds = 0;
  };
  absl::StatusOr<Lease> GrantLease(int64_t ttl_seconds);
  // Renews `lease`: returns its TTL, or NOT_FOUND if it has expired.
  absl::StatusOr<int64_t> KeepAlive(int64_t lease);
  absl::Status Revoke(int64_t lease);

 private:
  EtcdClient(std::vector<std::shared_ptr<grpc::Channel>> channels,
             std::vector<std::string> endpoints, absl::Duration timeout)
      : channels_(std::move(channels)),
        endpoints_(std::move(endpoints)),
        timeout_(timeout) {}

  // Runs `call` on each endpoint in turn, from the last that answered,
  // until one does (a status other than UNAVAILABLE or
  // DEADLINE_EXCEEDED).
  template <typename Call>
  absl::Status OnAnyEndpoint(const char* what, Call call);

  absl::Mutex mu_;
  // Replaced by a new one when a call finds its endpoint unavailable.
  std::vector<std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
  const std::vector<std::string> endpoints_;
  const absl::Duration timeout_;
  std::atomic<size_t> current_{0};
};

// The key prefix of a node group's election and membership.
std::string GroupPrefix(std::string_view group);
// Where a collection is placed: its value names a node group.
std::string PlacementKey(std::string_view collection);
inline constexpr char kPlacementPrefix[] = "/neardup/placement/";
inline constexpr char kGroupsPrefix[] = "/neardup/groups/";

}  // namespace neardup::replication

#endif  // NEARDUP_SERVICE_REPLICATION_ETCD_H_
