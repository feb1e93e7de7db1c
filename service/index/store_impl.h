// Internals of Store shared by its source files (store.cc: open,
// collections, writes and near-duplicate queries; store_passages.cc: the
// passage index and Search; store_verify.cc: Verify). Not part of the API:
// include only from service/index/store*.cc.

#ifndef NEARDUP_SERVICE_INDEX_STORE_IMPL_H_
#define NEARDUP_SERVICE_INDEX_STORE_IMPL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "rocksdb/snapshot.h"
#include "rocksdb/write_batch.h"
#include "service/index/records.pb.h"
#include "service/index/storage_health.h"
#include "service/index/store.h"
#include "service/index/types.h"
#include "service/sketch/fingerprint.h"
#include "service/sketch/lsh.h"
#include "service/sketch/simhash.h"

namespace neardup::index {

using records::CollectionRecord;
using records::DocumentRecord;
using records::PassageRecord;

inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

inline rocksdb::Slice ToSlice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

// Column families, in the order they are opened.
enum Cf {
  kDefault = 0,
  kCollections,
  kDocs,
  kIds,
  kPostings,
  kPassages,
  kPassageDocs,
  kNumCfs
};
inline constexpr const char* kCfNames[kNumCfs] = {
    "default",  "collections", "docs",        "ids",
    "postings", "passages",    "passage_docs"};
// Families of databases written before the postings family (one key per
// document and bucket): rebuilt into it and dropped at open.
inline constexpr const char* kLegacyCfNames[] = {"lsh", "digest", "simhash"};

// In-memory state of one open collection.
struct CollectionState {
  CollectionState(CollectionRecord rec, uint64_t next, uint64_t count)
      : record(std::move(rec)),
        lsh{record.bands(), record.rows()},
        next_docnum(next),
        document_count(count) {}

  const CollectionRecord record;
  const sketch::LshParams lsh;

  // The keys a document is indexed under (PutDocKeys) and a query probes
  // (FindMatches).
  DocumentKeys KeysOf(const sketch::Fingerprint& fp) const {
    return index::KeysOf(fp, lsh, record.simhash_distance());
  }

  // A document added recently, as CheckAndAdd finds and scores it.
  struct Recent {
    uint64_t version;  // the collection's version its write made
    std::string id;
    Metadata metadata;
    sketch::Fingerprint fp;
    DocumentKeys keys;
  };
  // Documents kept in `recent` (about 1.2 KB each): more than the writes
  // that land while a CheckAndAdd searches, which is one per concurrent
  // writer, or one batch (up to kMaxBatchDocuments) per concurrent batch.
  static constexpr size_t kRecentCapacity = 4096;

  // Serialises the writes of this collection (linearizable CheckAndAdd).
  absl::Mutex mu;
  uint64_t next_docnum ABSL_GUARDED_BY(mu);
  bool dropped ABSL_GUARDED_BY(mu) = false;
  // A bulk import of it is under way (Store::BeginImport).
  bool importing ABSL_GUARDED_BY(mu) = false;
  // Bumped by every write of a document (add, upsert, delete).
  uint64_t version ABSL_GUARDED_BY(mu) = 0;
  // Version of the latest upsert or delete.
  uint64_t last_removal_version ABSL_GUARDED_BY(mu) = 0;
  // The latest pure adds, oldest first, at most kRecentCapacity. While
  // no removal happened after version v and recent.front().version <= v+1,
  // the collection at its current version is the collection at v plus
  // these documents.
  std::deque<Recent> recent ABSL_GUARDED_BY(mu);
  // Written under `mu`; read without it by GetCollection.
  std::atomic<uint64_t> document_count;

