#include "service/index/store.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/snapshot.h"
#include "rocksdb/sst_file_manager.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "service/common/check.h"
#include "service/common/logging.h"
#include "service/common/status_macros.h"
#include "service/index/keys.h"
#include "service/index/memtable.h"
#include "service/index/params.h"
#include "service/index/postings.h"
#include "service/index/records.pb.h"
#include "service/index/rocksdb_status.h"
#include "service/index/store_impl.h"
#include "service/index/validate.h"
#include "service/sketch/lsh.h"
#include "service/sketch/simhash.h"

namespace neardup::index {
namespace {

// Largest collection id handed out; keeps CollectionEnd from wrapping.
constexpr uint32_t kMaxCollectionId = 0xFFFFFFF0u;

// Set by CheckAndAddBatch on its thread: Write records its sequence
// number here instead of calling Options::after_write, which the batch
// calls once at its end.
struct DeferredAfterWrite {
  uint64_t sequence = 0;  // 0: nothing written
  bool ack_replica = false;
};
thread_local DeferredAfterWrite* deferred_after_write = nullptr;

// Most candidates verified per query. A collection holding thousands of
// near-identical documents answers with some of them (exact digests
// first), at bounded cost.
constexpr size_t kMaxCandidates = 4096;

// Returns DATA_LOSS unless `rec` describes a collection this code can serve
// (a corrupt record must not crash the server later).
absl::Status CheckCollectionRecord(const CollectionRecord& rec) {
  const bool ok =
      CheckParam(kNumPermParam, rec.num_perm()).ok() && rec.bands() >= 1 &&
      rec.rows() >= 1 && uint64_t{rec.bands()} * rec.rows() <= rec.num_perm() &&
      CheckParam(kWordShingleParam, rec.word_shingle_size()).ok() &&
      CheckParam(kCharShingleParam, rec.char_shingle_size()).ok() &&
      CheckThreshold(rec.threshold()).ok() &&
      CheckParam(kSimHashDistanceParam, rec.simhash_distance()).ok() &&
      // 0: written before the boilerplate rule existed.
      (rec.passage_max_docs() == 0 ||
       CheckParam(kPassageMaxDocsParam, rec.passage_max_docs()).ok());
  if (ok) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("corrupt collection record: ", rec.ShortDebugString()));
}

absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }

CollectionInfo InfoOf(const CollectionState& c) {
  CollectionInfo info;
  info.name = c.record.name();
  info.params = {c.record.threshold(),
                 c.record.num_perm(),
                 c.record.word_shingle_size(),
                 c.record.char_shingle_size(),
                 c.record.fold_traditional(),
                 c.record.simhash_distance(),
                 c.record.sync(),
                 c.record.passages(),
                 PassageMaxDocs(c.record),
                 c.record.collapse_repeats(),
                 c.record.ack_replica()};
  info.lsh = c.lsh;
  info.document_count = c.document_count.load(std::memory_order_relaxed);
  info.create_time = FromMicros(c.record.create_time_micros());
  info.fingerprint_version = c.record.fingerprint_version();
  info.id = c.id();
  info.shingle_seed = c.record.shingle_seed();
  info.minhash_seed = c.record.minhash_seed();
  return info;
}

// The Jaccard below which a candidate is dropped: a tiny tolerance so that
// e.g. 102/128 is not lost to rounding at a threshold of 0.797.
double Cutoff(double threshold) { return threshold - 1e-9; }

// Orders matches best first (highest Jaccard, then lowest Hamming
// distance, then id) and keeps the first `top_k`.
void RankAndTrim(uint32_t top_k, std::vector<Match>* matches) {
  std::sort(matches->begin(), matches->end(),
            [](const Match& a, const Match& b) {
              if (a.scores.jaccard != b.scores.jaccard) {
                return a.scores.jaccard > b.scores.jaccard;
              }
              if (a.scores.hamming_distance != b.scores.hamming_distance) {
                return a.scores.hamming_distance < b.scores.hamming_distance;
              }
              return a.id < b.id;
            });
  if (matches->size() > top_k) matches->resize(top_k);
}

}  // namespace

std::vector<std::string> BucketKeys(uint32_t coll, const DocumentKeys& k) {
  std::vector<std::string> out;
  out.reserve(1 + k.bands.size() + k.simhash.size());
  out.push_back(keys::DigestBucket(coll, k.digest));
  for (uint32_t b = 0; b < k.bands.size(); ++b) {
    out.push_back(keys::LshBucket(coll, b, k.bands[b]));
  }
  for (const sketch::SimHashKey& h : k.simhash) {
    out.push_back(keys::SimHashBucket(coll, h.table, h.bits));
  }
  return out;
}

sketch::Fingerprint FingerprintOf(const DocumentRecord& rec) {
  sketch::Fingerprint fp;
  fp.minhash.assign(rec.minhash().begin(), rec.minhash().end());
  fp.bottom_k.assign(rec.bottom_k().begin(), rec.bottom_k().end());
  fp.simhash = rec.simhash();
  fp.digest = {rec.digest_low(), rec.digest_high()};
  fp.shingle_count = rec.shingle_count();
  fp.token_count = rec.token_count();
  return fp;
}

std::vector<std::pair<Cf, std::string>> IndexKeys(
    const CollectionState& c, uint64_t docnum, std::string_view id,
    const DocumentKeys& k, const PassageRecord* passage) {
  const uint32_t coll = c.id();
  std::vector<std::pair<Cf, std::string>> out;
  out.reserve(2 + k.bands.size() + k.simhash.size() +
              (passage ? 1 + passage->fingerprints_size() : 0));
  out.emplace_back(kIds, keys::IdKey(coll, id));
  for (std::string& bucket : BucketKeys(coll, k)) {
    out.emplace_back(kPostings, std::move(bucket));
  }
  if (passage != nullptr) {
    out.emplace_back(kPassageDocs, keys::DocKey(coll, docnum));
    for (uint32_t f : passage->fingerprints()) {
      out.emplace_back(kPassages, keys::PassageKey(coll, f, docnum));
    }
  }
  return out;
}

// DATA_LOSS for the record of `docnum` in `c`, which ParseDocRecord refused.
absl::Status CorruptRecord(const CollectionState& c, uint64_t docnum) {
  return absl::DataLossError(absl::StrCat("corrupt document record ", docnum,
                                          " in collection ", c.record.name()));
}

