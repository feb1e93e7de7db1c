// StorageHealth: whether RocksDB accepts writes, and the free-space floor
// below which neardup stops writing before the disk is full.
//
// RocksDB stops writes after a failed flush, compaction or write-ahead
// log write (a full disk, an I/O error): its "background error". This
// listener sees it happen and end (RocksDB's own recovery, with an
// SstFileManager, resumes after a full disk once there is room again),
// and Store asks it before each write: while writes are stopped, it first
// tries DB::Resume() when the disk has room again, so writes come back
// without a restart; otherwise the write fails with RESOURCE_EXHAUSTED
// (no space) or UNAVAILABLE (other errors), a message saying why, and
// nothing written.
//
// Thread-safe.

#ifndef NEARDUP_SERVICE_INDEX_STORAGE_HEALTH_H_
#define NEARDUP_SERVICE_INDEX_STORAGE_HEALTH_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/listener.h"

namespace neardup::index {

// Bytes free to this process on the file system holding `path`, or
// UINT64_MAX if that cannot be read.
uint64_t FreeBytes(const std::string& path);

class StorageHealth : public rocksdb::EventListener {
 public:
  // `min_free_bytes`: writes are refused while less is free (0: no floor).
  StorageHealth(std::string path, uint64_t min_free_bytes)
      : path_(std::move(path)), min_free_bytes_(min_free_bytes) {}

  // OK if a write may go ahead now, after resuming `db` if its writes were
  // stopped and the disk has room again.
  absl::Status BeforeWrite(rocksdb::DB* db);

  // Records a failed write (`s` not ok): a full disk stops writes here
  // too, until Resume or RocksDB's recovery.
  void AfterFailedWrite(const rocksdb::Status& s);

  // False while writes are stopped.
  bool writable() const { return !stopped_.load(); }
  // Why writes are stopped ("" when they are not).
  std::string reason() const;

  void OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                         rocksdb::Status* error) override;
  void OnErrorRecoveryEnd(
      const rocksdb::BackgroundErrorRecoveryInfo& info) override;

 private:
  void Stop(const rocksdb::Status& s);
  // FreeBytes(path_), or a reading at most 20 ms old while far above the
  // floor.
  uint64_t RecentFreeBytes();

  const std::string path_;
  const uint64_t min_free_bytes_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> no_space_{false};
  std::atomic<uint64_t> last_free_{0};
  std::atomic<int64_t> last_free_at_{0};
  mutable absl::Mutex mu_;
  std::string reason_ ABSL_GUARDED_BY(mu_);
  absl::Mutex resume_mu_;  // one Resume at a time
};

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_STORAGE_HEALTH_H_
