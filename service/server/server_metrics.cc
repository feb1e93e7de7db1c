#include "service/server/server_metrics.h"

#include <sys/statvfs.h>

#include <functional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/process_limits.h"

namespace neardup::server {
namespace {

// A RocksDB property as a metric: `property` read from the store.
void AddRocksDb(const index::Store* store, metrics::Registry* registry,
                const std::string& name, const char* property, std::string help,
                const char* type = "gauge") {
  registry->AddValue(name, std::move(help), type, [store, property] {
    return static_cast<double>(store->IntProperty(property).value_or(0));
  });
}

void AddPool(const Executor& pool, const std::string& which,
             metrics::Registry* registry) {
  const Executor* p = &pool;
  auto add = [&](const char* suffix, const char* help, const char* type,
                 std::function<double()> read) {
    registry->AddValue(absl::StrCat("neardup_", which, "_pool_", suffix),
                       absl::StrCat(help, " (the ", which, "-request pool)."),
                       type, std::move(read));
  };
  add("queued_calls", "Calls waiting for a thread", "gauge",
      [p] { return static_cast<double>(p->queued()); });
  add("peak_queued_calls", "Most calls that waited at once", "gauge",
      [p] { return static_cast<double>(p->peak_queued()); });
  add("refused_total", "Calls refused because the queue was full", "counter",
      [p] { return static_cast<double>(p->rejected()); });
  add("threads", "Threads", "gauge",
      [p] { return static_cast<double>(p->threads()); });
}

}  // namespace

void RegisterServerMetrics(const index::Store* store,
                           const api::Admission* admission,
                           metrics::Registry* registry) {
  AddPool(admission->small_pool(), "small", registry);
  AddPool(admission->large_pool(), "large", registry);
  registry->AddValue(
      "neardup_inflight_request_bytes",
      "Bytes of requests admitted and not yet answered.", "gauge",
      [admission] { return static_cast<double>(admission->inflight_bytes()); });
  registry->AddValue(
      "neardup_inflight_refused_total",
      "Calls refused because the in-flight request bytes were at their bound.",
      "counter", [admission] {
        return static_cast<double>(admission->refused_for_bytes());
      });

  AddRocksDb(store, registry, "neardup_rocksdb_sst_bytes",
             "rocksdb.total-sst-files-size",
             "Bytes of RocksDB table files, all column families.");
  AddRocksDb(store, registry, "neardup_rocksdb_live_data_bytes",
             "rocksdb.estimate-live-data-size",
             "RocksDB's estimate of the live data.");
  AddRocksDb(store, registry, "neardup_rocksdb_memtable_bytes",
             "rocksdb.cur-size-all-mem-tables",
             "Bytes of RocksDB memtables, active and waiting for flush.");
  AddRocksDb(store, registry, "neardup_rocksdb_running_flushes",
             "rocksdb.num-running-flushes", "RocksDB flushes running.");
  AddRocksDb(store, registry, "neardup_rocksdb_running_compactions",
             "rocksdb.num-running-compactions", "RocksDB compactions running.");
  AddRocksDb(store, registry, "neardup_rocksdb_pending_compaction_bytes",
             "rocksdb.estimate-pending-compaction-bytes",
             "Bytes RocksDB estimates its compactions must rewrite.");
  AddRocksDb(store, registry, "neardup_rocksdb_write_stopped",
             "rocksdb.is-write-stopped",
             "1 while RocksDB stops writes (too many memtables or L0 files).");
  AddRocksDb(store, registry, "neardup_rocksdb_delayed_write_rate",
             "rocksdb.actual-delayed-write-rate",
             "Bytes per second RocksDB slows writes to; 0 when not slowed.");
  AddRocksDb(store, registry, "neardup_rocksdb_background_errors_total",
             "rocksdb.background-errors",
             "Errors of RocksDB's flushes and compactions (a full disk...).",
             "counter");

  const std::string path = store->path();
  auto disk = [path](bool available) {
    struct statvfs fs;
    if (statvfs(path.c_str(), &fs) != 0) return 0.0;
    return static_cast<double>(available ? fs.f_bavail : fs.f_blocks) *
           static_cast<double>(fs.f_frsize);
  };
  registry->AddValue("neardup_disk_free_bytes",
                     "Bytes free to neardupd on the database's file system.",
                     "gauge", [disk] { return disk(true); });
  registry->AddValue("neardup_disk_size_bytes",
                     "Size of the database's file system.", "gauge",
                     [disk] { return disk(false); });
  registry->AddValue("neardup_open_files", "File descriptors open.", "gauge",
                     [] { return static_cast<double>(OpenFileCount()); });
  registry->AddValue("neardup_open_files_limit",
                     "The soft limit of open file descriptors.", "gauge",
                     [] { return static_cast<double>(OpenFileLimit()); });
  registry->AddLabeled(
      "neardup_collection_documents", "Documents stored, by collection.",
      "gauge", "collection", [store] {
        metrics::Registry::Labeled out;
        for (const index::CollectionInfo& c : store->ListCollections()) {
          out.emplace_back(c.name, static_cast<double>(c.document_count));
        }
        return out;
      });
}

}  // namespace neardup::server