  uint32_t id() const { return record.id(); }
};

// Values of the counter key (keys::CounterKey) and of an id key.
std::string EncodeCounter(uint64_t next_docnum, uint64_t count);
std::string EncodeDocnum(uint64_t docnum);

// Removes the files of bulk imports that a crash cut short (they were
// not ingested, so nothing of them is stored).
void RemoveAbandonedImports(const std::string& db_path);

// The record of prepared document `doc`, added at `now`.
DocumentRecord RecordOf(const PreparedDocument& doc, absl::Time now);

sketch::Fingerprint FingerprintOf(const DocumentRecord& rec);

// Every index key of document `docnum` (all but its record), by family:
// what PutDocKeys writes, DeleteDocKeys removes and Verify expects. For
// kPostings, the key of a bucket whose list holds `docnum`.
// `passage`: its passage record, for a collection with passages (the
// record's own key, and one key per fingerprint); null otherwise.
std::vector<std::pair<Cf, std::string>> IndexKeys(const CollectionState& c,
                                                  uint64_t docnum,
                                                  std::string_view id,
                                                  const DocumentKeys& k,
                                                  const PassageRecord* passage);

// The postings keys of a document with keys `k` in collection `coll`: its
// digest's bucket first, then its LSH bands', then its SimHash tables'.
std::vector<std::string> BucketKeys(uint32_t coll, const DocumentKeys& k);

// DATA_LOSS for the record of `docnum` in `c`, which ParseDocRecord refused.
absl::Status CorruptRecord(const CollectionState& c, uint64_t docnum);

// Parses a stored record of a document of `c`. False if it is corrupt: it
// does not parse, or its sketches do not have the collection's sizes.
bool ParseDocRecord(const CollectionState& c, rocksdb::Slice bytes,
                    DocumentRecord* rec);

// The collection's boilerplate rule: kDefaultPassageMaxDocs for records
// written before it existed.
uint32_t PassageMaxDocs(const CollectionRecord& rec);

// The stored text of a passage record.
StoredText TextOf(PassageRecord rec);

// The passage record of prepared document `doc` (its content included).
// REQUIRES: doc.passages.
PassageRecord PassageRecordOf(const PreparedDocument& doc);

struct Store::Impl {
  Options options;
  rocksdb::WriteOptions write_options;
  std::shared_ptr<StorageHealth> health;
  std::unique_ptr<rocksdb::DB> db;
  // Owned; see ~Impl. Indexed by Cf; past kNumCfs, while a database is
  // being migrated, the legacy families.
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;

  mutable absl::Mutex mu;
  std::map<std::string, std::shared_ptr<CollectionState>, std::less<>>
      collections ABSL_GUARDED_BY(mu);
  uint32_t next_collection_id ABSL_GUARDED_BY(mu) = 1;

  ~Impl() {
    if (db == nullptr) return;
    for (auto* cf : cfs)
      db->DestroyColumnFamilyHandle(cf).PermitUncheckedError();
    // Close flushes nothing (the WAL has it all) and releases the lock.
    db->Close().PermitUncheckedError();
  }

  rocksdb::ColumnFamilyHandle* cf(Cf which) const { return cfs[which]; }

  // The server's write options, synced for a collection that asks for it.
  rocksdb::WriteOptions WriteOptionsFor(const CollectionState& c) const {
    rocksdb::WriteOptions w = write_options;
    w.sync = w.sync || c.record.sync();
    return w;
  }