// Parses a stored record of a document of `c`. False if it is corrupt: it
// does not parse, or its sketches do not have the collection's sizes.
bool ParseDocRecord(const CollectionState& c, rocksdb::Slice bytes,
                    DocumentRecord* rec) {
  const int k = static_cast<int>(c.record.num_perm());
  return rec->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) &&
         rec->minhash_size() == k && rec->bottom_k_size() <= k;
}

std::string EncodeCounter(uint64_t next_docnum, uint64_t count) {
  std::string v;
  keys::PutFixed64BE(&v, next_docnum);
  keys::PutFixed64BE(&v, count);
  return v;
}

std::string EncodeDocnum(uint64_t docnum) {
  std::string v;
  keys::PutFixed64BE(&v, docnum);
  return v;
}

DocumentRecord RecordOf(const PreparedDocument& doc, absl::Time now) {
  DocumentRecord rec;
  rec.set_id(std::string(doc.id));
  rec.mutable_metadata()->insert(doc.metadata.begin(), doc.metadata.end());
  *rec.mutable_minhash() = {doc.fp.minhash.begin(), doc.fp.minhash.end()};
  *rec.mutable_bottom_k() = {doc.fp.bottom_k.begin(), doc.fp.bottom_k.end()};
  rec.set_simhash(doc.fp.simhash);
  rec.set_digest_low(doc.fp.digest.low);
  rec.set_digest_high(doc.fp.digest.high);
  rec.set_shingle_count(doc.fp.shingle_count);
  rec.set_token_count(doc.fp.token_count);
  rec.set_content_bytes(doc.stats.content_bytes);
  rec.set_add_time_micros(absl::ToUnixMicros(now));
  rec.set_fingerprint_version(sketch::kFingerprintVersion);
  rec.set_repeated_fraction(doc.stats.repeated_fraction);
  return rec;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("database path is empty");
  }
  if (options.salvage) {
    // Say loudly whether salvaging drops anything: open once more without
    // it, read-only (changes nothing).
    Options strict = options;
    strict.salvage = false;
    strict.read_only = true;
    absl::StatusOr<std::unique_ptr<Store>> probe = Open(strict);
    if (absl::IsDataLoss(probe.status())) {
      NEARDUP_LOG(kError,
                  absl::StrCat("salvaging: ", probe.status().message(),
                               "; the writes after the damage are dropped"));
    } else if (probe.ok()) {
      NEARDUP_LOG(kInfo,
                  absl::StrCat("--salvage: the write-ahead log of ",
                               options.path, " is whole, nothing is dropped"));
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->write_options.sync = options.sync;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  // RocksDB's default (point-in-time) stops replaying a damaged log at the
  // damage and opens without what followed, saying so only in its own
  // LOG: acknowledged documents would vanish silently. Refuse instead,
  // unless told to salvage. A last record cut short (a crash during the
  // write) is tolerated in both modes: it was never acknowledged.
  db_options.WAL_ttl_seconds = options.wal_ttl_seconds;
  db_options.WAL_size_limit_MB = options.wal_size_limit_mb;
  db_options.wal_recovery_mode =
      options.salvage ? rocksdb::WALRecoveryMode::kPointInTimeRecovery
                      : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.db_write_buffer_size = options.write_buffer_bytes;
  db_options.max_background_jobs = 2;
  // A full disk stops RocksDB's writes; with an SstFileManager RocksDB
  // resumes them by itself once there is room, and StorageHealth sees
  // both (and resumes on the next write, too).
  impl->health =
      std::make_shared<StorageHealth>(options.path, options.min_free_bytes);
  if (!options.read_only) {
    db_options.sst_file_manager.reset(
        rocksdb::NewSstFileManager(rocksdb::Env::Default()));
    db_options.listeners.push_back(impl->health);
  }
  // Required by the hash memtables; writes of a collection are serial
  // anyway.
  db_options.allow_concurrent_memtable_write = false;

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto make_cf = [&](size_t prefix_size) {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    // Filters and indexes live with the open table files, outside the
    // block cache: every probe needs them (at a million documents they
    // are tens of MB), and a cache lookup per probe cost more than the
    // probe.
    table.cache_index_and_filter_blocks = false;
    rocksdb::ColumnFamilyOptions cf;
    if (prefix_size > 0) {
      // Lookups are prefix scans: filter on the prefix, not the whole key,
      // so a probe that finds nothing reads no data block.
      cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(prefix_size));
      table.whole_key_filtering = false;
    }
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf.write_buffer_size = options.write_buffer_bytes / 4;
    // Index keys compress too: big-endian docnums and the zeroed sequence
    // numbers of compacted keys are mostly zero bytes (measured: 1,521 to
    // 1,383 bytes per document).
    cf.compression = rocksdb::kLZ4Compression;
    return cf;
  };
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kNumCfs; ++i) {
    const size_t prefix = i == kPassages ? keys::kPassagePrefixSize : 0;
    rocksdb::ColumnFamilyOptions cf = make_cf(prefix);
    if (i == kPostings) {
      // Point lookups of whole bucket keys; lists edited by merges.
      cf.merge_operator = postings::NewMergeOperator();
      cf.compaction_filter = postings::EmptyListFilter();
    }
    // Stored texts: ZSTD packs them tighter than LZ4 (measured: docs/
    // BENCHMARKS.md, "Passage search"); they are read only for Search's
    // few candidates. A 4 KB block holds about one text, too little for
    // ZSTD to learn a language's words from, so each table file gets a
    // 16 KB dictionary trained on samples of its texts (50,000 documents
    // of words: 4,336 to 3,992 bytes per document in all; memory for
    // training bounded at 4 MB of buffered blocks per file).
    if (i == kPassageDocs) {
      cf.compression = rocksdb::kZSTD;
      cf.compression_opts.max_dict_bytes = 16 << 10;
      cf.compression_opts.zstd_max_train_bytes = 100 * (16 << 10);
      cf.compression_opts.max_dict_buffer_bytes = 4 << 20;
    }
    // Document records are mostly sketches, random bytes LZ4 cannot
    // shrink: it was 4% of the CPU of an ingest (flushes and compactions
    // trying), for nothing stored.
    if (i == kDocs) cf.compression = rocksdb::kNoCompression;
    if (i == kPassages) {
      // About 70 fingerprint keys per 400-word document. A hashed memtable is
      // sorted on the flush thread when flushed, which is the ingest
      // bottleneck with passages on: in smaller memtables the sort is
      // cheaper per key, and with four of them writers do not stop while
      // one is sorted (at 100,000 documents, 64 MB x 2: writes stopped at
      // every flush, 707 documents/s in process, gRPC batches past their
      // deadline; 16 MB x 4: no stops, 1,014/s; a skiplist memtable:
      // 835/s, and 962/s instead of 2,410/s at 20,000; docs/BENCHMARKS.md,
      // "Passage search").
      cf.write_buffer_size = 16 << 20;
      cf.max_write_buffer_number = 4;
    }
    if (i == kPostings || i == kPassages) {
      // Memtables hashed by prefix (postings: by whole key) and sorted
      // only when flushed (memtable.h): an insert is a hash and a push,
      // not a descent through a skiplist of every key, and a probe that
      // finds nothing is one bucket lookup. A bucket per 64 bytes of
      // memtable: about one key each.
      cf.memtable_factory =
          NewPrefixHashMemTableFactory(cf.write_buffer_size / 64);
      // Their keys are hashes, so every flushed file overlaps all of the
      // next level and a leveled L0->L1 compaction rewrites that whole
      // level (12 s of one core for 172 MB near a million documents).
      // Universal compaction merges runs of similar size instead: over a
      // million documents, 10,738 against 9,985 docs/s and a later slowdown
      // of 0.65 instead of 0.55 (docs/BENCHMARKS.md, "Load"), for 1.5% more
      // disk at rest. Probes check a few more runs, each behind its filter.
      cf.compaction_style = rocksdb::kCompactionStyleUniversal;
      // A bulk import ingests a file per band (or fingerprint range),
      // which universal compaction places in L0 as that many sorted runs:
      // they do not overlap, so they are moved down, not rewritten.
      cf.compaction_options_universal.allow_trivial_move = true;
    }
    descriptors.emplace_back(kCfNames[i], std::move(cf));
  }
  // A database from before the postings family: its old index families
  // are opened (RocksDB opens all or none) to be rebuilt and dropped.
  std::vector<std::string> existing;
  size_t legacy = 0;
  if (rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing)
          .ok()) {
    for (const char* name : kLegacyCfNames) {
      if (std::find(existing.begin(), existing.end(), name) != existing.end()) {
        // Read once and dropped: not worth compacting meanwhile.
        rocksdb::ColumnFamilyOptions o;
        o.disable_auto_compactions = true;
        descriptors.emplace_back(name, o);
        ++legacy;
      }
    }
  }

  if (options.read_only && legacy > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database ", options.path,
        " was written by an older neardupd; its index is rebuilt the first "
        "time neardupd serves it, and can be checked after that"));
  }

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors,
                                         &impl->cfs, &raw)
          : rocksdb::DB::Open(db_options, options.path, descriptors, &impl->cfs,
                              &raw);
  impl->db.reset(raw);
  if (!s.ok()) {
    if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
      return absl::FailedPreconditionError(
          absl::StrCat("database ", options.path,
                       " is in use by another process: ", s.ToString()));
    }
    if (s.IsCorruption()) {
      return absl::DataLossError(absl::StrCat(
          "database ", options.path, " is damaged: ", s.ToString(),
          options.salvage
              ? ""
              : "; nothing was changed. neardupd --salvage opens it at the "
                "last consistent point of its write-ahead log and drops the "
                "writes after the damage (acknowledged documents among them "
                "are lost: neardupd --verify --salvage shows what would be "
                "kept); or restore a backup"));
    }
    return FromRocksDbStatus(s, absl::StrCat("open database ", options.path));
  }
  if (options.read_only) {
    NEARDUP_RETURN_IF_ERROR(impl->LoadCollections());
    return std::unique_ptr<Store>(new Store(std::move(impl)));
  }
  RemoveAbandonedImports(options.path);
  NEARDUP_RETURN_IF_ERROR(impl->LoadCollections());
  if (legacy > 0) {
    // The legacy handles stay in `cfs` (destroyed by ~Impl) until they
    // are dropped.
    NEARDUP_RETURN_IF_ERROR(impl->MigrateLegacyIndex());
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

absl::Status Store::Impl::MigrateLegacyIndex() {
  std::vector<std::shared_ptr<CollectionState>> all;
  {
    absl::MutexLock lock(&mu);
    for (const auto& [name, c] : collections) all.push_back(c);
  }
  NEARDUP_LOG(kInfo, absl::StrCat("rebuilding the index of ", all.size(),
                                  " collections as posting lists"));
  uint64_t docs = 0, corrupt = 0;
  for (const auto& c : all) {
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), cf(kDocs)));
    const std::string end = keys::CollectionEnd(c->id());
    for (it->Seek(keys::CollectionPrefix(c->id()));
         it->Valid() && it->key().compare(end) < 0; it->Next()) {
      const uint64_t docnum = keys::TrailingDocnum(
          std::string_view(it->key().data(), it->key().size()));
      DocumentRecord rec;
      if (!ParseDocRecord(*c, it->value(), &rec)) {
        // Not indexed, as before; Verify reports it. Refusing to open
        // would strand the whole database.
        NEARDUP_LOG(kWarning, std::string(CorruptRecord(*c, docnum).message()));
        ++corrupt;
        continue;
      }
      const std::string add = postings::AddOperand(docnum);
      for (const std::string& bucket :
           BucketKeys(c->id(), c->KeysOf(FingerprintOf(rec)))) {
        batch.Merge(cf(kPostings), bucket, add).PermitUncheckedError();
      }
      if (++docs % 1000 == 0) {
        NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
            db->Write(write_options, &batch), "rebuild index"));
        batch.Clear();
      }
    }
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "rebuild index"));
    NEARDUP_RETURN_IF_ERROR(
        FromRocksDbStatus(db->Write(write_options, &batch), "rebuild index"));
  }
  // The lists are durable before the families they replace are dropped; a
  // crash before the drop rebuilds again, adding what is already there.
  NEARDUP_RETURN_IF_ERROR(
      FromRocksDbStatus(db->FlushWAL(/*sync=*/true), "rebuild index"));
  while (cfs.size() > kNumCfs) {
    NEARDUP_RETURN_IF_ERROR(
        FromRocksDbStatus(db->DropColumnFamily(cfs.back()), "drop old index"));
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(
        db->DestroyColumnFamilyHandle(cfs.back()), "drop old index"));
    cfs.pop_back();
  }
  NEARDUP_LOG(kInfo, absl::StrCat("index rebuilt: ", docs, " documents, ",
                                  corrupt, " corrupt records skipped"));
  return absl::OkStatus();
}

