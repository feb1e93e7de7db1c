// Router: sends each call of a replicated deployment (docs/SCALE.md) to the
// right node, from what etcd says: a collection's node group is at
// /neardup/placement/COLLECTION, the group's primary at
// /neardup/groups/GROUP/primary and its members under
// /neardup/groups/GROUP/members/. Writes go to the primary; reads to the
// replicas that reported themselves caught up (GetPosition) when the
// group was last read, in turn, else the primary.
// What it read is kept for a second, and dropped at once by Forget (call
// it when a node answers UNAVAILABLE or FAILED_PRECONDITION: the primary
// moved).
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(auto router,
//                            client::Router::Connect("10.0.0.5:2379"));
//   for (int attempt = 0; attempt < 5; ++attempt) {
//     NEARDUP_ASSIGN_OR_RETURN(auto c, router->ForWrite("pages"));
//     auto r = c->CheckAndAdd(req);
//     if (r.ok() || !Router::Retryable(r.status())) return r;
//     router->Forget("pages");
//   }
//
// Thread-safe.

#ifndef NEARDUP_CLIENT_ROUTER_H_
#define NEARDUP_CLIENT_ROUTER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "service/replication/etcd.h"

namespace neardup::client {

class Router {
 public:
  // `etcd`: endpoints, host:port separated by commas. `options` apply to
  // every node's client.
  static absl::StatusOr<std::unique_ptr<Router>> Connect(
      std::string_view etcd, Client::Options options = Client::Options());

  // The node group of `collection`: its placement, or the only group
  // there is. NOT_FOUND if it is not placed and there are several (or no)
  // groups.
  absl::StatusOr<std::string> GroupOf(std::string_view collection);
  // Places `collection` on `group` (before creating it there).
  absl::Status Place(std::string_view collection, std::string_view group);

  // The address of the primary of `collection`'s group; UNAVAILABLE while
  // none is elected.
  absl::StatusOr<std::string> PrimaryOf(std::string_view collection);
  // The address a read of `collection` goes to.
  absl::StatusOr<std::string> ReaderOf(std::string_view collection);
  // The same for a group named directly.
  absl::StatusOr<std::string> PrimaryOfGroup(const std::string& group);
  absl::StatusOr<std::string> ReaderOfGroup(const std::string& group);

  // Clients of those addresses (one per address, kept until Forget).
  absl::StatusOr<std::shared_ptr<Client>> ForWrite(std::string_view collection);
  absl::StatusOr<std::shared_ptr<Client>> ForRead(std::string_view collection);

  // Drops what is known of `collection`'s group, and the clients of its
  // nodes (a client of a node that went away waits out gRPC's reconnect
  // backoff; a new one connects at once).
  void Forget(std::string_view collection);

  // Whether a call that failed with `s` may succeed on another node or
  // after an election: UNAVAILABLE, or FAILED_PRECONDITION from a replica.
  static bool Retryable(const absl::Status& s);

  // Node groups and their members: group -> member name -> address.
  absl::StatusOr<std::map<std::string, std::map<std::string, std::string>>>
  Groups();
  // Placements: collection -> group.
  absl::StatusOr<std::map<std::string, std::string>> Placements();

 private:
  struct GroupView {
    std::string primary;               // address, empty: none
    int64_t epoch = 0;                 // the primary's
    std::vector<std::string> members;  // addresses
    // Replicas caught up with the primary when the view was read.
    std::vector<std::string> readers;
    absl::Time read = absl::InfinitePast();
  };

  Router(std::unique_ptr<replication::EtcdClient> etcd, Client::Options options)
      : etcd_(std::move(etcd)), options_(std::move(options)) {}

  absl::StatusOr<GroupView> View(const std::string& group);
  absl::StatusOr<std::shared_ptr<Client>> ClientFor(const std::string& address);

  const std::unique_ptr<replication::EtcdClient> etcd_;
  const Client::Options options_;
  absl::Mutex mu_;
  std::map<std::string, GroupView, std::less<>> groups_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string, std::less<>> placement_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Client>> clients_ ABSL_GUARDED_BY(mu_);
};

}  // namespace neardup::client

#endif  // NEARDUP_CLIENT_ROUTER_H_
