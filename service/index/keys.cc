#include "service/index/keys.h"

namespace neardup::index::keys {

void PutFixed32BE(std::string* dst, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    dst->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void PutFixed64BE(std::string* dst, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    dst->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint32_t GetFixed32BE(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint64_t GetFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string CollectionPrefix(uint32_t coll) {
  std::string k;
  PutFixed32BE(&k, coll);
  return k;
}

std::string CollectionEnd(uint32_t coll) {
  // Ids stay below 2^32 - 1 (see Store), so coll + 1 does not wrap.
  return CollectionPrefix(coll + 1);
}

std::string DocKey(uint32_t coll, uint64_t docnum) {
  std::string k = CollectionPrefix(coll);
  PutFixed64BE(&k, docnum);
  return k;
}

namespace {

// `prefix` followed by the document number: an index key.
std::string WithDocnum(std::string prefix, uint64_t docnum) {
  PutFixed64BE(&prefix, docnum);
  return prefix;
}

}  // namespace

std::string IdKey(uint32_t coll, std::string_view id) {
  std::string k = CollectionPrefix(coll);
  k.append(id);
  return k;
}

std::string BucketPrefix(uint32_t coll, uint32_t tag) {
  std::string k = CollectionPrefix(coll);
  k.push_back(static_cast<char>((tag >> 8) & 0xff));
  k.push_back(static_cast<char>(tag & 0xff));
  return k;
}

std::string LshBucket(uint32_t coll, uint32_t band, uint64_t band_key) {
  std::string k = BucketPrefix(coll, band);
  PutFixed64BE(&k, band_key);
  return k;
}

std::string SimHashBucket(uint32_t coll, uint32_t table, uint64_t bits) {
  std::string k = BucketPrefix(coll, kSimHashTag + (table & 0xff));
  PutFixed64BE(&k, bits);
  return k;
}

std::string DigestBucket(uint32_t coll, const text::Digest128& digest) {
  std::string k = BucketPrefix(coll, kDigestTag);
  PutFixed64BE(&k, digest.high);
  PutFixed64BE(&k, digest.low);
  return k;
}

std::string PassagePrefix(uint32_t coll, uint32_t fingerprint) {
  std::string k = CollectionPrefix(coll);
  PutFixed32BE(&k, fingerprint);
  return k;
}

std::string PassageKey(uint32_t coll, uint32_t fingerprint, uint64_t docnum) {
  return WithDocnum(PassagePrefix(coll, fingerprint), docnum);
}

std::string CounterKey(uint32_t coll) {
  std::string k = "N";
  PutFixed32BE(&k, coll);
  return k;
}

uint64_t TrailingDocnum(std::string_view key) {
  return GetFixed64BE(key.data() + key.size() - 8);
}

}  // namespace neardup::index::keys
