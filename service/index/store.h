// The neardup index: collections of fingerprinted documents in an embedded
// RocksDB, and the near-duplicate queries over them.
//
// Each document is stored as one record (id, metadata, MinHash signature,
// SimHash, digest, sizes) plus index keys: its id, one per LSH band, one
// per SimHash table and one for its exact digest. Every change of a document
// (its record and all its keys) is one atomic WriteBatch, written through the
// WAL, so a crash never leaves a half-written document or an orphan key, and an
// acknowledged write survives the process being killed.
//
// Check finds candidates through the band and digest keys and verifies
// each against its stored signature, so every reported score is computed,
// not assumed. CheckAndAdd searches on a snapshot without the collection's
// write lock, then, under it, scores the documents written since the
// snapshot and inserts: linearizable per collection, and concurrent
// writers only serialise on the short part.
//
// Example:
//   Store::Options options;
//   options.path = "./data";
//   NEARDUP_ASSIGN_OR_RETURN(auto store, Store::Open(options));
//   NEARDUP_RETURN_IF_ERROR(store->CreateCollection("pages", {}).status());
//   NEARDUP_ASSIGN_OR_RETURN(CheckResult r,
//       store->CheckAndAdd("pages", {url, text, {}}, {}));
//   if (!r.added) { /* r.matches[0] is the stored near copy */ }
//
// Thread-safe: every method may be called concurrently.

#ifndef NEARDUP_SERVICE_INDEX_STORE_H_
#define NEARDUP_SERVICE_INDEX_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "service/index/types.h"

namespace neardup::index {

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
  };

  // Opens (creating if needed) the database at `options.path`. Returns
  // FAILED_PRECONDITION if another process holds it open, and the
  // RocksDB error otherwise.
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

  // Stores `doc`. ALREADY_EXISTS if its id is stored, unless `upsert`, in
  // which case the old version is replaced atomically. INVALID_ARGUMENT for
  // a bad id, metadata or text; NOT_FOUND for an unknown collection.
  absl::StatusOr<AddResult> Add(std::string_view collection,
                                const DocumentInput& doc, bool upsert);

  // Returns the stored documents whose estimated Jaccard similarity with
  // `doc` (its content and input options; id and metadata are ignored) is
  // at least the threshold, best first. Stores nothing. INVALID_ARGUMENT
  // for bad content or a threshold below the collection's.
  absl::StatusOr<CheckResult> Check(std::string_view collection,
                                    const DocumentInput& doc,
                                    const CheckOptions& options) const;

  // Checks `doc` and stores it only if nothing matches (`added`). If its id
  // is already stored, writes nothing and sets `already_stored`.
  absl::StatusOr<CheckResult> CheckAndAdd(std::string_view collection,
                                          const DocumentInput& doc,
                                          const CheckOptions& options);

  // CheckAndAdd of each document in turn, as if sent one by one in this
  // order (a document may match one added earlier in the same batch), with
  // one result per document. Faster than separate calls: documents are
  // analysed and searched together, and the write lock is taken once.
  // Fails as a whole only for an unknown collection or bad `options`.
  absl::StatusOr<std::vector<absl::StatusOr<CheckResult>>> CheckAndAddBatch(
      std::string_view collection, absl::Span<const DocumentInput> docs,
      const CheckOptions& options);

  // Returns the stored documents that share passages with `doc` (its
  // content and input options), most of the query covered first, each
  // with the aligned passages (offsets into `doc` and into the stored
  // content). FAILED_PRECONDITION for a collection without passages,
  // INVALID_ARGUMENT for bad content or top_k. Read-only, on a snapshot.
  absl::StatusOr<SearchResult> Search(std::string_view collection,
                                      const DocumentInput& doc,
                                      const SearchOptions& options) const;

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

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_STORE_H_
