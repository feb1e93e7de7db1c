// The neardup engine: every document operation of the service, between
// the gRPC api and the storage. It reads each document once through the
// Pipeline (analysis, repeats collapsed on the token list, fingerprints,
// index keys, passage fingerprints) and hands the prepared document to
// index::Store, which keeps the snapshot search, the per-collection write
// lock and the single WriteBatch (so CheckAndAdd stays linearizable).
// Search asks the store for passage candidates on one snapshot and aligns
// them here. Repeats and Compare need no store.
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(auto store, index::Store::Open(options));
//   Engine engine(store.get());
//   NEARDUP_RETURN_IF_ERROR(engine.CreateCollection("pages", {}).status());
//   NEARDUP_ASSIGN_OR_RETURN(index::CheckResult r,
//       engine.CheckAndAdd("pages", {url, html, {}, {}}, {}));
//   if (!r.added) { /* r.matches[0] is the stored near copy */ }
//
// Thread-safe: every method may be called concurrently.

#ifndef NEARDUP_SERVICE_ENGINE_ENGINE_H_
#define NEARDUP_SERVICE_ENGINE_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "service/engine/pipeline.h"
#include "service/engine/types.h"
#include "service/index/store.h"
#include "service/index/types.h"
#include "service/passages/passages.h"

namespace neardup::engine {

// A bulk import (index::BulkImport) of documents fingerprinted elsewhere
// (a `neardup audit` run, the CLI) with the collection's pipeline
// (Engine::BeginImport checked that). Not thread-safe.
class Importer {
 public:
  Importer(index::CollectionInfo collection,
           std::unique_ptr<index::BulkImport> import)
      : collection_(std::move(collection)), import_(std::move(import)) {}

  const index::CollectionInfo& collection() const { return collection_; }

  // Adds the next document: false (nothing stored) if its id came
  // earlier in the import. INVALID_ARGUMENT for a bad id or metadata, a
  // fingerprint of the wrong size, or `passages` (its text, how it was
  // read and its passage fingerprints) missing for a collection with
  // passages or given for one without.
  absl::StatusOr<bool> Add(
      std::string_view id, index::Metadata metadata, sketch::Fingerprint fp,
      const index::DocumentStats& stats,
      std::optional<index::PassageInput> passages = std::nullopt);

  uint64_t documents() const { return import_->documents(); }

  // See index::BulkImport::Commit.
  absl::StatusOr<index::ImportResult> Commit(
      const std::function<bool()>& cancelled = {}) {
    return import_->Commit(cancelled);
  }

 private:
  const index::CollectionInfo collection_;
  std::unique_ptr<index::BulkImport> import_;
};

class Engine {
 public:
  // Does not take ownership: `store` must outlive the engine.
  explicit Engine(index::Store* store) : store_(store) {}

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  index::Store* store() const { return store_; }

  // Collections: see index::Store.
  absl::StatusOr<index::CollectionInfo> CreateCollection(
      std::string_view name, const index::CollectionParams& params);
  absl::StatusOr<index::CollectionInfo> GetCollection(
      std::string_view name) const;
  std::vector<index::CollectionInfo> ListCollections() const;
  absl::StatusOr<uint64_t> DropCollection(std::string_view name);

  // Stores `doc`. ALREADY_EXISTS if its id is stored, unless `upsert`, in
  // which case the old version is replaced atomically. INVALID_ARGUMENT for
  // a bad id, metadata or text; NOT_FOUND for an unknown collection;
  // DEADLINE_EXCEEDED, with nothing stored, if `deadline` passes first.
  absl::StatusOr<index::AddResult> Add(
      std::string_view collection, const DocumentInput& doc, bool upsert,
      absl::Time deadline = absl::InfiniteFuture());

  // Returns the stored documents whose estimated Jaccard similarity with
  // `doc` (its content and input options; id and metadata are ignored) is
  // at least the threshold, best first. Stores nothing. INVALID_ARGUMENT
  // for bad content or a threshold below the collection's.
  absl::StatusOr<index::CheckResult> Check(
      std::string_view collection, const DocumentInput& doc,
      const index::CheckOptions& options) const;

  // Checks `doc` and stores it only if nothing matches (`added`). If its id
  // is already stored, writes nothing and sets `already_stored`.
  absl::StatusOr<index::CheckResult> CheckAndAdd(
      std::string_view collection, const DocumentInput& doc,
      const index::CheckOptions& options);

  // CheckAndAdd of each document in turn, as if sent one by one in this
  // order (a document may match one added earlier in the same batch), with
  // one result per document; a document that cannot be read fails alone.
  // Fails as a whole only for an unknown collection, bad `options` or
  // more than index::kMaxBatchDocuments documents.
  absl::StatusOr<std::vector<absl::StatusOr<index::CheckResult>>>
  CheckAndAddBatch(std::string_view collection,
                   absl::Span<const DocumentInput> docs,
                   const index::CheckOptions& options);

  // Returns the stored documents that share passages with `doc` (its
  // content and input options), most of the query covered first, each
  // with the aligned passages (offsets into `doc` and into the stored
  // content). FAILED_PRECONDITION for a collection without passages,
  // INVALID_ARGUMENT for bad content or top_k. Read-only, on a snapshot.
  absl::StatusOr<SearchResult> Search(std::string_view collection,
                                      const DocumentInput& doc,
                                      const SearchOptions& options) const;

  // Stored documents: see index::Store.
  absl::StatusOr<index::StoredDocument> Get(std::string_view collection,
                                            std::string_view id) const;
  absl::Status Delete(std::string_view collection, std::string_view id);
  absl::StatusOr<index::IntegrityReport> Verify() const;

  // Begins a bulk import into `collection` (index::Store::BeginImport)
  // of documents that `signer` fingerprinted, at fingerprint version
  // `fingerprint_version`: FAILED_PRECONDITION naming the first
  // parameter in which they differ from the collection's.
  absl::StatusOr<std::unique_ptr<Importer>> BeginImport(
      std::string_view collection, const PipelineParams& signer,
      uint32_t fingerprint_version);

  // Returns the passages that occur more than once in `doc` (default text
  // parameters). Errors name the document: "document: no text: ...".
  static absl::StatusOr<passages::Repeats> Repeats(const DocumentInput& doc);

  // Compares two documents (default text parameters): exact set scores
  // and their shared passages. Errors name the side: "a: ...", "b: ...".
  static absl::StatusOr<passages::Comparison> Compare(const DocumentInput& a,
                                                      const DocumentInput& b);

 private:
  // Validates `doc`'s id and metadata, then prepares it for `c`.
  absl::StatusOr<index::PreparedDocument> Prepare(
      const index::CollectionInfo& c, const Pipeline& pipeline,
      const DocumentInput& doc, bool with_id) const;

  index::Store* const store_;
};

}  // namespace neardup::engine

#endif  // NEARDUP_SERVICE_ENGINE_ENGINE_H_