absl::Status Store::Impl::LoadCollections() {
  uint32_t next_id = 1;
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), cf(kDefault),
                              ToSlice(keys::kNextCollectionIdKey), &value);
  if (s.ok() && value.size() == 4) {
    next_id = keys::GetFixed32BE(value.data());
  } else if (!s.IsNotFound()) {
    return s.ok() ? absl::DataLossError("bad next_collection_id record")
                  : FromRocksDbStatus(s, "read next_collection_id");
  }
  // The states held now; their write locks are taken without `mu` (the
  // order DropCollection takes them in).
  std::map<std::string, std::shared_ptr<CollectionState>, std::less<>> held;
  {
    absl::MutexLock lock(&mu);
    held = collections;
  }
  std::map<std::string, std::shared_ptr<CollectionState>, std::less<>> loaded;
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(), cf(kCollections)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    CollectionRecord rec;
    if (!rec.ParseFromArray(it->value().data(),
                            static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("corrupt collection record: ", it->key().ToString()));
    }
    NEARDUP_RETURN_IF_ERROR(CheckCollectionRecord(rec));
    std::string counter;
    s = db->Get(rocksdb::ReadOptions(), cf(kDefault),
                keys::CounterKey(rec.id()), &counter);
    if (!s.ok() || counter.size() != 16) {
      return absl::DataLossError(
          absl::StrCat("missing counter of collection ", rec.name()));
    }
    const uint64_t next = keys::GetFixed64BE(counter.data());
    const uint64_t count = keys::GetFixed64BE(counter.data() + 8);
    const std::string name = rec.name();
    auto old = held.find(name);
    if (old != held.end() && old->second->id() == rec.id()) {
      CollectionState& c = *old->second;
      absl::MutexLock write_lock(&c.mu);
      c.next_docnum = next;
      c.document_count.store(count, std::memory_order_relaxed);
      // Written through another store: `recent` no longer tells what
      // changed since a search's version, so searches start again.
      c.recent.clear();
      c.last_removal_version = ++c.version;
      loaded[name] = old->second;
    } else {
      loaded[name] =
          std::make_shared<CollectionState>(std::move(rec), next, count);
    }
  }
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "read collections"));
  for (auto& [name, c] : held) {
    auto now = loaded.find(name);
    if (now != loaded.end() && now->second == c) continue;
    absl::MutexLock write_lock(&c->mu);
    c->dropped = true;
  }
  absl::MutexLock lock(&mu);
  collections = std::move(loaded);
  next_collection_id = next_id;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<CollectionState>> Store::Impl::Find(
    std::string_view name) const {
  NEARDUP_RETURN_IF_ERROR(ValidateCollectionName(name));
  absl::MutexLock lock(&mu);
  auto it = collections.find(name);
  if (it == collections.end()) {
    return absl::NotFoundError(
        absl::StrCat("collection not found: ", AbslView(name)));
  }
  if (it->second->record.fingerprint_version() != sketch::kFingerprintVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "collection ", AbslView(name), " holds fingerprint version ",
        it->second->record.fingerprint_version(), "; this server computes ",
        sketch::kFingerprintVersion, ": re-ingest into a new collection"));
  }
  return it->second;
}

