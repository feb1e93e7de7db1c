// The signed corpus: the sign stage's output, which every later stage
// reads. Documents are numbered from 0 in input order and written in
// chunks; chunk c of directory DIR is
//
//   chunk-C.docs     DocRecord per document, in document order
//   chunk-C.ids      the ids, back to back
//   chunk-C.sketch   per good document: MinHash signature (num_perm
//                    uint32), bottom-k sketch (bottom_k uint32), and with
//                    exact verification its shingle set (uint64 each)
//   chunk-C.bands    per LSH band, the band key of every good document,
//                    sorted by (key, document): a sorted run per band
//   chunk-C.digests  (digest, document) of every good document, sorted
//
// Band and digest entries number a document within its chunk (its number
// minus the chunk's first): a chunk's files do not depend on where the
// chunk falls in the corpus, so chunks signed apart (the shards of a
// distributed audit, tasks.h) join by renaming.
//   chunk-C.done     the marker, written last: first, docs, bad, bytes
//
// A bad document (unreadable, no text) keeps its number and id but has no
// sketch, band or digest entries.

#ifndef NEARDUP_SERVICE_AUDIT_SIGNED_H_
#define NEARDUP_SERVICE_AUDIT_SIGNED_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "service/audit/files.h"
#include "service/common/executor.h"
#include "service/sketch/fingerprint.h"
#include "service/sketch/lsh.h"

namespace neardup::audit {

inline constexpr uint8_t kBadDocument = 1;

#pragma pack(push, 1)
struct DocRecord {
  uint64_t offset = 0;  // where in its source (corpus::Document::offset)
  uint64_t line = 0;    // line or record number in its source, from 1
  uint64_t id_offset = 0;
  uint64_t sketch_offset = 0;
  uint64_t content_bytes = 0;
  uint64_t digest_low = 0;
  uint64_t digest_high = 0;
  uint32_t source = 0;  // index of its source in the corpus reader
  uint32_t id_bytes = 0;
  uint32_t tokens = 0;    // after repeats are collapsed
  uint32_t shingles = 0;  // size of the shingle set
  uint16_t bottom_k = 0;  // entries of the bottom-k sketch
  uint8_t flags = 0;      // kBadDocument
  uint8_t reserved = 0;
  uint64_t simhash = 0;
  double repeated_fraction = 0;  // engine::PreparedText's stats
};
struct BandEntry {
  uint64_t key;
  uint32_t doc;  // within the chunk
};
struct DigestEntry {
  uint64_t low;
  uint64_t high;
  uint32_t doc;  // within the chunk
};
#pragma pack(pop)

// A document as a signer (the local sign stage, or the export of a
// stored collection) hands it to WriteChunk.
struct SignedDocument {
  std::string id;
  uint32_t source = 0;
  uint64_t offset = 0;
  uint64_t line = 0;
  uint64_t content_bytes = 0;
  bool bad = false;
  sketch::Fingerprint fp;             // unless bad
  double repeated_fraction = 0;       // unless bad
  std::vector<uint64_t> shingle_set;  // with exact verification
};

// Writes chunk `index` of `dir`, whose first document is number `first`,
// and then its marker, which also records `bad_problems` (messages of the
// first bad documents). Sorts the band runs on `executor`.
absl::Status WriteChunk(const std::string& dir, uint32_t index, uint64_t first,
                        absl::Span<const SignedDocument> docs,
                        const std::vector<std::string>& bad_problems,
                        sketch::LshParams lsh, bool with_shingles,
                        Executor* executor);

// The path of chunk `index`'s file with `suffix` ("docs", "done", ...).
std::string ChunkPath(const std::string& dir, uint32_t index,
                      const std::string& suffix);

// How many chunks of `dir` are complete (have markers), counting from 0.
absl::StatusOr<uint32_t> CompleteChunks(const std::string& dir);

// A sketch read back.
struct Sketch {
  std::vector<uint32_t> minhash;
  std::vector<uint32_t> bottom_k;
  std::vector<uint64_t> shingle_set;  // with exact verification
};

// The complete chunks of a signed corpus, open for reading. Thread-safe
// for reads.
class SignedCorpus {
 public:
  struct Chunk {
    uint64_t first = 0;  // first document number
    uint64_t docs = 0;
    uint64_t good = 0;  // docs - bad: entries per band run
    RandomAccessFile docs_file, ids_file, sketch_file, bands_file, digests_file;
  };

  // Opens the chunks of `dir` written with `num_perm` and `lsh`.
  static absl::StatusOr<std::unique_ptr<SignedCorpus>> Open(
      const std::string& dir, uint32_t num_perm, sketch::LshParams lsh,
      bool with_shingles);

  uint64_t documents() const { return documents_; }
  const std::vector<Chunk>& chunks() const { return chunks_; }
  uint32_t num_perm() const { return num_perm_; }
  sketch::LshParams lsh() const { return lsh_; }

  // Returns the record of document `doc`.
  absl::StatusOr<DocRecord> Doc(uint64_t doc) const;
  absl::StatusOr<std::string> Id(uint64_t doc, const DocRecord& rec) const;
  absl::Status ReadSketch(uint64_t doc, const DocRecord& rec,
                          Sketch* out) const;

 private:
  SignedCorpus() = default;
  const Chunk& ChunkOf(uint64_t doc) const;

  std::vector<Chunk> chunks_;
  uint64_t documents_ = 0;
  uint32_t num_perm_ = 0;
  sketch::LshParams lsh_;
  bool with_shingles_ = false;
};

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_SIGNED_H_