  // Reads the collections and their counters into `collections`. Again
  // on a replica after each write it applies: states of collections
  // still there are updated in place (their writers' counters), new
  // ones added, dropped ones marked and removed.
  absl::Status LoadCollections();
  // Rebuilds the postings family from the document records and drops the
  // families it replaces (opened, in `cfs` past kNumCfs). Idempotent: a
  // rebuild cut short is done again at the next open. A record that does
  // not parse is logged and skipped (Verify reports it).
  absl::Status MigrateLegacyIndex();
  absl::StatusOr<std::shared_ptr<CollectionState>> Find(
      std::string_view name) const;
  // Returns Find(name), or NOT_FOUND if it is not the collection `doc`
  // was prepared for (that one was dropped).
  absl::StatusOr<std::shared_ptr<CollectionState>> FindFor(
      std::string_view name, const PreparedDocument& doc) const;
  // Returns the verified matches of `q`, best first, at most `top_k`, as
  // of `snapshot` (null: a snapshot of now).
  absl::StatusOr<std::vector<Match>> FindMatches(
      const CollectionState& c, const PreparedDocument& q, double threshold,
      uint32_t top_k, const rocksdb::Snapshot* snapshot = nullptr) const;
  // A snapshot holding exactly the writes of `c` up to `version`.
  struct View {
    std::unique_ptr<rocksdb::ManagedSnapshot> snapshot;
    uint64_t version = 0;
  };
  View OpenView(CollectionState& c) const ABSL_LOCKS_EXCLUDED(c.mu) {
    absl::ReaderMutexLock lock(&c.mu);
    return {std::make_unique<rocksdb::ManagedSnapshot>(db.get()), c.version};
  }
  // Brings `matches`, found at version `seen`, up to the collection's
  // current version: adds the documents added since (from `c.recent`), or
  // searches again if something was removed since or `recent` does not
  // reach back far enough.
  absl::StatusOr<std::vector<Match>> CatchUp(CollectionState& c,
                                             const PreparedDocument& q,
                                             double threshold, uint32_t top_k,
                                             uint64_t seen,
                                             std::vector<Match> matches) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(c.mu);
  // The CheckAndAdd of one prepared document whose matches at version
  // `seen` are `matches`, under the collection's write lock.
  absl::StatusOr<CheckResult> CheckAndAddLocked(
      CollectionState& c, const PreparedDocument& q, double threshold,
      uint32_t top_k, absl::Time deadline, uint64_t seen,
      std::vector<Match> matches) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c.mu);
  absl::StatusOr<std::optional<uint64_t>> LookupId(
      const CollectionState& c, std::string_view id,
      const rocksdb::ReadOptions& ro = rocksdb::ReadOptions()) const;
  // Returns the record of `docnum`; NOT_FOUND if it has none (deleted
  // since its id or index key was read), DATA_LOSS if it is corrupt.
  absl::StatusOr<DocumentRecord> ReadDoc(
      const CollectionState& c, uint64_t docnum,
      const rocksdb::ReadOptions& ro = rocksdb::ReadOptions()) const;
  // ReadDoc under the collection's write lock, where an id without a
  // record can only be corruption: DATA_LOSS instead of NOT_FOUND.
  absl::StatusOr<DocumentRecord> ReadDocLocked(const CollectionState& c,
                                               uint64_t docnum) const {
    absl::StatusOr<DocumentRecord> rec = ReadDoc(c, docnum);
    if (absl::IsNotFound(rec.status())) {
      return absl::DataLossError(rec.status().message());
    }
    return rec;
  }
  // Writes the record and every index key (under `keys`) of a document.
  // `passage`: the passage record with its content, for a collection
  // with passages; null otherwise.
  void PutDocKeys(const CollectionState& c, uint64_t docnum,
                  const DocumentRecord& rec, const DocumentKeys& keys,
                  const PassageRecord* passage,
                  rocksdb::WriteBatch* batch) const;
  // Adds the deletes of the record and every index key of a document to
  // `batch`. Reads its passage record (for its fingerprints) in a
  // collection with passages: DATA_LOSS if it is missing or corrupt.
  absl::Status DeleteDocKeys(const CollectionState& c, uint64_t docnum,
                             const DocumentRecord& rec,
                             rocksdb::WriteBatch* batch) const;
  // Returns the passage record of `docnum`: NOT_FOUND if there is none,
  // DATA_LOSS if it does not parse.
  absl::StatusOr<PassageRecord> ReadPassage(
      const CollectionState& c, uint64_t docnum,
      const rocksdb::ReadOptions& ro = rocksdb::ReadOptions()) const;
  // Writes `doc` in one batch, unless `deadline` has passed by the time
  // the batch is ready (DEADLINE_EXCEEDED, nothing written).
  // Writes `batch` unless the disk is below its free-space floor or writes
  // are stopped (StorageHealth::BeforeWrite); `what` names it in errors.
  // `gated`: also ask options.before_write and tell options.after_write
  // (every write of documents and collections; not a replica applying
  // its primary's log).
  // `ack_replica`: the collection written asks for a replica's
  // acknowledgement (passed on to after_write).
  absl::Status Write(const rocksdb::WriteOptions& wo,
                     rocksdb::WriteBatch* batch, std::string_view what,
                     bool gated = true, bool ack_replica = false);
  absl::StatusOr<AddResult> AddLocked(
      CollectionState& c, const PreparedDocument& doc, bool upsert,
      absl::Time deadline = absl::InfiniteFuture())
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(c.mu);
};

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_STORE_IMPL_H_
