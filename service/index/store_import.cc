// Store::BeginImport and BulkImport: documents written into sorted table
// files and ingested in one step.
//
// While documents arrive, their records (and stored texts) go straight
// into table files (document numbers ascend), their ids into memory, and
// their postings, one (bucket, document) entry per band, SimHash table
// and digest, into a spill file per band or table (passage keys: per
// range of fingerprints). Commit sorts the ids and each spill file,
// writes one posting list per bucket (the value a list of adds would have
// merged into) into a table file per band or table, the ids file and the
// collection's counter, and ingests all the files into their families
// with one IngestExternalFiles call: RocksDB records them in one manifest
// write, so the import is all or nothing. The collection's write lock is held
// across the ingestion, and the collection's version must not have moved
// since the import began (no write, no drop).
//
// The lists are Puts, not merge operands: a collection that held
// documents once may still have lists (of deleted documents) under the
// same buckets, and the newer Put replaces them.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rocksdb/sst_file_writer.h"
#include "service/common/crash_hook.h"
#include "service/common/logging.h"
#include "service/common/status_macros.h"
#include "service/index/keys.h"
#include "service/index/postings.h"
#include "service/index/rocksdb_status.h"
#include "service/index/store_impl.h"
#include "service/index/validate.h"
#include "xxhash.h"

namespace neardup::index {
namespace {

// For the crash test (tests/crash_test.cc): NEARDUP_IMPORT_CRASH_AT=
// "add:N" kills the process after the Nth document of an import,
// "written" once its files are written, "ingested" right after RocksDB
// ingested them.
const CrashHook& ImportCrash() {
  static const CrashHook* const hook = new CrashHook("NEARDUP_IMPORT_CRASH_AT");
  return *hook;
}

// Entries of the spill files: a bucket and a document, in the bucket's
// key order. An LSH band's or a SimHash table's bucket is 8 bytes, a
// digest's 16 (high, then low: keys::DigestBucket).
struct Entry8 {
  uint64_t bucket;
  uint64_t doc;
  bool operator<(const Entry8& o) const {
    return bucket != o.bucket ? bucket < o.bucket : doc < o.doc;
  }
};
struct Entry16 {
  uint64_t high, low;
  uint64_t doc;
  bool operator<(const Entry16& o) const {
    if (high != o.high) return high < o.high;
    return low != o.low ? low < o.low : doc < o.doc;
  }
};

absl::Status IoError(const std::string& what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// A file of fixed-size entries, appended through a buffer and read back
// whole. Errors are kept until Close.
class SpillFile {
 public:
  explicit SpillFile(std::string path) : path_(std::move(path)) {}
  ~SpillFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  absl::Status Open() {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) return IoError("cannot create", path_);
    std::setvbuf(file_, nullptr, _IONBF, 0);  // buffered here
    return absl::OkStatus();
  }
  template <typename T>
  void Append(const T& entry) {
    static_assert(std::is_trivially_copyable_v<T>);
    const size_t at = buffer_.size();
    buffer_.resize(at + sizeof(T));
    std::memcpy(&buffer_[at], &entry, sizeof(T));
    if (buffer_.size() >= kBufferBytes) Drain();
  }
  absl::Status Close() {
    Drain();
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (failed_ || !closed) return IoError("cannot write", path_);
    return absl::OkStatus();
  }
  // Reads the closed file back; removes it.
  template <typename T>
  absl::StatusOr<std::vector<T>> ReadAll() const {
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(path_, ec);
    if (ec) return IoError("cannot stat", path_);
    std::vector<T> out(size / sizeof(T));
    std::FILE* f = std::fopen(path_.c_str(), "rb");
    if (f == nullptr) return IoError("cannot open", path_);
    const size_t got = std::fread(out.data(), sizeof(T), out.size(), f);
    std::fclose(f);
    if (got != out.size()) return IoError("cannot read", path_);
    std::filesystem::remove(path_, ec);
    return out;
  }

 private:
  static constexpr size_t kBufferBytes = 1 << 18;
  void Drain() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(),
                                        file_) != buffer_.size()) {
      failed_ = true;
    }
    buffer_.clear();
  }

  const std::string path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  bool failed_ = false;
};

// The family's options, writing tables without compression: the
// import's keys are hashes and sketches, which LZ4 barely shrinks
// (compactions compress them later as the family says), and compressing
// cost CPU the commit waits for.
rocksdb::Options Uncompressed(rocksdb::Options options) {
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kDisableCompressionOption;
  return options;
}

