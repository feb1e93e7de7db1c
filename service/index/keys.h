// Key layouts of the index's column families. Integers are big-endian, so
// RocksDB's byte order is numeric order and a collection's keys form one
// contiguous range starting with its 4-byte id.
//
//   collections  name                                  -> CollectionRecord
//   docs         coll(4) docnum(8)                     -> DocumentRecord
//   ids          coll(4) external id                   -> docnum(8)
//   postings     coll(4) tag(2) bucket(8 or 16)        -> posting list
//                  tag < kSimHashTag: LSH band, bucket = band key;
//                  kSimHashTag + table: bucket = masked SimHash;
//                  kDigestTag: bucket = exact digest (high, low)
//   passages     coll(4) fingerprint(4) docnum(8)      -> ""
//   passage_docs coll(4) docnum(8)                     -> PassageRecord
//   default      'N' coll(4)                           -> next docnum(8)
//   count(8)
//                "next_collection_id"                  -> id(4)

#ifndef NEARDUP_SERVICE_INDEX_KEYS_H_
#define NEARDUP_SERVICE_INDEX_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "service/text/tokenizer.h"

namespace neardup::index::keys {

// Length of the prefix that the passages family's bloom filters are built
// on.
inline constexpr size_t kPassagePrefixSize = 4 + 4;

// Tags of the postings family (LSH bands are below kSimHashTag).
inline constexpr uint32_t kSimHashTag = 0xFE00;
inline constexpr uint32_t kDigestTag = 0xFFFF;

void PutFixed32BE(std::string* dst, uint32_t v);
void PutFixed64BE(std::string* dst, uint64_t v);
// REQUIRES: at least 4 (8) bytes at `p`.
uint32_t GetFixed32BE(const char* p);
uint64_t GetFixed64BE(const char* p);

// Returns the first key of collection `coll` in any collection-keyed family.
std::string CollectionPrefix(uint32_t coll);
// Returns the key just past all keys of collection `coll`.
std::string CollectionEnd(uint32_t coll);

std::string DocKey(uint32_t coll, uint64_t docnum);
std::string IdKey(uint32_t coll, std::string_view id);
// The first key of tag `tag` of collection `coll` in the postings family:
// each key of the tag is this prefix and its bucket.
std::string BucketPrefix(uint32_t coll, uint32_t tag);
// Keys of the postings family. REQUIRES: band < kSimHashTag, table < 256.
std::string LshBucket(uint32_t coll, uint32_t band, uint64_t band_key);
std::string SimHashBucket(uint32_t coll, uint32_t table, uint64_t bits);
std::string DigestBucket(uint32_t coll, const text::Digest128& digest);
std::string PassagePrefix(uint32_t coll, uint32_t fingerprint);
std::string PassageKey(uint32_t coll, uint32_t fingerprint, uint64_t docnum);
std::string CounterKey(uint32_t coll);
inline constexpr std::string_view kNextCollectionIdKey = "next_collection_id";

// Returns the document number at the end of a docs, passages or
// passage_docs key.
// REQUIRES: key.size() >= 8.
uint64_t TrailingDocnum(std::string_view key);

}  // namespace neardup::index::keys

#endif  // NEARDUP_SERVICE_INDEX_KEYS_H_
