// The neardup index: storage of fingerprinted documents in collections, in
// an embedded RocksDB, and the near-duplicate queries over them. It takes
// documents already prepared (analysed, fingerprinted, keyed) by
// service/engine and never reads text itself.
//
// Each document is stored as one record (id, metadata, MinHash signature,
// SimHash, digest, sizes) plus index keys: its id, one per LSH band, one
// per SimHash table and one for its exact digest (and, in collections with
// passages, its content and one key per passage fingerprint). Every change
// of a document (its record and all its keys) is one atomic WriteBatch,
// written through the WAL, so a crash never leaves a half-written document
// or an orphan key, and an acknowledged write survives the process being
// killed.
//
// Check finds candidates through the band, digest and SimHash keys and
// verifies each against its stored signature, so every reported score is
// computed, not assumed. CheckAndAddBatch searches on a snapshot without
// the collection's write lock, then, under it, scores the documents
// written since the snapshot and inserts: linearizable per collection, and
// concurrent writers only serialise on the short part.
//
// Example (the engine's side):
//   NEARDUP_ASSIGN_OR_RETURN(CollectionInfo c, store->FindCollection("pages"));
//   PreparedDocument doc = ...;  // fingerprinted with c's parameters
//   NEARDUP_ASSIGN_OR_RETURN(auto results,
//       store->CheckAndAddBatch("pages", {&doc, 1}, {}));
//   if (results[0].ok() && !results[0]->added) { /* matches[0]: a copy */ }
//
// Bulk loading (BulkImport) writes sorted table files and ingests them.
//
// Thread-safe: every method may be called concurrently.

#ifndef NEARDUP_SERVICE_INDEX_STORE_H_
#define NEARDUP_SERVICE_INDEX_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "service/index/types.h"

namespace neardup::index {

// One collection on one snapshot of the database: what an audit reads
// while writes go on. Must not outlive the Store that made it.
// Thread-safe.
class CollectionSnapshot {
 public:
  virtual ~CollectionSnapshot() = default;

  virtual const CollectionInfo& info() const = 0;

  // Calls `fn` for every document, in the order they were added; stops at
  // fn's first error. DATA_LOSS for a corrupt record.
  virtual absl::Status ForEach(
      const std::function<absl::Status(const StoredFingerprint&)>& fn)
      const = 0;

  // Returns the stored text of document `docnum` (collections with
  // passages); FAILED_PRECONDITION for a collection without stored texts,
  // NOT_FOUND for no such document.
  virtual absl::StatusOr<StoredText> Text(uint64_t docnum) const = 0;
};

// What a bulk import loaded.
struct ImportResult {
  uint64_t documents = 0;      // stored
  uint64_t duplicate_ids = 0;  // skipped: their id came earlier
  uint64_t file_bytes = 0;     // of the table files ingested
  absl::Duration write_time;   // sorting and writing the files
  absl::Duration ingest_time;  // RocksDB's ingestion
};

// A bulk import into one empty collection (Store::BeginImport): documents
// are written into sorted table files beside the database instead of
// through its write-ahead log and memtables, then ingested together
// (RocksDB IngestExternalFiles, one atomic change across column
// families). The collection holds either none of the import or all of
// it, also across a crash; what was imported answers every query exactly
// as if each document had been added with Store::Add, in order.
// Files live in <db>/import/ while it runs (removed when it ends, and at
// the next open after a crash). Memory: about 40 B per document plus its
// id while documents arrive, about 100 B per document at the commit (two
// bands' entries sorted at once); disk: about twice the imported data
// until it is ingested.
// Not thread-safe: one caller drives an import.
class BulkImport {
 public:
  // Abandons the import unless it was committed: nothing is stored.
  virtual ~BulkImport() = default;

  // Adds the next document, prepared for the collection. Returns false
  // (and stores nothing) if an earlier document of the import had the
  // same id, as Add would have refused it. INVALID_ARGUMENT for a bad id
  // or metadata, a fingerprint of the wrong size, or passages (text and
  // fingerprints) missing in a collection that keeps them or sent to one
  // that does not (the import goes on);
  // another error (writing its files) breaks the import, and Add and
  // Commit return it from then on.
  virtual absl::StatusOr<bool> Add(const PreparedDocument& doc) = 0;