absl::StatusOr<std::shared_ptr<CollectionState>> Store::Impl::FindFor(
    std::string_view name, const PreparedDocument& doc) const {
  NEARDUP_ASSIGN_OR_RETURN(std::shared_ptr<CollectionState> c, Find(name));
  if (c->id() != doc.collection_id) {
    // Prepared for a collection of this name that was dropped since.
    return absl::NotFoundError(
        absl::StrCat("collection not found: ", AbslView(name)));
  }
  return c;
}

absl::StatusOr<std::vector<Match>> Store::Impl::FindMatches(
    const CollectionState& c, const PreparedDocument& q, double threshold,
    uint32_t top_k, const rocksdb::Snapshot* snapshot) const {
  // One snapshot for every read of the query: a concurrent upsert or
  // delete is either wholly seen or not at all.
  std::optional<rocksdb::ManagedSnapshot> own;
  if (snapshot == nullptr) snapshot = own.emplace(db.get()).snapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  // One lookup of every bucket the query falls in; the digest's first, so
  // the cap never hides an exact copy.
  const std::vector<std::string> buckets = BucketKeys(c.id(), q.keys);
  std::vector<rocksdb::Slice> bucket_keys(buckets.begin(), buckets.end());
  std::vector<rocksdb::PinnableSlice> lists(buckets.size());
  std::vector<rocksdb::Status> found(buckets.size());
  db->MultiGet(ro, cf(kPostings), buckets.size(), bucket_keys.data(),
               lists.data(), found.data());
  std::vector<uint64_t> candidates;
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (found[i].IsNotFound()) continue;
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(found[i], "read index"));
    if (!postings::Decode(std::string_view(lists[i].data(), lists[i].size()),
                          &candidates)) {
      return absl::DataLossError(
          absl::StrCat("corrupt posting list in collection ", c.record.name()));
    }
    if (candidates.size() >= kMaxCandidates) {
      candidates.resize(kMaxCandidates);
      break;
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()),
                   candidates.end());

  std::vector<std::string> doc_keys;
  doc_keys.reserve(candidates.size());
  for (uint64_t d : candidates) doc_keys.push_back(keys::DocKey(c.id(), d));
  std::vector<rocksdb::Slice> slices(doc_keys.begin(), doc_keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(slices.size(), cf(kDocs));
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses =
      db->MultiGet(ro, families, slices, &values);

  std::vector<Match> matches;
  const double cutoff = Cutoff(threshold);
  for (size_t i = 0; i < candidates.size(); ++i) {
    // NotFound: deleted since its index key was read. Skip it.
    if (statuses[i].IsNotFound()) continue;
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(statuses[i], "read document"));
    DocumentRecord rec;
    if (!ParseDocRecord(c, values[i], &rec)) {
      return CorruptRecord(c, candidates[i]);
    }
    sketch::Scores scores = sketch::Score(q.fp, FingerprintOf(rec));
    if (scores.jaccard < cutoff) continue;
    Match m;
    m.id = rec.id();
    m.scores = scores;
    m.metadata.insert(rec.metadata().begin(), rec.metadata().end());
    matches.push_back(std::move(m));
  }
  RankAndTrim(top_k, &matches);
  return matches;
}

