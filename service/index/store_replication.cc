// Store's side of replication: the write-ahead log read from one store and
// applied to another, bookkeeping keys, checkpoints.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/transaction_log.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "service/common/status_macros.h"
#include "service/index/rocksdb_status.h"
#include "service/index/store.h"
#include "service/index/store_impl.h"

namespace neardup::index {
namespace {

absl::Status CheckMetaKey(std::string_view key) {
  if (absl::StartsWith(AbslView(key), "replication/")) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "bookkeeping key must begin with replication/: ", AbslView(key)));
}

}  // namespace

uint64_t Store::LatestSequence() const {
  return impl_->db->GetLatestSequenceNumber();
}

absl::Status Store::ReadLog(uint64_t after, size_t max_bytes,
                            std::vector<LogEntry>* out) const {
  rocksdb::DB& db = *impl_->db;
  if (db.GetLatestSequenceNumber() <= after) return absl::OkStatus();
  std::unique_ptr<rocksdb::TransactionLogIterator> it;
  rocksdb::Status s = db.GetUpdatesSince(after + 1, &it);
  if (s.IsNotFound() || (s.ok() && !it->Valid() && !it->status().ok())) {
    return absl::OutOfRangeError(absl::StrCat(
        "the write-ahead log no longer holds sequence number ", after + 1, " (",
        s.ok() ? it->status().ToString() : s.ToString(),
        "): start from a checkpoint"));
  }
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(s, "read write-ahead log"));
  size_t bytes = 0;
  bool first = true;
  for (; it->Valid() && bytes < max_bytes; it->Next()) {
    rocksdb::BatchResult batch = it->GetBatch();
    const uint64_t count = batch.writeBatchPtr->Count();
    if (batch.sequence + count <= after + 1) continue;  // already applied
    if (batch.sequence > after + 1 && first) {
      return absl::OutOfRangeError(absl::StrCat(
          "the write-ahead log skips from ", after, " to ", batch.sequence,
          " (a bulk import, or files removed): start from a checkpoint"));
    }
    if (batch.sequence <= after) {
      return absl::FailedPreconditionError(absl::StrCat(
          "sequence number ", after, " falls inside a write of the log (",
          batch.sequence, "+", count, "): the replica diverged"));
    }
    first = false;
    LogEntry& e = out->emplace_back();
    e.sequence = batch.sequence;
    e.count = count;
    e.data = batch.writeBatchPtr->Data();
    bytes += e.data.size();
    after = e.sequence + e.count - 1;
  }
  if (!it->status().ok() && out->empty()) {
    return FromRocksDbStatus(it->status(), "read write-ahead log");
  }
  return absl::OkStatus();
}

absl::Status Store::ApplyLogEntry(std::string_view data,
                                  std::string_view meta_key,
                                  std::string_view meta_value) {
  NEARDUP_RETURN_IF_ERROR(CheckMetaKey(meta_key));
  if (data.size() < 12) {  // RocksDB's batch header: sequence and count
    return absl::InvalidArgumentError(
        absl::StrCat("log entry of ", data.size(), " bytes is too short"));
  }
  rocksdb::WriteBatch batch{std::string(data)};
  batch.Put(impl_->cf(kDefault), ToSlice(meta_key), ToSlice(meta_value))
      .PermitUncheckedError();
  NEARDUP_RETURN_IF_ERROR(impl_->Write(impl_->write_options, &batch,
                                       "apply replicated write",
                                       /*gated=*/false));
  return impl_->LoadCollections();
}

absl::StatusOr<std::optional<std::string>> Store::GetMeta(
    std::string_view key) const {
  NEARDUP_RETURN_IF_ERROR(CheckMetaKey(key));
  std::string value;
  const rocksdb::Status s = impl_->db->Get(
      rocksdb::ReadOptions(), impl_->cf(kDefault), ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(s, "read replication state"));
  return value;
}

absl::StatusOr<uint64_t> Store::PutMeta(std::string_view key,
                                        std::string_view value) {
  NEARDUP_RETURN_IF_ERROR(CheckMetaKey(key));
  rocksdb::WriteBatch batch;
  batch.Put(impl_->cf(kDefault), ToSlice(key), ToSlice(value))
      .PermitUncheckedError();
  rocksdb::WriteOptions wo = impl_->write_options;
  wo.sync = true;
  NEARDUP_RETURN_IF_ERROR(impl_->Write(wo, &batch, "write replication state",
                                       /*gated=*/false));
  return impl_->db->GetLatestSequenceNumber();
}

absl::Status Store::CreateCheckpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
      rocksdb::Checkpoint::Create(impl_->db.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocksDbStatus(checkpoint->CreateCheckpoint(dir),
                           absl::StrCat("checkpoint into ", dir));
}

}  // namespace neardup::index