  // Documents added so far (duplicates not counted).
  virtual uint64_t documents() const = 0;

  // Sorts and writes the index, ingests everything, and returns what was
  // loaded. ABORTED, storing nothing, if the collection was written or
  // dropped since the import began; CANCELLED, storing nothing, if
  // `cancelled` (may be empty) says so just before the ingestion. An
  // error of the ingestion itself leaves all or nothing stored (the
  // collection's document count says which). Call once.
  virtual absl::StatusOr<ImportResult> Commit(
      const std::function<bool()>& cancelled = {}) = 0;
};

class Store {
 public:
  struct Options {
    // Directory of the RocksDB database; created if missing.
    std::string path;
    // Shared block cache for all column families.
    size_t block_cache_bytes = size_t{256} << 20;
    // Total memtable budget across column families.
    size_t write_buffer_bytes = size_t{256} << 20;
    // fsync the WAL before acknowledging each write: survives power loss,
    // not only a crash of the process. Costs a disk flush per write.
    bool sync = false;
    // Open without writing anything (RocksDB's read-only mode: the
    // write-ahead log is replayed in memory only, no file is created,
    // changed or removed): for `neardupd --verify`. Writes then fail. A
    // database from before the posting lists is refused (it must be
    // rebuilt by a writable open first).
    bool read_only = false;
    // What to do with a write-ahead log damaged before its last record.
    // false: refuse to open (DATA_LOSS naming the damage), so that no
    // acknowledged write is dropped silently; a last record cut short
    // by a crash is not damage. true: replay up to the damage and drop
    // the rest (RocksDB's point-in-time recovery), logged as an error.
    bool salvage = false;
    // Writes are refused (RESOURCE_EXHAUSTED) while less than this is free
    // on the database's file system, so that RocksDB keeps room for its
    // flushes and compactions; 0: no floor. Either way, writes stopped by
    // a full disk resume by themselves once there is room.
    uint64_t min_free_bytes = 0;
    // Replication (service/replication). Write-ahead log files are kept
    // this long, and up to this size, after the database no longer needs
    // them, so that a replica can read writes it has not yet seen
    // (RocksDB's WAL_ttl_seconds and WAL_size_limit_MB; 0 and 0: removed
    // at once, as a single node needs).
    uint64_t wal_ttl_seconds = 0;
    uint64_t wal_size_limit_mb = 0;
    // Called before every write, after the free-space check; a non-OK
    // status refuses the write with that status (writes sent to a
    // replica, or to a primary that no longer holds its lease). Empty:
    // every write proceeds.
    std::function<absl::Status()> before_write;
    // Called after every write with the latest sequence number (at least
    // the write's own) and whether the collection written asks for a
    // replica's acknowledgement (CollectionParams::ack_replica). A non-OK
    // status is returned to the caller and the write stays. It runs under
    // the collection's write lock, so a CheckAndAdd waiting here for a
    // replica's acknowledgement holds back the next one: no answer names a
    // document that no replica has.
    std::function<absl::Status(uint64_t sequence, bool ack_replica)>
        after_write;
    // Bulk imports are ingested as table files, not through the
    // write-ahead log, so replicas never see them: a replicated node
    // refuses them (FAILED_PRECONDITION).
    bool allow_import = true;
  };

  // Opens (creating if needed, unless read_only) the database at
  // `options.path`. Returns FAILED_PRECONDITION if another process holds
  // it open, DATA_LOSS for a damaged write-ahead log (without salvage) or
  // other damage, and the RocksDB error otherwise.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const Options& options);

  // Closes the database. REQUIRES: no call is in flight.
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Creates a collection. INVALID_ARGUMENT for a bad name or parameter,
  // ALREADY_EXISTS if the name is taken. Returns it with defaults filled.
  absl::StatusOr<CollectionInfo> CreateCollection(
      std::string_view name, const CollectionParams& params);

  // Returns one collection, or NOT_FOUND.
  absl::StatusOr<CollectionInfo> GetCollection(std::string_view name) const;