absl::StatusOr<std::vector<Match>> Store::Impl::CatchUp(
    CollectionState& c, const PreparedDocument& q, double threshold,
    uint32_t top_k, uint64_t seen, std::vector<Match> matches) const {
  if (c.version == seen) return matches;
  const bool only_adds_since = c.last_removal_version <= seen &&
                               !c.recent.empty() &&
                               c.recent.front().version <= seen + 1;
  if (!only_adds_since) return FindMatches(c, q, threshold, top_k);
  // Exactly what a search would find: documents sharing a probed key.
  const double cutoff = Cutoff(threshold);
  // Newest first, down to the first one the snapshot already had: the
  // versions grow along `recent`, which holds thousands of older ones.
  for (auto it = c.recent.rbegin(); it != c.recent.rend(); ++it) {
    const CollectionState::Recent& r = *it;
    if (r.version <= seen) break;
    if (!q.keys.SharesAnyWith(r.keys)) continue;
    sketch::Scores scores = sketch::Score(q.fp, r.fp);
    if (scores.jaccard < cutoff) continue;
    matches.push_back(Match{r.id, scores, r.metadata});
  }
  RankAndTrim(top_k, &matches);
  return matches;
}

absl::StatusOr<std::optional<uint64_t>> Store::Impl::LookupId(
    const CollectionState& c, std::string_view id,
    const rocksdb::ReadOptions& ro) const {
  std::string value;
  rocksdb::Status s = db->Get(ro, cf(kIds), keys::IdKey(c.id(), id), &value);
  if (s.IsNotFound()) return std::optional<uint64_t>();
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(s, "read document id"));
  if (value.size() != 8) return absl::DataLossError("corrupt id record");
  return std::optional<uint64_t>(keys::GetFixed64BE(value.data()));
}

absl::StatusOr<DocumentRecord> Store::Impl::ReadDoc(
    const CollectionState& c, uint64_t docnum,
    const rocksdb::ReadOptions& ro) const {
  std::string value;
  rocksdb::Status s =
      db->Get(ro, cf(kDocs), keys::DocKey(c.id(), docnum), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("document ", docnum,
                                            " of collection ", c.record.name(),
                                            " has no record"));
  }
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(s, "read document"));
  DocumentRecord rec;
  if (!ParseDocRecord(c, value, &rec)) return CorruptRecord(c, docnum);
  return rec;
}

void Store::Impl::PutDocKeys(const CollectionState& c, uint64_t docnum,
                             const DocumentRecord& rec,
                             const DocumentKeys& keys,
                             const PassageRecord* passage,
                             rocksdb::WriteBatch* batch) const {
  batch->Put(cf(kDocs), keys::DocKey(c.id(), docnum), rec.SerializeAsString())
      .PermitUncheckedError();
  const std::string docnum_value = EncodeDocnum(docnum);
  const std::string passage_value =
      passage != nullptr ? passage->SerializeAsString() : "";
  const std::string add = postings::AddOperand(docnum);
  for (const auto& [family, key] :
       IndexKeys(c, docnum, rec.id(), keys, passage)) {
    if (family == kPostings) {
      batch->Merge(cf(family), key, add).PermitUncheckedError();
      continue;
    }
    // The id key maps to the document, the passage key to its passage
    // record; the others are keys alone.
    batch
        ->Put(cf(family), key,
              family == kIds           ? docnum_value
              : family == kPassageDocs ? passage_value
                                       : "")
        .PermitUncheckedError();
  }
}

absl::Status Store::Impl::DeleteDocKeys(const CollectionState& c,
                                        uint64_t docnum,
                                        const DocumentRecord& rec,
                                        rocksdb::WriteBatch* batch) const {
  std::optional<PassageRecord> passage;
  if (c.record.passages()) {
    absl::StatusOr<PassageRecord> found = ReadPassage(c, docnum);
    if (absl::IsNotFound(found.status())) {
      return absl::DataLossError(found.status().message());
    }
    NEARDUP_ASSIGN_OR_RETURN(passage.emplace(), std::move(found));
  }
  // Keys are recomputed from the stored sketches and fingerprints:
  // exactly the keys PutDocKeys wrote.
  batch->Delete(cf(kDocs), keys::DocKey(c.id(), docnum)).PermitUncheckedError();
  const std::string remove = postings::RemoveOperand(docnum);
  for (const auto& [family, key] :
       IndexKeys(c, docnum, rec.id(), c.KeysOf(FingerprintOf(rec)),
                 passage.has_value() ? &*passage : nullptr)) {
    if (family == kPostings) {
      batch->Merge(cf(family), key, remove).PermitUncheckedError();
    } else {
      batch->Delete(cf(family), key).PermitUncheckedError();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PassageRecord> Store::Impl::ReadPassage(
    const CollectionState& c, uint64_t docnum,
    const rocksdb::ReadOptions& ro) const {
  std::string value;
  rocksdb::Status s =
      db->Get(ro, cf(kPassageDocs), keys::DocKey(c.id(), docnum), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("document ", docnum,
                                            " of collection ", c.record.name(),
                                            " has no passage record"));
  }
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(s, "read passage record"));
  PassageRecord rec;
  if (!rec.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("corrupt passage record of document ", docnum,
                     " in collection ", c.record.name()));
  }
  return rec;
}

