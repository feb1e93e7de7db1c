// A RocksDB memtable representation for the prefix-keyed index families
// (postings, passages): hashed by key prefix for the probes,
// sorted once, as a flat array, when it is flushed.
//
// Why: a document writes about 19 index keys, and with RocksDB's own
// hashed memtables (HashLinkList, HashSkipList) the flush thread first
// re-inserts every key of the memtable into a new skiplist to iterate it
// in order: a cache miss per level per key, a third of the CPU of an
// ingest on two cores (docs/BENCHMARKS.md, "Load"). Here an insert is a
// hash and a pointer push onto its bucket's list, and the flush gathers
// the entries and sorts (first 16 key bytes, pointer) records with
// std::sort, comparing whole keys only where those bytes tie.
//
// Reads: a prefix iterator (the probes: `ReadOptions::prefix_same_as_start`
// or a prefix Seek) gathers and sorts the entries of one bucket, and moves
// forward only (no SeekToLast, so RocksDB's SeekForPrev and direction
// changes miss its entries, as with RocksDB's own hashed memtables); a total
// order iterator (`total_order_seek`: Verify, snapshots, flushes) sorts the
// whole memtable, once for a read-only memtable, per iterator for the
// mutable one (as RocksDB's hashed memtables do).
//
// Without a prefix extractor entries are hashed by their whole user key:
// point lookups (Get, MultiGet) and total order iteration work, prefix
// scans do not (the postings family).
//
// REQUIRES: the column family uses the default bytewise comparator, and
// memtable writes are not concurrent (`allow_concurrent_memtable_write =
// false`): one writer, any number of readers.
//
// Example:
//   cf_options.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(14));
//   cf_options.memtable_factory = NewPrefixHashMemTableFactory(1 << 20);

#ifndef NEARDUP_SERVICE_INDEX_MEMTABLE_H_
#define NEARDUP_SERVICE_INDEX_MEMTABLE_H_

#include <cstddef>
#include <memory>

#include "rocksdb/memtablerep.h"

namespace neardup::index {

// `buckets`: hash buckets per memtable (rounded up to a power of two), 8
// bytes each; about one per expected entry keeps the lists short.
std::shared_ptr<rocksdb::MemTableRepFactory> NewPrefixHashMemTableFactory(
    size_t buckets);

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_MEMTABLE_H_