  // Returns all collections, ordered by name.
  std::vector<CollectionInfo> ListCollections() const;

  // Drops a collection and everything in it; returns how many documents it
  // held. NOT_FOUND if there is no such collection.
  absl::StatusOr<uint64_t> DropCollection(std::string_view name);

  // Returns collection `name` if this build can serve it: NOT_FOUND, or
  // FAILED_PRECONDITION if its fingerprints are of another version.
  absl::StatusOr<CollectionInfo> FindCollection(std::string_view name) const;

  // Stores `doc`. ALREADY_EXISTS if its id is stored, unless `upsert`, in
  // which case the old version is replaced atomically. INVALID_ARGUMENT for
  // a bad id or metadata; NOT_FOUND for an unknown collection, or one that
  // is not the collection `doc` was prepared for; DEADLINE_EXCEEDED, with
  // nothing written, if `deadline` passes before the write.
  absl::StatusOr<AddResult> Add(std::string_view collection,
                                const PreparedDocument& doc, bool upsert,
                                absl::Time deadline = absl::InfiniteFuture());

  // Returns the stored documents whose estimated Jaccard similarity with
  // `query` is at least the threshold, best first (CheckResult::stats is
  // the query's). Stores nothing. INVALID_ARGUMENT for a threshold below
  // the collection's or a bad top_k.
  absl::StatusOr<CheckResult> Check(std::string_view collection,
                                    const PreparedDocument& query,
                                    const CheckOptions& options) const;

  // CheckAndAdd of each document in turn, as if sent one by one in this
  // order (a document may match one added earlier in the same batch): it
  // is stored only if nothing matches (`added`); if its id is already
  // stored, nothing is written and `already_stored` is set. One result per
  // document. The documents are searched together on one snapshot and the
  // write lock is taken once. Fails as a whole only for an unknown
  // collection, bad `options` or more than kMaxBatchDocuments documents.
  absl::StatusOr<std::vector<absl::StatusOr<CheckResult>>> CheckAndAddBatch(
      std::string_view collection, absl::Span<const PreparedDocument> docs,
      const CheckOptions& options);

  // Returns, on one snapshot, the stored documents that share at least
  // `min_shared` of the distinct passage `fingerprints` (ascending) of a
  // query, at most `max_candidates` of them, most shared first, with their
  // stored content; and which fingerprints are boilerplate (in more than
  // the collection's passage_max_docs documents), which count for none.
  // FAILED_PRECONDITION for a collection without passages.
  absl::StatusOr<PassageCandidates> FindPassageCandidates(
      std::string_view collection, absl::Span<const uint32_t> fingerprints,
      uint32_t min_shared, size_t max_candidates) const;

  // Begins a bulk import (BulkImport) into `collection`, which must hold
  // no documents: FAILED_PRECONDITION if it holds some, NOT_FOUND if
  // there is no such collection, ABORTED while another import of it runs.
  absl::StatusOr<std::unique_ptr<BulkImport>> BeginImport(
      std::string_view collection);

  // Returns a snapshot of collection `collection` (NOT_FOUND, or
  // FAILED_PRECONDITION for fingerprints of another version).
  absl::StatusOr<std::unique_ptr<CollectionSnapshot>> Snapshot(
      std::string_view collection) const;

  // Returns what is stored about document `id`, or NOT_FOUND.
  absl::StatusOr<StoredDocument> Get(std::string_view collection,
                                     std::string_view id) const;

  // Deletes document `id` and all its index keys, or returns NOT_FOUND.
  absl::Status Delete(std::string_view collection, std::string_view id);

  // Checks the whole database against itself, on one snapshot (safe while
  // serving): every document record parses and has all its index keys
  // (recomputed from the record), no index key or record is left over
  // from a deleted document or dropped collection, every collection's
  // stored document count is right. Reads everything: minutes at
  // millions of documents. Errors only when it cannot read.
  absl::StatusOr<IntegrityReport> Verify() const;

  // Waits until RocksDB has no flush or compaction running or pending, or
  // `timeout` has passed; returns whether it got there. For benchmarks
  // that measure a database at rest, and tools that hand one over.
  bool WaitForBackgroundWork(absl::Duration timeout) const;

