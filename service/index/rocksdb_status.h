// Conversion of RocksDB statuses to absl::Status, done once at the index
// boundary. Internal to neardup_index: includes a RocksDB header.

#ifndef NEARDUP_SERVICE_INDEX_ROCKSDB_STATUS_H_
#define NEARDUP_SERVICE_INDEX_ROCKSDB_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace neardup::index {

// Returns the absl::Status for `s`, its message prefixed with `context`
// ("write document: IO error: ..."). The codes differ, so they are mapped
// one by one: NotFound -> kNotFound, Corruption -> kDataLoss, IOError with
// no space -> kResourceExhausted, other IOError -> kUnavailable, Busy and
// TryAgain -> kUnavailable, TimedOut -> kDeadlineExceeded, ... .
absl::Status FromRocksDbStatus(const rocksdb::Status& s,
                               std::string_view context);

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_ROCKSDB_STATUS_H_