// A table file of one family being written in key order.
class TableFile {
 public:
  // `compressed`: as the family compresses (stored texts); otherwise not.
  TableFile(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string path,
            bool compressed = false)
      : writer_(
            rocksdb::EnvOptions(),
            compressed ? db->GetOptions(cf) : Uncompressed(db->GetOptions(cf)),
            cf, /*invalidate_page_cache=*/false),
        cf_(cf),
        path_(std::move(path)) {}

  absl::Status Open() {
    return FromRocksDbStatus(writer_.Open(path_), "create import file");
  }
  absl::Status Put(std::string_view key, std::string_view value) {
    ++entries_;
    return FromRocksDbStatus(writer_.Put(ToSlice(key), ToSlice(value)),
                             "write import file");
  }
  // Finishes the file; false if it holds nothing (and was not written).
  absl::StatusOr<bool> Finish(uint64_t* bytes) {
    if (entries_ == 0) return false;
    rocksdb::ExternalSstFileInfo info;
    NEARDUP_RETURN_IF_ERROR(
        FromRocksDbStatus(writer_.Finish(&info), "finish import file"));
    *bytes += info.file_size;
    return true;
  }
  rocksdb::ColumnFamilyHandle* cf() const { return cf_; }
  const std::string& path() const { return path_; }

 private:
  rocksdb::SstFileWriter writer_;
  rocksdb::ColumnFamilyHandle* const cf_;
  const std::string path_;
  uint64_t entries_ = 0;
};

// A passage fingerprint's key: (fingerprint, document), in key order.
struct PassageEntry {
  uint64_t fingerprint;  // 32 bits; 64 so the struct has no padding
  uint64_t doc;
  bool operator<(const PassageEntry& o) const {
    return fingerprint != o.fingerprint ? fingerprint < o.fingerprint
                                        : doc < o.doc;
  }
};
// Passage entries are spilled into this many files by their
// fingerprint's top bits, sorted one file at a time.
constexpr int kPassageSpillBits = 4;

bool SameBucket(const Entry8& a, const Entry8& b) {
  return a.bucket == b.bucket;
}
bool SameBucket(const Entry16& a, const Entry16& b) {
  return a.high == b.high && a.low == b.low;
}
void AppendBucket(const Entry8& e, std::string* key) {
  keys::PutFixed64BE(key, e.bucket);
}
void AppendBucket(const Entry16& e, std::string* key) {
  keys::PutFixed64BE(key, e.high);
  keys::PutFixed64BE(key, e.low);
}

uint64_t TopBits(const Entry8& e) { return e.bucket; }
uint64_t TopBits(const Entry16& e) { return e.high; }

// Sorts entries whose buckets are hashes (uniform): one counting pass on
// the top 16 bits, then each small group on its own (with the 2-thread
// commit, 1M documents imported in a median 8.2 s instead of 9.0 s).
template <typename E>
std::vector<E> SortEntries(std::vector<E> entries) {
  constexpr int kShift = 48;
  std::vector<uint32_t> start((1 << 16) + 1, 0);
  for (const E& e : entries) ++start[(TopBits(e) >> kShift) + 1];
  for (size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
  std::vector<E> sorted(entries.size());
  std::vector<uint32_t> next(start.begin(), start.end() - 1);
  for (const E& e : entries) sorted[next[TopBits(e) >> kShift]++] = e;
  entries = std::vector<E>();  // at most two copies at a time
  for (size_t g = 0; g + 1 < start.size(); ++g) {
    if (start[g + 1] - start[g] > 1) {
      std::sort(sorted.begin() + start[g], sorted.begin() + start[g + 1]);
    }
  }
  return sorted;
}

// Sorts one tag's entries and writes its posting lists: one Put per
// bucket under `prefix` (collection and tag), the documents ascending.
template <typename E>
absl::Status WriteLists(std::vector<E> unsorted, const std::string& prefix,
                        TableFile* out) {
  const std::vector<E> entries = SortEntries(std::move(unsorted));
  std::vector<uint64_t> docs;
  std::string key;
  for (size_t i = 0; i < entries.size();) {
    docs.clear();
    size_t j = i;
    for (; j < entries.size() && SameBucket(entries[i], entries[j]); ++j) {
      docs.push_back(entries[j].doc);
    }
    key = prefix;
    AppendBucket(entries[i], &key);
    NEARDUP_RETURN_IF_ERROR(out->Put(key, postings::Encode(docs)));
    i = j;
  }
  return absl::OkStatus();
}

// Where the import of collection `coll` keeps its files.
std::string ImportDir(const std::string& db_path, uint32_t coll) {
  return absl::StrCat(db_path, "/import/", coll);
}

}  // namespace

