#include "service/index/rocksdb_status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace neardup::index {

absl::Status FromRocksDbStatus(const rocksdb::Status& s,
                               std::string_view context) {
  using Code = rocksdb::Status::Code;
  absl::StatusCode code;
  switch (s.code()) {
    case Code::kOk:
      return absl::OkStatus();
    case Code::kNotFound:
      code = absl::StatusCode::kNotFound;
      break;
    case Code::kCorruption:
      code = absl::StatusCode::kDataLoss;
      break;
    case Code::kNotSupported:
      code = absl::StatusCode::kUnimplemented;
      break;
    case Code::kInvalidArgument:
      code = absl::StatusCode::kInvalidArgument;
      break;
    case Code::kIOError:
      code = s.IsNoSpace() ? absl::StatusCode::kResourceExhausted
                           : absl::StatusCode::kUnavailable;
      break;
    case Code::kMergeInProgress:
    case Code::kIncomplete:
    case Code::kAborted:
      code = absl::StatusCode::kAborted;
      break;
    case Code::kShutdownInProgress:
    case Code::kBusy:
    case Code::kTryAgain:
      code = absl::StatusCode::kUnavailable;
      break;
    case Code::kTimedOut:
    case Code::kExpired:
      code = absl::StatusCode::kDeadlineExceeded;
      break;
    default:
      code = absl::StatusCode::kInternal;
      break;
  }
  return absl::Status(
      code, absl::StrCat(absl::string_view(context.data(), context.size()),
                         ": ", s.ToString()));
}

}  // namespace neardup::index