absl::Status Store::Impl::Write(const rocksdb::WriteOptions& wo,
                                rocksdb::WriteBatch* batch,
                                std::string_view what, bool gated,
                                bool ack_replica) {
  NEARDUP_RETURN_IF_ERROR(health->BeforeWrite(db.get()));
  if (gated && options.before_write) {
    NEARDUP_RETURN_IF_ERROR(options.before_write());
  }
  const rocksdb::Status s = db->Write(wo, batch);
  if (!s.ok()) health->AfterFailedWrite(s);
  NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(s, what));
  if (gated && options.after_write) {
    if (deferred_after_write != nullptr) {
      deferred_after_write->sequence = db->GetLatestSequenceNumber();
      deferred_after_write->ack_replica =
          deferred_after_write->ack_replica || ack_replica;
      return absl::OkStatus();
    }
    return options.after_write(db->GetLatestSequenceNumber(), ack_replica);
  }
  return absl::OkStatus();
}

absl::StatusOr<AddResult> Store::Impl::AddLocked(CollectionState& c,
                                                 const PreparedDocument& doc,
                                                 bool upsert,
                                                 absl::Time deadline) {
  NEARDUP_ASSIGN_OR_RETURN(std::optional<uint64_t> old, LookupId(c, doc.id));
  if (old.has_value() && !upsert) {
    return absl::AlreadyExistsError(
        absl::StrCat("document id exists in collection ", c.record.name(), ": ",
                     AbslView(doc.id)));
  }
  rocksdb::WriteBatch batch;
  uint64_t count = c.document_count.load(std::memory_order_relaxed);
  if (old.has_value()) {
    NEARDUP_ASSIGN_OR_RETURN(DocumentRecord old_rec, ReadDocLocked(c, *old));
    NEARDUP_RETURN_IF_ERROR(DeleteDocKeys(c, *old, old_rec, &batch));
    --count;
  }
  const DocumentRecord rec = RecordOf(doc, absl::Now());
  std::optional<PassageRecord> passage;
  if (c.record.passages()) {
    if (!doc.passages.has_value()) {
      return absl::InternalError(
          "document prepared without passages for a collection with them");
    }
    passage = PassageRecordOf(doc);
  }
  const uint64_t docnum = c.next_docnum;
  PutDocKeys(c, docnum, rec, doc.keys,
             passage.has_value() ? &*passage : nullptr, &batch);
  ++count;
  batch
      .Put(cf(kDefault), keys::CounterKey(c.id()),
           EncodeCounter(docnum + 1, count))
      .PermitUncheckedError();
  // Last moment to give up: after this the client would be told the
  // document was not stored while it was.
  NEARDUP_RETURN_IF_ERROR(
      CheckDeadline(deadline, "the document was written; nothing was stored"));
  NEARDUP_RETURN_IF_ERROR(Write(WriteOptionsFor(c), &batch, "write document",
                                /*gated=*/true, c.record.ack_replica()));
  c.next_docnum = docnum + 1;
  c.document_count.store(count, std::memory_order_relaxed);
  ++c.version;
  if (old.has_value()) {
    c.last_removal_version = c.version;
    c.recent.clear();  // useless until a search after this version
  } else {
    if (c.recent.size() == CollectionState::kRecentCapacity) {
      c.recent.pop_front();
    }
    c.recent.push_back(
        {c.version, std::string(doc.id), doc.metadata, doc.fp, doc.keys});
  }
  return AddResult{old.has_value(), doc.stats};
}

absl::StatusOr<CollectionInfo> Store::CreateCollection(
    std::string_view name, const CollectionParams& params) {
  NEARDUP_RETURN_IF_ERROR(ValidateCollectionName(name));
  NEARDUP_ASSIGN_OR_RETURN(CollectionParams p, ResolveCollectionParams(params));
  const sketch::LshParams lsh =
      sketch::OptimalLshParams(p.threshold, p.num_perm);
  Impl& m = *impl_;
  absl::MutexLock lock(&m.mu);
  if (m.collections.count(name) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("collection exists: ", AbslView(name)));
  }
  if (m.next_collection_id > kMaxCollectionId) {
    return absl::ResourceExhaustedError("collection ids exhausted");
  }
  CollectionRecord rec;
  rec.set_id(m.next_collection_id);
  rec.set_name(std::string(name));
  rec.set_threshold(p.threshold);
  rec.set_num_perm(p.num_perm);
  rec.set_word_shingle_size(p.word_shingle_size);
  rec.set_char_shingle_size(p.char_shingle_size);
  rec.set_bands(lsh.bands);
  rec.set_rows(lsh.rows);
  rec.set_create_time_micros(absl::ToUnixMicros(absl::Now()));
  rec.set_fingerprint_version(sketch::kFingerprintVersion);
  rec.set_shingle_seed(text::ShingleParams().seed);
  rec.set_minhash_seed(sketch::kMinHashSeed);
  rec.set_fold_traditional(*p.fold_traditional);
  rec.set_simhash_distance(*p.simhash_distance);
  rec.set_sync(*p.sync);
  rec.set_ack_replica(*p.ack_replica);
  rec.set_passages(*p.passages);
  rec.set_passage_max_docs(p.passage_max_docs);
  rec.set_collapse_repeats(*p.collapse_repeats);

  rocksdb::WriteBatch batch;
  std::string next_id;
  keys::PutFixed32BE(&next_id, m.next_collection_id + 1);
  batch.Put(m.cf(kCollections), ToSlice(name), rec.SerializeAsString())
      .PermitUncheckedError();
  batch.Put(m.cf(kDefault), ToSlice(keys::kNextCollectionIdKey), next_id)
      .PermitUncheckedError();
  batch.Put(m.cf(kDefault), keys::CounterKey(rec.id()), EncodeCounter(0, 0))
      .PermitUncheckedError();
  NEARDUP_RETURN_IF_ERROR(m.Write(m.write_options, &batch, "create collection",
                                  /*gated=*/true, rec.ack_replica()));
  ++m.next_collection_id;
  auto state = std::make_shared<CollectionState>(std::move(rec), 0, 0);
  CollectionInfo info = InfoOf(*state);
  m.collections.emplace(std::string(name), std::move(state));
  return info;
}

absl::StatusOr<CollectionInfo> Store::GetCollection(
    std::string_view name) const {
  NEARDUP_ASSIGN_OR_RETURN(auto c, impl_->Find(name));
  return InfoOf(*c);
}

std::vector<CollectionInfo> Store::ListCollections() const {
  absl::MutexLock lock(&impl_->mu);
  std::vector<CollectionInfo> out;
  for (const auto& [name, state] : impl_->collections) {
    out.push_back(InfoOf(*state));
  }
  return out;
}