class Store::ImportImpl final : public BulkImport {
 public:
  ImportImpl(Store::Impl* m, std::shared_ptr<CollectionState> c,
             uint64_t version, uint64_t first_docnum)
      : m_(*m),
        c_(std::move(c)),
        begin_version_(version),
        first_docnum_(first_docnum),
        dir_(ImportDir(m->options.path, c_->id())),
        digests_(dir_ + "/digest.spill") {}

  ~ImportImpl() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    absl::MutexLock lock(&c_->mu);
    c_->importing = false;
  }

  absl::Status Start() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot create import directory: ", ec.message()));
    }
    docs_ = std::make_unique<TableFile>(m_.db.get(), m_.cf(kDocs),
                                        dir_ + "/docs.sst");
    NEARDUP_RETURN_IF_ERROR(docs_->Open());
    if (c_->record.passages()) {
      passage_docs_ = std::make_unique<TableFile>(
          m_.db.get(), m_.cf(kPassageDocs), dir_ + "/passage_docs.sst",
          /*compressed=*/true);
      NEARDUP_RETURN_IF_ERROR(passage_docs_->Open());
      for (int i = 0; i < (1 << kPassageSpillBits); ++i) {
        passage_spills_.push_back(std::make_unique<SpillFile>(
            absl::StrCat(dir_, "/passages-", i, ".spill")));
        NEARDUP_RETURN_IF_ERROR(passage_spills_.back()->Open());
      }
    }
    return digests_.Open();
  }

  absl::StatusOr<bool> Add(const PreparedDocument& doc) override {
    if (committed_) return absl::FailedPreconditionError("import committed");
    NEARDUP_RETURN_IF_ERROR(broken_);
    NEARDUP_RETURN_IF_ERROR(ValidateDocumentId(doc.id));
    NEARDUP_RETURN_IF_ERROR(ValidateMetadata(doc.metadata));
    const uint32_t num_perm = c_->record.num_perm();
    if (doc.collection_id != c_->id() || doc.fp.minhash.size() != num_perm ||
        doc.fp.bottom_k.size() > num_perm ||
        doc.keys.bands.size() != c_->lsh.bands) {
      return absl::InvalidArgumentError(absl::StrCat(
          "document ", AbslView(doc.id),
          " was not fingerprinted for collection ", c_->record.name(), " (",
          num_perm, " MinHash values expected, got ", doc.fp.minhash.size(),
          ")"));
    }
    if (doc.passages.has_value() != c_->record.passages()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "document ", AbslView(doc.id),
          c_->record.passages()
              ? " comes without its text and passage fingerprints, which "
                "collection "
              : " comes with a text and passage fingerprints, which "
                "collection ",
          c_->record.name(),
          c_->record.passages() ? " keeps" : " does not keep"));
    }
    if (doc.passages.has_value()) {
      const std::vector<uint32_t>& f = doc.passages->fingerprints;
      if (std::adjacent_find(f.begin(), f.end(),
                             std::greater_equal<uint32_t>()) != f.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("the passage fingerprints of document ",
                         AbslView(doc.id), " are not distinct and ascending"));
      }
    }
    XXH128_hash_t h = XXH3_128bits(doc.id.data(), doc.id.size());
    if (id_hashes_.contains({h.high64, h.low64})) {
      ++duplicate_ids_;
      return false;
    }
    // Past the checks, a failure (of a file) leaves the import half
    // written: it is broken, and Commit refuses it.
    broken_ = Write(doc);
    NEARDUP_RETURN_IF_ERROR(broken_);
    id_hashes_.insert({h.high64, h.low64});
    ++documents_;
    ImportCrash().At("add", documents_);
    return true;
  }

  uint64_t documents() const override { return documents_; }

  absl::StatusOr<ImportResult> Commit(
      const std::function<bool()>& cancelled) override {
    if (committed_) return absl::FailedPreconditionError("import committed");
    committed_ = true;
    NEARDUP_RETURN_IF_ERROR(broken_);
    ImportResult result;
    result.documents = documents_;
    result.duplicate_ids = duplicate_ids_;
    const absl::Time start = absl::Now();
    std::vector<std::unique_ptr<TableFile>> files;
    NEARDUP_RETURN_IF_ERROR(WriteFiles(&files, &result.file_bytes));
    result.write_time = absl::Now() - start;
    ImportCrash().At("written");

    const absl::Time ingest_start = absl::Now();
    absl::MutexLock lock(&c_->mu);
    if (c_->dropped || c_->version != begin_version_) {
      return absl::AbortedError(
          absl::StrCat("collection ", c_->record.name(),
                       c_->dropped ? " was dropped" : " was written",
                       " during the import; nothing was imported"));
    }
    if (cancelled && cancelled()) {
      return absl::CancelledError(
          "import cancelled by the client; nothing was imported");
    }
    if (!files.empty()) {
      // One argument per family, with its files (which do not overlap).
      std::vector<rocksdb::IngestExternalFileArg> args;
      for (const auto& f : files) {
        if (args.empty() || args.back().column_family != f->cf()) {
          rocksdb::IngestExternalFileArg& arg = args.emplace_back();
          arg.column_family = f->cf();
          arg.options.move_files = true;
          arg.options.snapshot_consistency = true;
          arg.options.allow_global_seqno = true;
          arg.options.allow_blocking_flush = true;
          // The sequence number goes in the manifest only: the files,
          // hard-linked into the database, are not rewritten.
          arg.options.write_global_seqno = false;
        }
        args.back().external_files.push_back(f->path());
      }
      NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
          m_.db->IngestExternalFiles(args), "ingest import files"));
      ImportCrash().At("ingested");
      c_->next_docnum = first_docnum_ + documents_;
      c_->document_count.store(documents_, std::memory_order_relaxed);
      // Readers that searched before this version search again.
      ++c_->version;
      c_->last_removal_version = c_->version;
      c_->recent.clear();
    }
    result.ingest_time = absl::Now() - ingest_start;
    return result;
  }

 private:
  // Writes the next document's record and index entries.
  absl::Status Write(const PreparedDocument& doc) {
    const uint64_t docnum = first_docnum_ + documents_;
    NEARDUP_RETURN_IF_ERROR(
        docs_->Put(keys::DocKey(c_->id(), docnum),
                   RecordOf(doc, absl::Now()).SerializeAsString()));
    ids_.push_back({id_arena_.size(), static_cast<uint32_t>(doc.id.size())});
    id_arena_.append(doc.id);
    for (size_t b = 0; b < doc.keys.bands.size(); ++b) {
      NEARDUP_ASSIGN_OR_RETURN(SpillFile * f, Spill(b));
      f->Append(Entry8{doc.keys.bands[b], docnum});
    }
    for (const sketch::SimHashKey& k : doc.keys.simhash) {
      NEARDUP_ASSIGN_OR_RETURN(SpillFile * f, Spill(c_->lsh.bands + k.table));
      f->Append(Entry8{k.bits, docnum});
    }
    digests_.Append(Entry16{doc.keys.digest.high, doc.keys.digest.low, docnum});
    if (doc.passages.has_value()) {
      NEARDUP_RETURN_IF_ERROR(
          passage_docs_->Put(keys::DocKey(c_->id(), docnum),
                             PassageRecordOf(doc).SerializeAsString()));
      for (uint32_t f : doc.passages->fingerprints) {
        passage_spills_[f >> (32 - kPassageSpillBits)]->Append(
            PassageEntry{f, docnum});
      }
    }
    return absl::OkStatus();
  }

  // The spill file of postings slot `slot` (a band, then the SimHash
  // tables after the bands), opened at first use.
  absl::StatusOr<SpillFile*> Spill(size_t slot) {
    if (slot >= spills_.size()) spills_.resize(slot + 1);
    if (spills_[slot] == nullptr) {
      spills_[slot] = std::make_unique<SpillFile>(
          absl::StrCat(dir_, "/postings-", slot, ".spill"));
      NEARDUP_RETURN_IF_ERROR(spills_[slot]->Open());
    }
    return spills_[slot].get();
  }

  // Writes the files to ingest (those that hold something) into `files`,
  // a family's files next to each other: docs, stored texts and passage
  // keys, postings (a file per tag, written on two threads), ids and the
  // counter.
  absl::Status WriteFiles(std::vector<std::unique_ptr<TableFile>>* files,
                          uint64_t* bytes) {
    NEARDUP_ASSIGN_OR_RETURN(bool has_docs, docs_->Finish(bytes));
    if (!has_docs) return absl::OkStatus();  // nothing to ingest
    files->push_back(std::move(docs_));
    if (passage_docs_ != nullptr) {
      NEARDUP_ASSIGN_OR_RETURN(bool any, passage_docs_->Finish(bytes));
      if (any) files->push_back(std::move(passage_docs_));
      NEARDUP_RETURN_IF_ERROR(WritePassages(files, bytes));
    }
    for (auto& s : spills_) {
      if (s != nullptr) NEARDUP_RETURN_IF_ERROR(s->Close());
    }
    NEARDUP_RETURN_IF_ERROR(digests_.Close());

    // A file per band, SimHash table and for the digests (tag order),
    // so that each file's filter is built for a tenth of the entries (a
    // table builder holds 8 bytes per key until it finishes: one file of
    // all postings held 1.3 GB at ten million documents). Two threads:
    // the first half of the slots and then the ids, the rest and the
    // digests.
    const size_t half = (spills_.size() + 1) / 2;
    auto ids = std::make_unique<TableFile>(m_.db.get(), m_.cf(kIds),
                                           dir_ + "/ids.sst");
    NEARDUP_RETURN_IF_ERROR(ids->Open());
    std::vector<std::unique_ptr<TableFile>> files_a, files_b;
    uint64_t bytes_a = 0, bytes_b = 0;
    absl::Status status_a;
    std::thread first_half([&] {
      status_a = WritePostings(0, half, false, &files_a, &bytes_a);
      if (status_a.ok()) status_a = WriteIds(ids.get());
    });
    absl::Status status_b =
        WritePostings(half, spills_.size(), true, &files_b, &bytes_b);
    first_half.join();
    NEARDUP_RETURN_IF_ERROR(status_a);
    NEARDUP_RETURN_IF_ERROR(status_b);
    *bytes += bytes_a + bytes_b;
    for (auto* part : {&files_a, &files_b}) {
      for (auto& f : *part) files->push_back(std::move(f));
    }
    NEARDUP_ASSIGN_OR_RETURN(bool has_ids, ids->Finish(bytes));
    if (has_ids) files->push_back(std::move(ids));

    auto counter = std::make_unique<TableFile>(m_.db.get(), m_.cf(kDefault),
                                               dir_ + "/counter.sst");
    NEARDUP_RETURN_IF_ERROR(counter->Open());
    NEARDUP_RETURN_IF_ERROR(
        counter->Put(keys::CounterKey(c_->id()),
                     EncodeCounter(first_docnum_ + documents_, documents_)));
    NEARDUP_ASSIGN_OR_RETURN(bool has_counter, counter->Finish(bytes));
    if (has_counter) files->push_back(std::move(counter));
    return absl::OkStatus();
  }

  // The lists of slots [begin, end), then those of the digests if
  // `digests`: a finished file each, appended to `out`.
  absl::Status WritePostings(size_t begin, size_t end, bool digests,
                             std::vector<std::unique_ptr<TableFile>>* out,
                             uint64_t* bytes) {
    auto write = [&](auto entries, uint32_t tag) -> absl::Status {
      auto file = std::make_unique<TableFile>(
          m_.db.get(), m_.cf(kPostings),
          absl::StrCat(dir_, "/postings-", tag, ".sst"));
      NEARDUP_RETURN_IF_ERROR(file->Open());
      NEARDUP_RETURN_IF_ERROR(WriteLists(
          std::move(entries), keys::BucketPrefix(c_->id(), tag), file.get()));
      NEARDUP_ASSIGN_OR_RETURN(bool any, file->Finish(bytes));
      if (any) out->push_back(std::move(file));
      return absl::OkStatus();
    };
    const uint32_t bands = c_->lsh.bands;
    for (size_t slot = begin; slot < end; ++slot) {
      if (spills_[slot] == nullptr) continue;
      NEARDUP_ASSIGN_OR_RETURN(std::vector<Entry8> entries,
                               spills_[slot]->ReadAll<Entry8>());
      const uint32_t tag =
          slot < bands
              ? static_cast<uint32_t>(slot)
              : keys::kSimHashTag + static_cast<uint32_t>(slot - bands);
      NEARDUP_RETURN_IF_ERROR(write(std::move(entries), tag));
    }
    if (!digests) return absl::OkStatus();
    NEARDUP_ASSIGN_OR_RETURN(std::vector<Entry16> entries,
                             digests_.ReadAll<Entry16>());
    return write(std::move(entries), keys::kDigestTag);
  }

  // The passage keys, a file per spill file (a range of fingerprints),
  // finished and appended to `out`.
  absl::Status WritePassages(std::vector<std::unique_ptr<TableFile>>* out,
                             uint64_t* bytes) {
    for (size_t i = 0; i < passage_spills_.size(); ++i) {
      NEARDUP_RETURN_IF_ERROR(passage_spills_[i]->Close());
      NEARDUP_ASSIGN_OR_RETURN(std::vector<PassageEntry> entries,
                               passage_spills_[i]->ReadAll<PassageEntry>());
      std::sort(entries.begin(), entries.end());
      auto file = std::make_unique<TableFile>(
          m_.db.get(), m_.cf(kPassages),
          absl::StrCat(dir_, "/passages-", i, ".sst"));
      NEARDUP_RETURN_IF_ERROR(file->Open());
      for (const PassageEntry& e : entries) {
        NEARDUP_RETURN_IF_ERROR(file->Put(
            keys::PassageKey(c_->id(), static_cast<uint32_t>(e.fingerprint),
                             e.doc),
            ""));
      }
      NEARDUP_ASSIGN_OR_RETURN(bool any, file->Finish(bytes));
      if (any) out->push_back(std::move(file));
    }
    return absl::OkStatus();
  }

  absl::Status WriteIds(TableFile* out) {
    std::vector<uint32_t> order(ids_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    auto id_of = [this](uint32_t i) {
      return std::string_view(id_arena_).substr(ids_[i].offset, ids_[i].size);
    };
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return id_of(a) < id_of(b); });
    for (uint32_t i : order) {
      NEARDUP_RETURN_IF_ERROR(out->Put(keys::IdKey(c_->id(), id_of(i)),
                                       EncodeDocnum(first_docnum_ + i)));
    }
    return absl::OkStatus();
  }

  struct IdRef {
    uint64_t offset;
    uint32_t size;
  };

  Store::Impl& m_;
  const std::shared_ptr<CollectionState> c_;
  const uint64_t begin_version_;
  const uint64_t first_docnum_;
  const std::string dir_;
  std::unique_ptr<TableFile> docs_;
  std::vector<std::unique_ptr<SpillFile>> spills_;
  SpillFile digests_;
  // Collections with passages: the stored texts, and the passage keys
  // by the top bits of their fingerprint.
  std::unique_ptr<TableFile> passage_docs_;
  std::vector<std::unique_ptr<SpillFile>> passage_spills_;
  absl::flat_hash_set<std::pair<uint64_t, uint64_t>> id_hashes_;
  std::string id_arena_;
  std::vector<IdRef> ids_;  // by document, from first_docnum_
  uint64_t documents_ = 0;
  uint64_t duplicate_ids_ = 0;
  bool committed_ = false;
  absl::Status broken_;  // the first failure past the checks
};

