// Positions in a node group's history (replication.proto's Position): an
// epoch (the etcd revision at which its primary was elected) and a
// sequence number of that primary's RocksDB database. Compared epoch
// first: a replica of a later primary is further on than any replica of
// an earlier one.

#ifndef NEARDUP_SERVICE_REPLICATION_POSITION_H_
#define NEARDUP_SERVICE_REPLICATION_POSITION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace neardup::replication {

struct Position {
  int64_t epoch = 0;
  uint64_t sequence = 0;

  friend bool operator==(const Position& a, const Position& b) {
    return a.epoch == b.epoch && a.sequence == b.sequence;
  }
  friend bool operator!=(const Position& a, const Position& b) {
    return !(a == b);
  }
  friend bool operator<(const Position& a, const Position& b) {
    return std::tie(a.epoch, a.sequence) < std::tie(b.epoch, b.sequence);
  }
};

// "EPOCH:SEQUENCE", as kept in the store's bookkeeping keys and logs.
std::string FormatPosition(const Position& p);
std::optional<Position> ParsePosition(std::string_view text);

// Bookkeeping keys in the store (index::Store::GetMeta).
// The last write a replica applied, written in the same batch as it.
inline constexpr char kAppliedKey[] = "replication/applied";
// The epoch this database's node began as primary: written through the
// log when it is elected, so its replicas hold it too.
inline constexpr char kPrimaryEpochKey[] = "replication/primary_epoch";

}  // namespace neardup::replication

#endif  // NEARDUP_SERVICE_REPLICATION_POSITION_H_
