#include "service/api/access.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace neardup::api {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

std::string_view Caller::name() const {
  return who_ == nullptr ? "anonymous" : std::string_view(who_->name);
}

bool Caller::Allows(std::string_view collection, auth::Scope scope) const {
  return table_ == nullptr || who_->Allows(collection, scope);
}

absl::Status Caller::Require(std::string_view collection,
                             auth::Scope scope) const {
  if (Allows(collection, scope)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "token ", AbslView(name()), " has no ", auth::ScopeName(scope),
      " access to collection ", AbslView(collection)));
}

absl::StatusOr<std::unique_ptr<Access>> Access::FromFile(std::string path) {
  auto access = std::make_unique<Access>();
  access->path_ = std::move(path);
  absl::Status s = access->Reload();
  if (!s.ok()) return s;
  return access;
}

absl::Status Access::Reload() {
  if (path_.empty()) return absl::OkStatus();
  absl::StatusOr<auth::TokenTable> table = auth::TokenTable::Load(path_);
  if (!table.ok()) return table.status();
  auto shared = std::make_shared<const auth::TokenTable>(*std::move(table));
  absl::MutexLock lock(&mu_);
  table_ = std::move(shared);
  return absl::OkStatus();
}

absl::StatusOr<Caller> Access::Identify(
    const grpc::ServerContextBase& ctx) const {
  Caller caller;
  if (path_.empty()) return caller;
  {
    absl::MutexLock lock(&mu_);
    caller.table_ = table_;
  }
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "this server needs a bearer token: send the metadata "
        "'authorization: Bearer TOKEN' (neardup --token-file FILE)");
  }
  const absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWithIgnoreCase(value, kBearer)) {
    return absl::UnauthenticatedError(
        "the authorization metadata is not 'Bearer TOKEN'");
  }
  const absl::string_view token = value.substr(kBearer.size());
  caller.who_ =
      caller.table_->Find(std::string_view(token.data(), token.size()));
  if (caller.who_ == nullptr) {
    return absl::UnauthenticatedError("unknown bearer token");
  }
  return caller;
}

}  // namespace neardup::api