absl::StatusOr<std::unique_ptr<BulkImport>> Store::BeginImport(
    std::string_view collection) {
  NEARDUP_ASSIGN_OR_RETURN(std::shared_ptr<CollectionState> c,
                           impl_->Find(collection));
  if (!impl_->options.allow_import) {
    return absl::FailedPreconditionError(
        "bulk import is not replicated (its table files bypass the "
        "write-ahead log replicas read): import into a single neardupd, "
        "then start the replicas from it, or add the documents");
  }
  if (impl_->options.before_write) {
    NEARDUP_RETURN_IF_ERROR(impl_->options.before_write());
  }
  uint64_t version = 0, first = 0;
  {
    absl::MutexLock lock(&c->mu);
    const uint64_t count = c->document_count.load(std::memory_order_relaxed);
    if (count > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("collection ", c->record.name(), " holds ", count,
                       " documents; bulk import loads only into a new or empty "
                       "collection"));
    }
    if (c->dropped) {
      return absl::NotFoundError(
          absl::StrCat("collection not found: ", c->record.name()));
    }
    if (c->importing) {
      return absl::AbortedError(absl::StrCat("collection ", c->record.name(),
                                             " is being imported already"));
    }
    c->importing = true;
    version = c->version;
    first = c->next_docnum;
  }
  auto import = std::make_unique<ImportImpl>(impl_.get(), c, version, first);
  NEARDUP_RETURN_IF_ERROR(import->Start());
  return import;
}

void RemoveAbandonedImports(const std::string& db_path) {
  std::error_code ec;
  std::filesystem::remove_all(db_path + "/import", ec);
}

}  // namespace neardup::index