  // A RocksDB integer property ("rocksdb.total-sst-files-size",
  // "rocksdb.num-running-compactions", ...) summed over the column
  // families, or nullopt if RocksDB does not know it. For metrics.
  std::optional<uint64_t> IntProperty(std::string_view name) const;

  // The database directory.
  const std::string& path() const;

  // Backs the database up into `dir` (created if missing) with RocksDB's
  // BackupEngine: memtables flushed first, table files shared with earlier
  // backups in `dir`; with `verify`, the new backup's files are checked
  // against their checksums. One backup at a time per process.
  absl::StatusOr<BackupSummary> Backup(const std::string& dir, bool verify);
  // The backups in `dir`, oldest first (none if it does not exist).
  static absl::StatusOr<std::vector<BackupSummary>> ListBackups(
      const std::string& dir);
  // Restores backup `id` of `dir` (the latest if none) into `db_path`,
  // which must not exist or be empty (FAILED_PRECONDITION otherwise), after
  // verifying its checksums. Returns the backup restored. No Store may
  // have `db_path` open.
  static absl::StatusOr<BackupSummary> RestoreBackup(
      const std::string& dir, std::optional<uint32_t> id,
      const std::string& db_path);

  // Replication: the write-ahead log read as a replica applies it.
  // One write of the log: its first sequence number, how many sequence
  // numbers it used (sequence + count - 1 is its last), and its bytes
  // (RocksDB's WriteBatch representation).
  struct LogEntry {
    uint64_t sequence = 0;
    uint64_t count = 0;
    std::string data;
  };
  // The sequence number of the latest write.
  uint64_t LatestSequence() const;
  // A reader of the write-ahead log from a point on, kept open between
  // reads so that each read goes on where the last one ended (opening the
  // log reads its current file from the start). Not thread-safe.
  class LogReader {
   public:
    virtual ~LogReader() = default;
    // Appends to `out` the next writes, in order, whole, until at least
    // `max_bytes` are gathered or the log ends (none: nothing new yet).
    // OUT_OF_RANGE if the log no longer reaches back to where this reader
    // is (a replica must then start again from a checkpoint).
    virtual absl::Status Read(size_t max_bytes, std::vector<LogEntry>* out) = 0;
    // The last sequence number read.
    virtual uint64_t position() const = 0;
  };
  // A reader of the writes after sequence number `after`.
  std::unique_ptr<LogReader> ReadLogAfter(uint64_t after) const;
  // Applies `entries` (LogEntry data, consecutive, from another store of
  // the same lineage) and `meta_key` = `meta_value` in one atomic write,
  // bypassing before_write: a replica moves from one whole write of its
  // primary to a later one, never between. Call ReloadCollections after:
  // until then the collections in memory (counts, new and dropped ones)
  // lag what was applied.
  absl::Status ApplyLogEntries(absl::Span<const std::string_view> entries,
                               std::string_view meta_key,
                               std::string_view meta_value);
  // Brings the collections held in memory up to date with what applied
  // log entries changed; ApplyLogEntry with `reload` false leaves that to
  // one call after several entries.
  absl::Status ReloadCollections();
  // Bookkeeping values of the replication (keys beginning
  // "replication/"), stored beside the collections: nullopt if absent.
  absl::StatusOr<std::optional<std::string>> GetMeta(
      std::string_view key) const;
  // Writes one through the write-ahead log (so replicas receive it),
  // bypassing before_write; returns its sequence number.
  absl::StatusOr<uint64_t> PutMeta(std::string_view key,
                                   std::string_view value);
  // Writes a RocksDB checkpoint (table files hard-linked where the file
  // system allows) into `dir`, which must not exist.
  absl::Status CreateCheckpoint(const std::string& dir) const;

  // False while RocksDB has stopped writes (a full disk, an I/O error),
  // with the reason; see storage_health.h.
  bool writable() const;
  std::string storage_problem() const;

 private:
  struct Impl;
  class SnapshotImpl;  // store_snapshot.cc
  class ImportImpl;    // store_import.cc
  explicit Store(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_STORE_H_
