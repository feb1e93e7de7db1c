// Conversion of absl::Status to grpc::Status at the API boundary. The two
// code enums have equal values (checked below), so the code is cast; the
// message loses the server's directories (RedactPaths).

#ifndef NEARDUP_SERVICE_API_GRPC_STATUS_H_
#define NEARDUP_SERVICE_API_GRPC_STATUS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace neardup::api {

#define NEARDUP_SAME_CODE_(name, grpc_name)                        \
  static_assert(static_cast<int>(absl::StatusCode::name) ==        \
                    static_cast<int>(grpc::StatusCode::grpc_name), \
                "status codes differ: " #name)
NEARDUP_SAME_CODE_(kOk, OK);
NEARDUP_SAME_CODE_(kCancelled, CANCELLED);
NEARDUP_SAME_CODE_(kUnknown, UNKNOWN);
NEARDUP_SAME_CODE_(kInvalidArgument, INVALID_ARGUMENT);
NEARDUP_SAME_CODE_(kDeadlineExceeded, DEADLINE_EXCEEDED);
NEARDUP_SAME_CODE_(kNotFound, NOT_FOUND);
NEARDUP_SAME_CODE_(kAlreadyExists, ALREADY_EXISTS);
NEARDUP_SAME_CODE_(kPermissionDenied, PERMISSION_DENIED);
NEARDUP_SAME_CODE_(kResourceExhausted, RESOURCE_EXHAUSTED);
NEARDUP_SAME_CODE_(kFailedPrecondition, FAILED_PRECONDITION);
NEARDUP_SAME_CODE_(kAborted, ABORTED);
NEARDUP_SAME_CODE_(kOutOfRange, OUT_OF_RANGE);
NEARDUP_SAME_CODE_(kUnimplemented, UNIMPLEMENTED);
NEARDUP_SAME_CODE_(kInternal, INTERNAL);
NEARDUP_SAME_CODE_(kUnavailable, UNAVAILABLE);
NEARDUP_SAME_CODE_(kDataLoss, DATA_LOSS);
NEARDUP_SAME_CODE_(kUnauthenticated, UNAUTHENTICATED);
#undef NEARDUP_SAME_CODE_

// Returns `message` with every absolute path in it ("/var/lib/neardup/
// data/000012.log", a word that starts with '/' and has another '/')
// cut to its last component ("000012.log"): storage errors from RocksDB
// name files, and clients have no business knowing the server's layout.
std::string RedactPaths(std::string_view message);

// True for the codes of failures on the server's side (storage, bugs),
// whose messages may name its files; the others are about the request and
// quote it (an id may look like a path and must stay as sent).
inline bool IsServerSideFailure(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnimplemented:
      return true;
    default:
      return false;
  }
}

// Returns `s` as a grpc::Status with the same code and message, paths
// redacted from the messages of server-side failures.
inline grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      IsServerSideFailure(s.code())
                          ? RedactPaths(std::string_view(s.message().data(),
                                                         s.message().size()))
                          : std::string(s.message()));
}

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_GRPC_STATUS_H_
