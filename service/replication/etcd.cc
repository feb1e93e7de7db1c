#include "service/replication/etcd.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "etcd/kv.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace neardup::replication {
namespace {

absl::Status FromGrpc(const grpc::Status& s, const char* what,
                      const std::string& endpoint) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(
      static_cast<absl::StatusCode>(s.error_code()),
      absl::StrCat("etcd ", endpoint, ": ", what, ": ", s.error_message()));
}

// The end of the key range of every key beginning with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    if (static_cast<unsigned char>(prefix.back()) < 0xff) {
      prefix.back() = static_cast<char>(prefix.back() + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // every key
}

EtcdClient::KeyValue KeyValueOf(const etcdserverpb::KeyValue& kv) {
  return {kv.key(), kv.value(), kv.create_revision(), kv.lease()};
}

// A channel of its own: one that failed waits out gRPC's reconnect backoff
// (seconds) before it tries again, a new one connects at its first call.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& endpoint) {
  return grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
}

}  // namespace

std::string GroupPrefix(std::string_view group) {
  return absl::StrCat(kGroupsPrefix,
                      absl::string_view(group.data(), group.size()), "/");
}

std::string PlacementKey(std::string_view collection) {
  return absl::StrCat(kPlacementPrefix,
                      absl::string_view(collection.data(), collection.size()));
}

absl::StatusOr<std::unique_ptr<EtcdClient>> EtcdClient::Connect(
    std::string_view endpoints, absl::Duration timeout) {
  std::vector<std::string> list;
  for (absl::string_view e :
       absl::StrSplit(absl::string_view(endpoints.data(), endpoints.size()),
                      ',', absl::SkipWhitespace())) {
    if (absl::StartsWith(e, "http://")) e.remove_prefix(7);
    list.emplace_back(e);
  }
  if (list.empty()) {
    return absl::InvalidArgumentError("no etcd endpoint given");
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (const std::string& e : list) channels.push_back(NewChannel(e));
  return std::unique_ptr<EtcdClient>(
      new EtcdClient(std::move(channels), std::move(list), timeout));
}

template <typename Call>
absl::Status EtcdClient::OnAnyEndpoint(const char* what, Call call) {
  const size_t n = channels_.size();
  const size_t first = current_.load();
  absl::Status last;
  for (size_t i = 0; i < n; ++i) {
    const size_t at = (first + i) % n;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(timeout_));
    std::shared_ptr<grpc::Channel> channel;
    {
      absl::MutexLock lock(&mu_);
      channel = channels_[at];
    }
    const grpc::Status s = call(channel, &ctx);
    last = FromGrpc(s, what, endpoints_[at]);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
        s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      current_.store(at);
      return last;
    }
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
      absl::MutexLock lock(&mu_);
      if (channels_[at] == channel) channels_[at] = NewChannel(endpoints_[at]);
    }
  }
  return last;
}

