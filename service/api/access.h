// Access: who a call comes from (its bearer token) and whether it may do
// what it asks (auth::TokenTable's scopes per collection).
//
// Without a token file every call is allowed: anonymous access, which
// NearDupServer allows only on a loopback address unless told otherwise.
// With one, a call without "authorization: Bearer TOKEN" metadata, or
// with an unknown token, is UNAUTHENTICATED, and a token without the
// scope it needs is PERMISSION_DENIED naming the token's name, the scope
// and the collection. Reload() reads the file again (SIGHUP); calls
// already running keep the table they started with.
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(Caller who, access.Identify(ctx));
//   NEARDUP_RETURN_IF_ERROR(who.Require(req->collection(),
//   auth::Scope::kWrite));
//
// Thread-safe.

#ifndef NEARDUP_SERVICE_API_ACCESS_H_
#define NEARDUP_SERVICE_API_ACCESS_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "service/auth/tokens.h"

namespace neardup::api {

// The caller of one call. Holds the token table it was found in.
class Caller {
 public:
  // "anonymous" or the token's name.
  std::string_view name() const;

  // OK if the caller may act on `collection` with `scope`, else
  // PERMISSION_DENIED saying who, what and where.
  absl::Status Require(std::string_view collection, auth::Scope scope) const;
  bool Allows(std::string_view collection, auth::Scope scope) const;

 private:
  friend class Access;
  std::shared_ptr<const auth::TokenTable> table_;  // null: anonymous
  const auth::Principal* who_ = nullptr;
};

class Access {
 public:
  // Every call allowed.
  Access() = default;
  // Calls need a token of `path`. NOT_FOUND or INVALID_ARGUMENT (naming
  // the line) if the file cannot be read or parsed.
  static absl::StatusOr<std::unique_ptr<Access>> FromFile(std::string path);

  Access(const Access&) = delete;
  Access& operator=(const Access&) = delete;

  bool open() const { return path_.empty(); }

  // Reads the token file again; on error keeps the tokens it had.
  absl::Status Reload();

  // Who sent the call: UNAUTHENTICATED without a known bearer token.
  absl::StatusOr<Caller> Identify(const grpc::ServerContextBase& ctx) const;

 private:
  std::string path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const auth::TokenTable> table_ ABSL_GUARDED_BY(mu_);
};

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_ACCESS_H_
