// Value types of the index API: collection parameters, documents, matches.
// Plain structs with no RocksDB or gRPC in them.

#ifndef NEARDUP_SERVICE_INDEX_TYPES_H_
#define NEARDUP_SERVICE_INDEX_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "service/passages/passages.h"
#include "service/sketch/fingerprint.h"
#include "service/sketch/lsh.h"
#include "service/text/analyze.h"

namespace neardup::index {

using Metadata = std::map<std::string, std::string>;

// Parameters of a collection. Zero fields take defaults (see
// ResolveCollectionParams in validate.h).
struct CollectionParams {
  double threshold = 0;
  uint32_t num_perm = 0;
  uint32_t word_shingle_size = 0;
  uint32_t char_shingle_size = 0;
  std::optional<bool> fold_traditional;  // unset: true
  // SimHash tables find stored documents within this Hamming distance
  // (sketch::SimHashKeys), in [0, 3]; unset: 0 (docs/BENCHMARKS.md,
  // "Load", says why).
  std::optional<uint32_t> simhash_distance;
  // fsync the WAL before acknowledging each write to this collection
  // (survives power loss, not only a crash). Unset: false.
  std::optional<bool> sync;
  // Keep a passage index (Store::Search): each document's winnowing
  // fingerprints and its content, for aligning matched passages. Unset:
  // false. Costs disk (docs/BENCHMARKS.md, "Passages") and ingest time.
  std::optional<bool> passages;
  // Boilerplate rule (MOSS's -m): a passage fingerprint found in more
  // than this many documents of the collection (site templates, licence
  // headers, SEO footers) is ignored by Search. 0: kDefaultPassageMaxDocs.
  uint32_t passage_max_docs = 0;
  // Fingerprint a document that repeats passages of itself (a body printed
  // twice) with every repeat after the first removed, so that it matches
  // the clean text. Unset: true.
  std::optional<bool> collapse_repeats;
};

inline constexpr uint32_t kDefaultPassageMaxDocs = 50;
inline constexpr uint32_t kMaxPassageMaxDocs = 100000;

struct CollectionInfo {
  std::string name;
  CollectionParams params;  // all defaults filled in
  sketch::LshParams lsh;
  uint64_t document_count = 0;
  absl::Time create_time;
  uint32_t fingerprint_version = 0;
};

// A document to store. Views: the caller keeps the bytes alive for the call.
struct DocumentInput {
  std::string_view id;       // ignored by Check
  std::string_view content;  // bytes: text or HTML in any charset
  Metadata metadata;         // ignored by Check
  text::InputOptions input;  // how to read `content`
};

// What Store::Verify found: every document's index keys are present, and
// there is no key that no document accounts for.
struct IntegrityReport {
  uint64_t collections = 0;
  uint64_t documents = 0;
  uint64_t index_keys = 0;            // id, band, digest and SimHash keys seen
  uint64_t missing_keys = 0;          // keys a stored document needs but lacks
  uint64_t orphan_keys = 0;           // keys of no stored document
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

struct Match {
  std::string id;
  sketch::Scores scores;
  Metadata metadata;
};

struct CheckOptions {
  double threshold = 0;  // 0: the collection's; never below it
  uint32_t top_k = 0;    // 0: kDefaultTopK
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

struct SearchOptions {
  uint32_t top_k = 0;             // sources returned; 0: kDefaultTopK
  bool with_source_text = false;  // fill PassageSource::text
};

// A stored document that shares passages with a Search query.
struct PassageSource {
  std::string id;
  Metadata metadata;
  // Share of the query's tokens inside this source's passages.
  double containment = 0;
  // a: the query's span, b: the source's; by position in the query.
  std::vector<passages::MatchedPassage> passages;
  // With SearchOptions::with_source_text: the stored content decoded to
  // UTF-8, which the source spans' code point offsets index.
  std::string text;
};

struct SearchResult {
  std::vector<PassageSource> sources;  // most containment first
  // Share of the query's tokens inside any source's passages.
  double coverage = 0;
  DocumentStats stats;  // of the query
};

struct StoredDocument {
  std::string id;
  Metadata metadata;
  DocumentStats stats;
  absl::Time add_time;
  uint32_t fingerprint_version = 0;
};

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_TYPES_H_
