#include "client/router.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "neardup/v1/replication.grpc.pb.h"

namespace neardup::client {
namespace {

// How long what was read from etcd is trusted.
constexpr absl::Duration kFresh = absl::Seconds(1);

absl::string_view AView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Whether the node at `address` is a replica caught up with its primary.
bool CaughtUp(const std::string& address) {
  auto stub = v1::Replication::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(300));
  v1::NodePosition p;
  return stub->GetPosition(&ctx, v1::GetPositionRequest(), &p).ok() &&
         p.role() == "replica" && p.lag_writes() == 0 && p.lag_micros() >= 0 &&
         p.lag_micros() < 1000000;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Router>> Router::Connect(
    std::string_view etcd, Client::Options options) {
  auto client = replication::EtcdClient::Connect(etcd);
  if (!client.ok()) return client.status();
  // A node restarts in about a second: try it again that soon.
  options.max_reconnect_backoff =
      std::min(options.max_reconnect_backoff, absl::Seconds(1));
  return std::unique_ptr<Router>(
      new Router(std::move(*client), std::move(options)));
}

bool Router::Retryable(const absl::Status& s) {
  return absl::IsUnavailable(s) ||
         (absl::IsFailedPrecondition(s) &&
          (absl::StrContains(s.message(), "is a replica of group") ||
           absl::StrContains(s.message(), "no longer the primary")));
}

absl::StatusOr<std::map<std::string, std::map<std::string, std::string>>>
Router::Groups() {
  auto kvs = etcd_->List(replication::kGroupsPrefix);
  if (!kvs.ok()) return kvs.status();
  std::map<std::string, std::map<std::string, std::string>> out;
  const size_t skip = std::string_view(replication::kGroupsPrefix).size();
  for (const auto& kv : *kvs) {
    // GROUP/members/NAME
    const std::string rest = kv.key.substr(skip);
    const size_t slash = rest.find("/members/");
    if (slash == std::string::npos) continue;
    out[rest.substr(0, slash)][rest.substr(slash + 9)] = kv.value;
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> Router::Placements() {
  auto kvs = etcd_->List(replication::kPlacementPrefix);
  if (!kvs.ok()) return kvs.status();
  std::map<std::string, std::string> out;
  const size_t skip = std::string_view(replication::kPlacementPrefix).size();
  for (const auto& kv : *kvs) out[kv.key.substr(skip)] = kv.value;
  return out;
}

absl::Status Router::Place(std::string_view collection,
                           std::string_view group) {
  absl::Status s = etcd_->Put(replication::PlacementKey(collection), group);
  if (!s.ok()) return s;
  absl::MutexLock lock(&mu_);
  placement_[std::string(collection)] = std::string(group);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Router::GroupOf(std::string_view collection) {
  {
    absl::MutexLock lock(&mu_);
    auto it = placement_.find(collection);
    if (it != placement_.end()) return it->second;
  }
  auto placed = etcd_->Get(replication::PlacementKey(collection));
  if (!placed.ok()) return placed.status();
  std::string group;
  if (placed->has_value()) {
    group = (*placed)->value;
  } else {
    auto groups = Groups();
    if (!groups.ok()) return groups.status();
    if (groups->size() != 1) {
      return absl::NotFoundError(absl::StrCat(
          "collection ", AView(collection), " is not placed on a node group (",
          groups->size(), " groups are up): create it with --group GROUP"));
    }
    group = groups->begin()->first;
  }
  absl::MutexLock lock(&mu_);
  placement_[std::string(collection)] = group;
  return group;
}

absl::StatusOr<Router::GroupView> Router::View(const std::string& group) {
  {
    absl::MutexLock lock(&mu_);
    auto it = groups_.find(group);
    if (it != groups_.end() && absl::Now() - it->second.read < kFresh) {
      return it->second;
    }
  }
  GroupView view;
  const std::string prefix = replication::GroupPrefix(group);
  auto primary = etcd_->Get(prefix + "primary");
  if (!primary.ok()) return primary.status();
  if (primary->has_value()) {
    const std::string& v = (*primary)->value;
    const size_t nl = v.find('\n');
    if (nl != std::string::npos) view.primary = v.substr(nl + 1);
    view.epoch = (*primary)->create_revision;
  }
  auto members = etcd_->List(prefix + "members/");
  if (!members.ok()) return members.status();
  for (const auto& kv : *members) {
    view.members.push_back(kv.value);
    if (kv.value != view.primary && CaughtUp(kv.value)) {
      view.readers.push_back(kv.value);
    }
  }
  view.read = absl::Now();
  absl::MutexLock lock(&mu_);
  groups_[group] = view;
  return view;
}

absl::StatusOr<std::string> Router::PrimaryOf(std::string_view collection) {
  auto group = GroupOf(collection);
  if (!group.ok()) return group.status();
  return PrimaryOfGroup(*group);
}

absl::StatusOr<std::string> Router::ReaderOf(std::string_view collection) {
  auto group = GroupOf(collection);
  if (!group.ok()) return group.status();
  return ReaderOfGroup(*group);
}

absl::StatusOr<std::string> Router::PrimaryOfGroup(const std::string& group) {
  auto view = View(group);
  if (!view.ok()) return view.status();
  if (view->primary.empty()) {
    return absl::UnavailableError(
        absl::StrCat("node group ", group,
                     " has no primary at the moment (an election "
                     "takes about the lease time); retry"));
  }
  return view->primary;
}

absl::StatusOr<std::string> Router::ReaderOfGroup(const std::string& group) {
  auto view = View(group);
  if (!view.ok()) return view.status();
  // Spread reads over the caught-up replicas, in turn.
  static std::atomic<size_t> turn{0};
  if (!view->readers.empty()) {
    return view->readers[turn++ % view->readers.size()];
  }
  if (view->primary.empty()) {
    return absl::UnavailableError(absl::StrCat(
        "node group ", group, " has no primary and no caught-up replica"));
  }
  return view->primary;
}

absl::StatusOr<std::shared_ptr<Client>> Router::ClientFor(
    const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto it = clients_.find(address);
  if (it != clients_.end()) return it->second;
  auto client = Client::Connect(address, options_);
  if (!client.ok()) return client.status();
  std::shared_ptr<Client> shared = std::move(*client);
  clients_[address] = shared;
  return shared;
}

absl::StatusOr<std::shared_ptr<Client>> Router::ForWrite(
    std::string_view collection) {
  auto group = GroupOf(collection);
  if (!group.ok()) return group.status();
  auto address = PrimaryOfGroup(*group);
  if (!address.ok()) return address.status();
  auto client = ClientFor(*address);
  if (!client.ok()) return client.status();
  // Writes carry the epoch the primary was elected at: a node still
  // believing itself primary of an older one learns it was replaced.
  auto view = View(*group);
  if (view.ok()) (*client)->SetEpoch(view->epoch);
  return client;
}

absl::StatusOr<std::shared_ptr<Client>> Router::ForRead(
    std::string_view collection) {
  auto address = ReaderOf(collection);
  if (!address.ok()) return address.status();
  return ClientFor(*address);
}

void Router::Forget(std::string_view collection) {
  absl::MutexLock lock(&mu_);
  auto it = placement_.find(collection);
  if (it == placement_.end()) return;
  auto group = groups_.find(it->second);
  if (group == groups_.end()) return;
  for (const std::string& member : group->second.members) {
    clients_.erase(member);
  }
  clients_.erase(group->second.primary);
  groups_.erase(group);
}

}  // namespace neardup::client