absl::StatusOr<std::optional<EtcdClient::KeyValue>> EtcdClient::Get(
    std::string_view key) {
  etcdserverpb::RangeRequest req;
  req.set_key(std::string(key));
  etcdserverpb::RangeResponse resp;
  absl::Status s = OnAnyEndpoint("get", [&](auto& ch, auto* ctx) {
    return etcdserverpb::KV::NewStub(ch)->Range(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  if (resp.kvs_size() == 0) return std::nullopt;
  return KeyValueOf(resp.kvs(0));
}

absl::StatusOr<std::vector<EtcdClient::KeyValue>> EtcdClient::List(
    std::string_view prefix) {
  etcdserverpb::RangeRequest req;
  req.set_key(std::string(prefix));
  req.set_range_end(PrefixEnd(std::string(prefix)));
  etcdserverpb::RangeResponse resp;
  absl::Status s = OnAnyEndpoint("list", [&](auto& ch, auto* ctx) {
    return etcdserverpb::KV::NewStub(ch)->Range(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  std::vector<KeyValue> out;
  for (const auto& kv : resp.kvs()) out.push_back(KeyValueOf(kv));
  return out;
}

absl::Status EtcdClient::Put(std::string_view key, std::string_view value,
                             int64_t lease) {
  etcdserverpb::PutRequest req;
  req.set_key(std::string(key));
  req.set_value(std::string(value));
  req.set_lease(lease);
  etcdserverpb::PutResponse resp;
  return OnAnyEndpoint("put", [&](auto& ch, auto* ctx) {
    return etcdserverpb::KV::NewStub(ch)->Put(ctx, req, &resp);
  });
}

absl::Status EtcdClient::Delete(std::string_view key) {
  etcdserverpb::DeleteRangeRequest req;
  req.set_key(std::string(key));
  etcdserverpb::DeleteRangeResponse resp;
  return OnAnyEndpoint("delete", [&](auto& ch, auto* ctx) {
    return etcdserverpb::KV::NewStub(ch)->DeleteRange(ctx, req, &resp);
  });
}

absl::StatusOr<std::optional<int64_t>> EtcdClient::CreateIfAbsent(
    std::string_view key, std::string_view value, int64_t lease) {
  etcdserverpb::TxnRequest req;
  etcdserverpb::Compare* absent = req.add_compare();
  absent->set_key(std::string(key));
  absent->set_target(etcdserverpb::Compare::CREATE);
  absent->set_result(etcdserverpb::Compare::EQUAL);
  absent->set_create_revision(0);
  etcdserverpb::PutRequest* put = req.add_success()->mutable_request_put();
  put->set_key(std::string(key));
  put->set_value(std::string(value));
  put->set_lease(lease);
  etcdserverpb::TxnResponse resp;
  absl::Status s = OnAnyEndpoint("create", [&](auto& ch, auto* ctx) {
    return etcdserverpb::KV::NewStub(ch)->Txn(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  if (!resp.succeeded()) return std::nullopt;
  // The transaction's revision is the one that created the key.
  return resp.header().revision();
}

absl::StatusOr<EtcdClient::Lease> EtcdClient::GrantLease(int64_t ttl_seconds) {
  etcdserverpb::LeaseGrantRequest req;
  req.set_ttl(ttl_seconds);
  etcdserverpb::LeaseGrantResponse resp;
  absl::Status s = OnAnyEndpoint("grant lease", [&](auto& ch, auto* ctx) {
    return etcdserverpb::Lease::NewStub(ch)->LeaseGrant(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  if (!resp.error().empty()) {
    return absl::UnavailableError(
        absl::StrCat("etcd: grant lease: ", resp.error()));
  }
  return Lease{resp.id(), resp.ttl()};
}

absl::StatusOr<int64_t> EtcdClient::KeepAlive(int64_t lease) {
  etcdserverpb::LeaseKeepAliveRequest req;
  req.set_id(lease);
  etcdserverpb::LeaseKeepAliveResponse resp;
  absl::Status s = OnAnyEndpoint("keep lease", [&](auto& ch, auto* ctx) {
    auto stream = etcdserverpb::Lease::NewStub(ch)->LeaseKeepAlive(ctx);
    if (!stream->Write(req) || !stream->Read(&resp)) {
      stream->WritesDone();
      grpc::Status st = stream->Finish();
      return st.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                    "keep-alive stream closed")
                     : st;
    }
    stream->WritesDone();
    ctx->TryCancel();
    stream->Finish();
    return grpc::Status::OK;
  });
  if (!s.ok()) return s;
  if (resp.ttl() <= 0) {
    return absl::NotFoundError(absl::StrCat("etcd lease ", lease, " expired"));
  }
  return resp.ttl();
}

absl::Status EtcdClient::Revoke(int64_t lease) {
  etcdserverpb::LeaseRevokeRequest req;
  req.set_id(lease);
  etcdserverpb::LeaseRevokeResponse resp;
  return OnAnyEndpoint("revoke lease", [&](auto& ch, auto* ctx) {
    return etcdserverpb::Lease::NewStub(ch)->LeaseRevoke(ctx, req, &resp);
  });
}

}  // namespace neardup::replication
