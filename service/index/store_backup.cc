// Store's backups: RocksDB's BackupEngine (rocksdb/utilities/backup_engine.h)
// in a directory of their own, incremental and checksummed.

#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/utilities/backup_engine.h"
#include "service/common/status_macros.h"
#include "service/index/rocksdb_status.h"
#include "service/index/store.h"
#include "service/index/store_impl.h"

namespace neardup::index {
namespace {

BackupSummary SummaryOf(const rocksdb::BackupInfo& info) {
  return BackupSummary{info.backup_id, info.timestamp, info.size,
                       info.number_files};
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> OpenEngine(
    const std::string& dir) {
  rocksdb::BackupEngine* engine = nullptr;
  rocksdb::BackupEngineOptions options(dir);
  options.max_background_operations = 2;
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
      rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options, &engine),
      absl::StrCat("open backup directory ", dir)));
  return std::unique_ptr<rocksdb::BackupEngine>(engine);
}

// One backup at a time in this process: BackupEngine does not share a
// directory between two of its instances.
absl::Mutex backup_mu;

}  // namespace

absl::StatusOr<BackupSummary> Store::Backup(const std::string& dir,
                                            bool verify) {
  if (impl_->options.read_only) {
    return absl::FailedPreconditionError("a read-only store cannot back up");
  }
  absl::MutexLock lock(&backup_mu);
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine,
                           OpenEngine(dir));
  rocksdb::CreateBackupOptions options;
  // Memtables are flushed first, so the backup needs no write-ahead log
  // replay and is consistent as of this moment.
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
      engine->CreateNewBackup(options, impl_->db.get(), &id), "back up"));
  if (verify) {
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
        engine->VerifyBackup(id, /*verify_with_checksum=*/true),
        absl::StrCat("verify backup ", id)));
  }
  rocksdb::BackupInfo info;
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(engine->GetBackupInfo(id, &info),
                                            "read backup information"));
  return SummaryOf(info);
}

absl::StatusOr<std::vector<BackupSummary>> Store::ListBackups(
    const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return std::vector<BackupSummary>();
  absl::MutexLock lock(&backup_mu);
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine,
                           OpenEngine(dir));
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  std::vector<BackupSummary> out;
  for (const rocksdb::BackupInfo& info : infos) out.push_back(SummaryOf(info));
  return out;
}

absl::StatusOr<BackupSummary> Store::RestoreBackup(const std::string& dir,
                                                   std::optional<uint32_t> id,
                                                   const std::string& db_path) {
  std::error_code ec;
  if (std::filesystem::exists(db_path, ec) &&
      !std::filesystem::is_empty(db_path, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "restore into ", db_path,
        ": the directory is not empty; restore into a new directory and "
        "point neardupd at it"));
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("no backup directory ", dir));
  }
  absl::MutexLock lock(&backup_mu);
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine,
                           OpenEngine(dir));
  rocksdb::BackupInfo info;
  if (id.has_value()) {
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(engine->GetBackupInfo(*id, &info),
                                              absl::StrCat("backup ", *id)));
  } else {
    std::vector<rocksdb::BackupInfo> infos;
    engine->GetBackupInfo(&infos);
    if (infos.empty()) {
      return absl::NotFoundError(absl::StrCat("no backup in ", dir));
    }
    info = infos.back();
  }
  // Checksums first: a damaged backup is not restored.
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
      engine->VerifyBackup(info.backup_id, /*verify_with_checksum=*/true),
      absl::StrCat("verify backup ", info.backup_id)));
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
      engine->RestoreDBFromBackup(info.backup_id, db_path, db_path),
      absl::StrCat("restore backup ", info.backup_id, " into ", db_path)));
  return SummaryOf(info);
}

}  // namespace neardup::index
