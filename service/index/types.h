// Value types of the index API: collection parameters, prepared documents
// (fingerprints and keys, computed by service/engine), matches. Plain
// structs with no RocksDB or gRPC in them.

#ifndef NEARDUP_SERVICE_INDEX_TYPES_H_
#define NEARDUP_SERVICE_INDEX_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "service/sketch/fingerprint.h"
#include "service/sketch/lsh.h"
#include "service/sketch/simhash.h"
#include "service/text/tokenizer.h"

namespace neardup::index {

using Metadata = std::map<std::string, std::string>;

// Parameters of a collection. Zero or unset fields take the defaults of
// params.h (ResolveCollectionParams in validate.h fills them in).
struct CollectionParams {
  double threshold = 0;
  uint32_t num_perm = 0;
  uint32_t word_shingle_size = 0;
  uint32_t char_shingle_size = 0;
  std::optional<bool> fold_traditional;
  // SimHash tables find stored documents within this Hamming distance
  // (sketch::SimHashKeys).
  std::optional<uint32_t> simhash_distance;
  // fsync the WAL before acknowledging each write to this collection
  // (survives power loss, not only a crash).
  std::optional<bool> sync;
  // Keep a passage index (Search): each document's winnowing fingerprints
  // and its content, for aligning matched passages. Costs disk
  // (docs/BENCHMARKS.md, "Passages") and ingest time.
  std::optional<bool> passages;
  // Boilerplate rule (MOSS's -m): a passage fingerprint found in more
  // than this many documents of the collection (site templates, licence
  // headers, SEO footers) is ignored by Search.
  uint32_t passage_max_docs = 0;
  // Fingerprint a document that repeats passages of itself (a body printed
  // twice) with every repeat after the first removed, so that it matches
  // the clean text.
  std::optional<bool> collapse_repeats;
  // In a replicated node group (service/replication): answer a write
  // only once a replica has applied it, as neardupd --ack replica does
  // for every collection.
  std::optional<bool> ack_replica;
};

struct CollectionInfo {
  std::string name;
  CollectionParams params;  // all defaults filled in
  sketch::LshParams lsh;
  uint64_t document_count = 0;
  absl::Time create_time;
  uint32_t fingerprint_version = 0;
  // Internal: the collection's id (never reused, so a collection dropped
  // and created again under the same name has another) and the seeds its
  // fingerprints are computed with.
  uint32_t id = 0;
  uint64_t shingle_seed = 0;
  uint64_t minhash_seed = 0;
};

// The keys a document is indexed under and a query probes: its exact
// digest, one key per LSH band, one per SimHash table.
struct DocumentKeys {
  text::Digest128 digest;
  std::vector<uint64_t> bands;              // by band
  std::vector<sketch::SimHashKey> simhash;  // by table
  // True if a probe with these keys finds a document indexed under `o`.
  bool SharesAnyWith(const DocumentKeys& o) const;
};

// Returns the keys of a document with fingerprint `fp` in a collection
// banded by `lsh` whose SimHash tables reach `simhash_distance`.
DocumentKeys KeysOf(const sketch::Fingerprint& fp, sketch::LshParams lsh,
                    uint32_t simhash_distance);

// The passage-index part of a prepared document (collections with
// passages): its winnowing fingerprints, and its content with how it was
// read, kept so that Search can align a query against it.
struct PassageInput {
  std::vector<uint32_t> fingerprints;  // distinct, ascending
  std::string_view content;            // bytes as sent; outlives the call
  std::string charset;                 // as read: re-reading gives the same
  bool html = false;                   // tokens
  bool main_content = true;
  bool lenient = false;
  // A page stored as the text extracted from it (UTF-8) and its token
  // offsets (text/token_offsets.h) instead of `content`.
  bool extracted = false;
  std::string extracted_text;
  std::string token_offsets;
};

// What Store::Verify found: every document's index keys are present, and
// there is no key that no document accounts for.
// One backup of a database (Store::Backup).
struct BackupSummary {
  uint32_t id = 0;
  int64_t create_time_unix = 0;
  uint64_t size_bytes = 0;  // of its files, shared ones included
  uint32_t files = 0;
};

struct IntegrityReport {
  uint64_t collections = 0;
  uint64_t documents = 0;
  uint64_t index_keys = 0;    // ids, posting-list entries, passage keys seen
  uint64_t missing_keys = 0;  // keys a stored document needs but lacks
  uint64_t orphan_keys = 0;   // keys of no stored document
  std::vector<std::string> problems;  // the first few, described
  bool ok() const {
    return missing_keys == 0 && orphan_keys == 0 && problems.empty();
  }
};

struct DocumentStats {
  uint64_t content_bytes = 0;
  uint64_t tokens = 0;
  uint64_t shingles = 0;
  uint64_t simhash = 0;
  std::string charset;  // as read; empty for stored documents
  bool html = false;
  // Share of the tokens in second or later occurrences of a repeated
  // passage (passages::Repeats); 0 when the collection does not collapse
  // repeats.
  double repeated_fraction = 0;
};

// A document as the index takes it: analysed and fingerprinted for one
// collection by the engine. The index stores and probes it; it never
// reads the text.
struct PreparedDocument {
  // CollectionInfo::id of the collection it was prepared for: a write to
  // a collection dropped and created again in the meantime is refused.
  uint32_t collection_id = 0;
  std::string_view id;  // view: the caller keeps it alive for the call
  Metadata metadata;
  sketch::Fingerprint fp;
  DocumentKeys keys;    // KeysOf(fp, ...) for the collection
  DocumentStats stats;  // of the document as sent
  // Collections with passages only.
  std::optional<PassageInput> passages;
};

// A stored document's content (collections with passages) and how to read
// it again, exactly as it was read when stored.
struct StoredText {
  // As sent; or, if `extracted`, the text extracted from the page as sent
  // (UTF-8), with `token_offsets` (text/token_offsets.h) leading its
  // tokens back to the page.
  std::string content;
  std::string charset;
  bool html = false;
  bool main_content = true;
  bool lenient = false;
  bool extracted = false;
  std::string token_offsets;
};

// The passage candidates of a Search query, read on one snapshot: the
// stored documents sharing the most of its passage fingerprints, with
// what the engine needs to align the query against each.
struct PassageCandidate {
  std::string id;
  Metadata metadata;
  uint32_t shared = 0;  // distinct fingerprints shared with the query
  StoredText text;
};

// A stored document's fingerprint, as an audit of its collection reads it.
struct StoredFingerprint {
  uint64_t docnum = 0;  // internal; ascending in the order of adding
  std::string id;
  sketch::Fingerprint fp;
  uint64_t content_bytes = 0;
};

struct PassageCandidates {
  // Fingerprints of the query found in more than the collection's
  // passage_max_docs documents (boilerplate: ignored), ascending.
  std::vector<uint32_t> boilerplate;
  // Most shared first, ties by age (oldest first).
  std::vector<PassageCandidate> candidates;
};

struct Match {
  std::string id;
  sketch::Scores scores;
  Metadata metadata;
};

struct CheckOptions {
  double threshold = 0;  // 0: the collection's; never below it
  uint32_t top_k = 0;    // 0: kDefaultTopK
  // The caller's deadline: no document is analysed, searched or written
  // after it (DEADLINE_EXCEEDED instead), so a client that gave up is not
  // answered "not stored" for a document that was stored.
  absl::Time deadline = absl::InfiniteFuture();
};

inline constexpr uint32_t kDefaultTopK = 10;
inline constexpr uint32_t kMaxTopK = 1000;
// Most documents in one CheckAndAddBatch.
inline constexpr size_t kMaxBatchDocuments = 1000;

struct CheckResult {
  std::vector<Match> matches;   // best first
  bool added = false;           // CheckAndAdd: stored as new
  bool already_stored = false;  // CheckAndAdd: the id was stored before
  DocumentStats stats;          // of the query
};

struct AddResult {
  bool replaced = false;
  DocumentStats stats;
};

struct StoredDocument {
  std::string id;
  Metadata metadata;
  DocumentStats stats;
  absl::Time add_time;
  uint32_t fingerprint_version = 0;
  sketch::Fingerprint fingerprint;  // as stored
};

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_TYPES_H_