absl::StatusOr<uint64_t> Store::DropCollection(std::string_view name) {
  NEARDUP_RETURN_IF_ERROR(ValidateCollectionName(name));
  Impl& m = *impl_;
  std::shared_ptr<CollectionState> state;
  {
    absl::MutexLock lock(&m.mu);
    auto it = m.collections.find(name);
    if (it == m.collections.end()) {
      return absl::NotFoundError(
          absl::StrCat("collection not found: ", AbslView(name)));
    }
    state = it->second;
  }
  // Wait for the collection's writers without blocking every other call.
  CollectionState& c = *state;
  absl::MutexLock write_lock(&c.mu);
  if (c.dropped) {
    return absl::NotFoundError(
        absl::StrCat("collection not found: ", AbslView(name)));
  }
  rocksdb::WriteBatch batch;
  batch.Delete(m.cf(kCollections), ToSlice(name)).PermitUncheckedError();
  batch.Delete(m.cf(kDefault), keys::CounterKey(c.id())).PermitUncheckedError();
  const std::string begin = keys::CollectionPrefix(c.id());
  const std::string end = keys::CollectionEnd(c.id());
  for (Cf family : {kDocs, kIds, kPostings, kPassages, kPassageDocs}) {
    batch.DeleteRange(m.cf(family), begin, end).PermitUncheckedError();
  }
  NEARDUP_RETURN_IF_ERROR(m.Write(m.write_options, &batch, "drop collection",
                                  /*gated=*/true, c.record.ack_replica()));
  c.dropped = true;
  const uint64_t count = c.document_count.load(std::memory_order_relaxed);
  absl::MutexLock lock(&m.mu);
  auto it = m.collections.find(name);
  if (it != m.collections.end() && it->second == state) {
    m.collections.erase(it);
  }
  return count;
}

absl::StatusOr<CollectionInfo> Store::FindCollection(
    std::string_view name) const {
  NEARDUP_ASSIGN_OR_RETURN(auto c, impl_->Find(name));
  return InfoOf(*c);
}

absl::StatusOr<AddResult> Store::Add(std::string_view collection,
                                     const PreparedDocument& doc, bool upsert,
                                     absl::Time deadline) {
  NEARDUP_ASSIGN_OR_RETURN(auto c, impl_->FindFor(collection, doc));
  NEARDUP_RETURN_IF_ERROR(ValidateDocumentId(doc.id));
  NEARDUP_RETURN_IF_ERROR(ValidateMetadata(doc.metadata));
  absl::MutexLock lock(&c->mu);
  if (c->dropped) {
    return absl::NotFoundError(
        absl::StrCat("collection not found: ", AbslView(collection)));
  }
  return impl_->AddLocked(*c, doc, upsert, deadline);
}

absl::StatusOr<CheckResult> Store::Check(std::string_view collection,
                                         const PreparedDocument& query,
                                         const CheckOptions& options) const {
  NEARDUP_ASSIGN_OR_RETURN(auto c, impl_->FindFor(collection, query));
  NEARDUP_ASSIGN_OR_RETURN(ResolvedCheck resolved,
                           ResolveCheckOptions(c->record.threshold(), options));
  CheckResult result;
  result.stats = query.stats;
  NEARDUP_ASSIGN_OR_RETURN(
      result.matches,
      impl_->FindMatches(*c, query, resolved.threshold, resolved.top_k));
  return result;
}

absl::StatusOr<CheckResult> Store::Impl::CheckAndAddLocked(
    CollectionState& c, const PreparedDocument& q, double threshold,
    uint32_t top_k, absl::Time deadline, uint64_t seen,
    std::vector<Match> matches) {
  if (c.dropped) {
    return absl::NotFoundError(
        absl::StrCat("collection not found: ", c.record.name()));
  }
  NEARDUP_ASSIGN_OR_RETURN(std::optional<uint64_t> existing, LookupId(c, q.id));
  CheckResult result;
  result.stats = q.stats;
  NEARDUP_ASSIGN_OR_RETURN(result.matches, CatchUp(c, q, threshold, top_k, seen,
                                                   std::move(matches)));
  if (existing.has_value()) {
    result.already_stored = true;
    return result;
  }
  if (!result.matches.empty()) return result;
  NEARDUP_RETURN_IF_ERROR(AddLocked(c, q, /*upsert=*/false, deadline).status());
  result.added = true;
  return result;
}

absl::StatusOr<std::vector<absl::StatusOr<CheckResult>>>
Store::CheckAndAddBatch(std::string_view collection,
                        absl::Span<const PreparedDocument> docs,
                        const CheckOptions& options) {
  // Empty is allowed here: the engine passes on only the documents it
  // could read, which may be none.
  if (!docs.empty()) NEARDUP_RETURN_IF_ERROR(ValidateBatchSize(docs.size()));
  Impl& m = *impl_;
  NEARDUP_ASSIGN_OR_RETURN(std::shared_ptr<CollectionState> found,
                           m.Find(collection));
  CollectionState& c = *found;
  for (const PreparedDocument& doc : docs) {
    NEARDUP_RETURN_IF_ERROR(m.FindFor(collection, doc).status());
  }
  NEARDUP_ASSIGN_OR_RETURN(ResolvedCheck resolved,
                           ResolveCheckOptions(c.record.threshold(), options));
  const auto [threshold, top_k] = resolved;

  // The expensive part without the write lock: a search on a snapshot.
  // Under the lock only the documents written since the snapshot are
  // scored (CatchUp), so concurrent writers mostly overlap.
  std::vector<absl::StatusOr<CheckResult>> results(docs.size());
  std::vector<bool> searched(docs.size(), false);
  std::vector<std::vector<Match>> matches(docs.size());
  Impl::View view = m.OpenView(c);
  for (size_t i = 0; i < docs.size(); ++i) {
    absl::Status ok = ValidateDocumentId(docs[i].id);
    if (ok.ok()) ok = ValidateMetadata(docs[i].metadata);
    if (ok.ok()) {
      ok = CheckDeadline(options.deadline,
                         "the document was searched; nothing was stored");
    }
    absl::StatusOr<std::vector<Match>> found_matches =
        ok.ok() ? m.FindMatches(c, docs[i], threshold, top_k,
                                view.snapshot->snapshot())
                : absl::StatusOr<std::vector<Match>>(ok);
    if (!found_matches.ok()) {
      results[i] = found_matches.status();
      continue;
    }
    searched[i] = true;
    matches[i] = *std::move(found_matches);
  }
  view.snapshot.reset();

  absl::MutexLock lock(&c.mu);
  // One wait for the replicas (Options::after_write) for the whole batch,
  // after its last write, still under the lock: a batch costs one round
  // trip to a replica, not one per document.
  DeferredAfterWrite written;
  deferred_after_write = &written;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!searched[i]) continue;
    results[i] =
        m.CheckAndAddLocked(c, docs[i], threshold, top_k, options.deadline,
                            view.version, std::move(matches[i]));
  }
  deferred_after_write = nullptr;
  if (written.sequence > 0 && m.options.after_write) {
    const absl::Status acked =
        m.options.after_write(written.sequence, written.ack_replica);
    if (!acked.ok()) {
      // Stored on the primary, but not known to a replica: the caller is
      // told so for each document this batch stored.
      for (auto& r : results) {
        if (r.ok() && r->added) r = acked;
      }
    }
  }
  return results;
}

