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
#include "absl/types/span.h"
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

namespace {

class LogReaderImpl final : public Store::LogReader {
 public:
  LogReaderImpl(rocksdb::DB* db, uint64_t after) : db_(db), after_(after) {}

  uint64_t position() const override { return after_; }

  absl::Status Read(size_t max_bytes,
                    std::vector<Store::LogEntry>* out) override {
    if (db_->GetLatestSequenceNumber() <= after_) return absl::OkStatus();
    if (it_ != nullptr && !it_->Valid()) {
      // At the end of the log when last read: look for what came since.
      // RocksDB's iterator reads on in its last file, and asks for a new
      // iterator (TryAgain) once a newer file began.
      it_->Next();
      if (!it_->Valid()) it_.reset();
    }
    if (it_ == nullptr) {
      rocksdb::Status s = db_->GetUpdatesSince(after_ + 1, &it_);
      if (s.IsNotFound() || (s.ok() && !it_->Valid() && !it_->status().ok())) {
        const std::string why =
            s.ok() ? it_->status().ToString() : s.ToString();
        it_.reset();
        return absl::OutOfRangeError(
            absl::StrCat("the write-ahead log no longer holds sequence number ",
                         after_ + 1, " (", why, "): start from a checkpoint"));
      }
      NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(s, "read write-ahead log"));
    }
    size_t bytes = 0;
    for (; it_->Valid() && bytes < max_bytes; it_->Next()) {
      rocksdb::BatchResult batch = it_->GetBatch();
      const uint64_t count = batch.writeBatchPtr->Count();
      if (batch.sequence + count <= after_ + 1) continue;  // already read
      if (batch.sequence > after_ + 1) {
        it_.reset();
        return absl::OutOfRangeError(absl::StrCat(
            "the write-ahead log skips from ", after_, " to ", batch.sequence,
            " (a bulk import, or files removed): start from a checkpoint"));
      }
      if (batch.sequence <= after_) {
        it_.reset();
        return absl::FailedPreconditionError(absl::StrCat(
            "sequence number ", after_, " falls inside a write of the log (",
            batch.sequence, "+", count, ")"));
      }
      Store::LogEntry& e = out->emplace_back();
      e.sequence = batch.sequence;
      e.count = count;
      e.data = batch.writeBatchPtr->Data();
      bytes += e.data.size();
      after_ = e.sequence + e.count - 1;
    }
    if (!it_->Valid() && !it_->status().ok()) {
      // TryAgain (a newer file began) or an error: open anew next time.
      it_.reset();
    }
    return absl::OkStatus();
  }

 private:
  rocksdb::DB* const db_;
  uint64_t after_;
  std::unique_ptr<rocksdb::TransactionLogIterator> it_;
};

}  // namespace

std::unique_ptr<Store::LogReader> Store::ReadLogAfter(uint64_t after) const {
  return std::make_unique<LogReaderImpl>(impl_->db.get(), after);
}

absl::Status Store::ApplyLogEntries(absl::Span<const std::string_view> entries,
                                    std::string_view meta_key,
                                    std::string_view meta_value) {
  NEARDUP_RETURN_IF_ERROR(CheckMetaKey(meta_key));
  // One batch of all of them: RocksDB's batch format is a header (the
  // sequence number, 8 bytes, assigned when written; the count of
  // records, 4 bytes little-endian) and the records, so batches are
  // joined by adding their counts and appending their records (what
  // RocksDB's own WriteBatchInternal::Append does).
  constexpr size_t kHeader = 12;
  std::string rep(kHeader, '\0');
  uint64_t count = 0;
  for (std::string_view data : entries) {
    if (data.size() < kHeader) {
      return absl::InvalidArgumentError(
          absl::StrCat("log entry of ", data.size(), " bytes is too short"));
    }
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) {
      n |= uint32_t{static_cast<unsigned char>(data[8 + i])} << (8 * i);
    }
    count += n;
    rep.append(data.data() + kHeader, data.size() - kHeader);
  }
  if (count > 0xFFFFFFFFu) {
    return absl::InvalidArgumentError("too many log records in one write");
  }
  for (int i = 0; i < 4; ++i) rep[8 + i] = static_cast<char>(count >> (8 * i));
  rocksdb::WriteBatch batch{std::move(rep)};
  batch.Put(impl_->cf(kDefault), ToSlice(meta_key), ToSlice(meta_value))
      .PermitUncheckedError();
  return impl_->Write(impl_->write_options, &batch, "apply replicated write",
                      /*gated=*/false);
}

absl::Status Store::ReloadCollections() { return impl_->LoadCollections(); }

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
