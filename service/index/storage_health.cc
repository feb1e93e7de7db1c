#include "service/index/storage_health.h"

#include <sys/statvfs.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/common/logging.h"

namespace neardup::index {

uint64_t FreeBytes(const std::string& path) {
  struct statvfs fs;
  if (statvfs(path.c_str(), &fs) != 0) {
    return std::numeric_limits<uint64_t>::max();
  }
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

std::string StorageHealth::reason() const {
  absl::MutexLock lock(&mu_);
  return reason_;
}

void StorageHealth::Stop(const rocksdb::Status& s) {
  const bool no_space = s.IsNoSpace();
  {
    absl::MutexLock lock(&mu_);
    reason_ = s.ToString();
  }
  no_space_.store(no_space);
  if (!stopped_.exchange(true)) {
    NEARDUP_LOG(kError, absl::StrCat("storage: writes stopped: ", s.ToString(),
                                     no_space ? " (they resume when the disk "
                                                "has room again)"
                                              : ""));
  }
}

void StorageHealth::OnBackgroundError(rocksdb::BackgroundErrorReason,
                                      rocksdb::Status* error) {
  if (error != nullptr && !error->ok()) Stop(*error);
}

void StorageHealth::OnErrorRecoveryEnd(
    const rocksdb::BackgroundErrorRecoveryInfo& info) {
  if (!info.new_bg_error.ok()) return;  // still stopped
  if (stopped_.exchange(false)) {
    NEARDUP_LOG(kInfo, "storage: RocksDB recovered; writes resume");
  }
}

void StorageHealth::AfterFailedWrite(const rocksdb::Status& s) {
  if (s.IsNoSpace() || s.IsIOError()) Stop(s);
}

uint64_t StorageHealth::RecentFreeBytes() {
  // statvfs costs about 1.1 us here, ~1% of a CheckAndAdd, taken under the
  // collection's write lock. Far above the floor a reading up to 20 ms old
  // will do: even 10,000 adds/s write under 20 MB in that time. Near the
  // floor every write reads it afresh.
  const int64_t now = absl::GetCurrentTimeNanos();
  const uint64_t last = last_free_.load(std::memory_order_relaxed);
  const uint64_t margin = 2 * min_free_bytes_ + (uint64_t{256} << 20);
  if (last > margin &&
      now - last_free_at_.load(std::memory_order_relaxed) < 20'000'000) {
    return last;
  }
  const uint64_t free = FreeBytes(path_);
  last_free_.store(free, std::memory_order_relaxed);
  last_free_at_.store(now, std::memory_order_relaxed);
  return free;
}

absl::Status StorageHealth::BeforeWrite(rocksdb::DB* db) {
  if (min_free_bytes_ > 0 || stopped_.load()) {
    const uint64_t free =
        stopped_.load() ? FreeBytes(path_) : RecentFreeBytes();
    if (free < min_free_bytes_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "disk nearly full: ", free >> 20,
          " MiB free on the database's file system, below the floor of ",
          min_free_bytes_ >> 20,
          " MiB (--min_free_mb); nothing was written. Writes resume when "
          "space is freed"));
    }
  }
  if (!stopped_.load()) return absl::OkStatus();
  {
    absl::MutexLock lock(&resume_mu_);
    if (stopped_.load()) {
      const rocksdb::Status resumed = db->Resume();
      if (resumed.ok()) {
        stopped_.store(false);
        NEARDUP_LOG(kInfo, "storage: writes resumed");
      } else if (!resumed.IsBusy()) {  // Busy: RocksDB is recovering
        absl::MutexLock reason_lock(&mu_);
        reason_ = resumed.ToString();
      }
    }
  }
  if (!stopped_.load()) return absl::OkStatus();
  const std::string why = reason();
  if (no_space_.load()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the disk is full: writes are stopped until space is freed; nothing "
        "was written (",
        why, ")"));
  }
  return absl::UnavailableError(absl::StrCat(
      "writes are stopped after a storage error; nothing was written (", why,
      ")"));
}

}  // namespace neardup::index