absl::StatusOr<StoredDocument> Store::Get(std::string_view collection,
                                          std::string_view id) const {
  NEARDUP_ASSIGN_OR_RETURN(auto c, impl_->Find(collection));
  NEARDUP_RETURN_IF_ERROR(ValidateDocumentId(id));
  // One snapshot: a concurrent delete or upsert cannot fall between the id
  // lookup and the record read.
  rocksdb::ManagedSnapshot snapshot(impl_->db.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  NEARDUP_ASSIGN_OR_RETURN(std::optional<uint64_t> docnum,
                           impl_->LookupId(*c, id, ro));
  if (!docnum.has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "document not found in ", AbslView(collection), ": ", AbslView(id)));
  }
  absl::StatusOr<DocumentRecord> found = impl_->ReadDoc(*c, *docnum, ro);
  if (absl::IsNotFound(found.status())) {
    return absl::DataLossError(absl::StrCat("document id ", AbslView(id),
                                            " in ", AbslView(collection),
                                            " points to a missing record"));
  }
  NEARDUP_ASSIGN_OR_RETURN(DocumentRecord rec, std::move(found));
  StoredDocument out;
  out.id = rec.id();
  out.metadata.insert(rec.metadata().begin(), rec.metadata().end());
  out.stats.content_bytes = rec.content_bytes();
  out.stats.tokens = rec.token_count();
  out.stats.shingles = rec.shingle_count();
  out.stats.simhash = rec.simhash();
  out.add_time = FromMicros(rec.add_time_micros());
  out.fingerprint_version = rec.fingerprint_version();
  out.stats.repeated_fraction = rec.repeated_fraction();
  out.fingerprint.minhash.assign(rec.minhash().begin(), rec.minhash().end());
  out.fingerprint.bottom_k.assign(rec.bottom_k().begin(), rec.bottom_k().end());
  out.fingerprint.simhash = rec.simhash();
  out.fingerprint.digest.low = rec.digest_low();
  out.fingerprint.digest.high = rec.digest_high();
  out.fingerprint.shingle_count = rec.shingle_count();
  out.fingerprint.token_count = rec.token_count();
  return out;
}

absl::Status Store::Delete(std::string_view collection, std::string_view id) {
  NEARDUP_ASSIGN_OR_RETURN(auto c, impl_->Find(collection));
  NEARDUP_RETURN_IF_ERROR(ValidateDocumentId(id));
  absl::MutexLock lock(&c->mu);
  if (c->dropped) {
    return absl::NotFoundError(
        absl::StrCat("collection not found: ", AbslView(collection)));
  }
  NEARDUP_ASSIGN_OR_RETURN(std::optional<uint64_t> docnum,
                           impl_->LookupId(*c, id));
  if (!docnum.has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "document not found in ", AbslView(collection), ": ", AbslView(id)));
  }
  NEARDUP_ASSIGN_OR_RETURN(DocumentRecord rec,
                           impl_->ReadDocLocked(*c, *docnum));
  rocksdb::WriteBatch batch;
  NEARDUP_RETURN_IF_ERROR(impl_->DeleteDocKeys(*c, *docnum, rec, &batch));
  const uint64_t count = c->document_count.load(std::memory_order_relaxed) - 1;
  batch
      .Put(impl_->cf(kDefault), keys::CounterKey(c->id()),
           EncodeCounter(c->next_docnum, count))
      .PermitUncheckedError();
  NEARDUP_RETURN_IF_ERROR(
      impl_->Write(impl_->WriteOptionsFor(*c), &batch, "delete document",
                   /*gated=*/true, c->record.ack_replica()));
  c->document_count.store(count, std::memory_order_relaxed);
  c->last_removal_version = ++c->version;
  c->recent.clear();
  return absl::OkStatus();
}

std::optional<uint64_t> Store::IntProperty(std::string_view name) const {
  uint64_t value = 0;
  if (!impl_->db->GetAggregatedIntProperty(
          rocksdb::Slice(name.data(), name.size()), &value)) {
    return std::nullopt;
  }
  return value;
}

const std::string& Store::path() const { return impl_->options.path; }

bool Store::writable() const { return impl_->health->writable(); }

std::string Store::storage_problem() const { return impl_->health->reason(); }

bool Store::WaitForBackgroundWork(absl::Duration timeout) const {
  const Impl& m = *impl_;
  const absl::Time deadline = absl::Now() + timeout;
  auto busy = [&] {
    uint64_t v = 0;
    for (const char* p :
         {"rocksdb.num-running-compactions", "rocksdb.num-running-flushes"}) {
      if (m.db->GetIntProperty(p, &v) && v > 0) return true;
    }
    for (rocksdb::ColumnFamilyHandle* h : m.cfs) {
      for (const char* p :
           {"rocksdb.compaction-pending", "rocksdb.mem-table-flush-pending"}) {
        if (m.db->GetIntProperty(h, p, &v) && v > 0) return true;
      }
    }
    return false;
  };
  while (busy()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return true;
}

}  // namespace neardup::index
