// Key layouts of the index's column families. Integers are big-endian, so
// RocksDB's byte order is numeric order and a collection's keys form one
// contiguous range starting with its 4-byte id.
//
//   collections  name                                  -> CollectionRecord
//   docs         coll(4) docnum(8)                     -> DocumentRecord
//   ids          coll(4) external id                   -> docnum(8)
//   lsh          coll(4) band(2) bandkey(8) docnum(8)  -> ""
//   digest       coll(4) digest(16) docnum(8)          -> ""
//   simhash      coll(4) table(1) masked(8) docnum(8)  -> ""
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

// Lengths of the prefixes that the prefix bloom filters are built on.
inline constexpr size_t kLshPrefixSize = 4 + 2 + 8;
inline constexpr size_t kDigestPrefixSize = 4 + 16;
inline constexpr size_t kSimHashPrefixSize = 4 + 1 + 8;
inline constexpr size_t kPassagePrefixSize = 4 + 4;

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
std::string LshPrefix(uint32_t coll, uint32_t band, uint64_t band_key);
std::string LshKey(uint32_t coll, uint32_t band, uint64_t band_key,
                   uint64_t docnum);
std::string DigestPrefix(uint32_t coll, const text::Digest128& digest);
std::string DigestKey(uint32_t coll, const text::Digest128& digest,
                      uint64_t docnum);
// `bits`: the fingerprint masked for SimHash table `table` (< 256).
std::string SimHashPrefix(uint32_t coll, uint32_t table, uint64_t bits);
std::string SimHashKey(uint32_t coll, uint32_t table, uint64_t bits,
                       uint64_t docnum);
std::string PassagePrefix(uint32_t coll, uint32_t fingerprint);
std::string PassageKey(uint32_t coll, uint32_t fingerprint, uint64_t docnum);
std::string CounterKey(uint32_t coll);
inline constexpr std::string_view kNextCollectionIdKey = "next_collection_id";

// Returns the document number at the end of an index key (any but ids).
// REQUIRES: key.size() >= 8.
uint64_t TrailingDocnum(std::string_view key);

}  // namespace neardup::index::keys

#endif  // NEARDUP_SERVICE_INDEX_KEYS_H_
