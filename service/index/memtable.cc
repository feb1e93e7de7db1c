#include "service/index/memtable.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "rocksdb/slice.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/version.h"
#include "xxhash.h"

// RocksDB hands GetIterator an Arena (memory/arena.h, which Debian's
// librocksdb-dev does not install) and, when it does, only runs the
// iterator's destructor: the iterator must live in that arena. Arena's only
// base is Allocator, whose interface below is RocksDB's own (memory/
// allocator.h), unchanged from 5.x to 7.8; the memtable tests open real
// databases and iterate them under ASan. Re-check it when RocksDB moves.
//
// Likewise MemTableRep::Get, which every memtable must override (RocksDB's
// default leaks the iterator it makes), receives a LookupKey (db/
// dbformat.h): three pointers into its buffer, to the length-prefixed
// memtable key, to the internal key, and past its end. LookupKeyView reads
// them.
static_assert(ROCKSDB_MAJOR == 7 && ROCKSDB_MINOR == 8,
              "check rocksdb::Allocator and LookupKeyView below against "
              "memory/allocator.h and db/dbformat.h");
namespace rocksdb {
class Allocator {
 public:
  virtual ~Allocator() {}
  virtual char* Allocate(size_t bytes) = 0;
  virtual char* AllocateAligned(size_t bytes, size_t huge_page_size = 0,
                                Logger* logger = nullptr) = 0;
  virtual size_t BlockSize() const = 0;
};
}  // namespace rocksdb

namespace neardup::index {
namespace {

using rocksdb::KeyHandle;
using rocksdb::MemTableRep;
using rocksdb::Slice;

struct LookupKeyView {
  const char* start;   // the memtable key: varint32 length, internal key
  const char* kstart;  // the internal key: user key, sequence and type
  const char* end;

  explicit LookupKeyView(const rocksdb::LookupKey& k) {
    std::memcpy(static_cast<void*>(this), static_cast<const void*>(&k),
                sizeof(*this));
  }
  Slice internal_key() const { return Slice(kstart, size_t(end - kstart)); }
};

// What precedes each entry in the memtable's arena: the link of its bucket.
struct Node {
  std::atomic<Node*> next{nullptr};
  char* entry() { return reinterpret_cast<char*>(this + 1); }
};

// Builds an iterator of type It on the heap or, when RocksDB gives one, in
// its arena (which then only destroys it).
template <typename It, typename... Args>
MemTableRep::Iterator* MakeIterator(rocksdb::Arena* arena, Args&&... args) {
  if (arena == nullptr) return new It(std::forward<Args>(args)...);
  void* mem =
      reinterpret_cast<rocksdb::Allocator*>(arena)->AllocateAligned(sizeof(It));
  return new (mem) It(std::forward<Args>(args)...);
}

// The user key of a memtable entry: a varint32 length, the internal key
// (user key and 8 bytes of sequence and type), then the value. The same as
// MemTableRep::UserKey, without a call into RocksDB per entry.
Slice UserKeyOf(const char* entry) {
  uint32_t len = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(entry);
  for (int shift = 0; shift <= 28; shift += 7) {
    const uint32_t byte = *p++;
    len |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return Slice(reinterpret_cast<const char*>(p), len - 8);
}

uint64_t LoadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Entries in key order, over a vector it owns or shares. Seek and friends
// are binary searches with the memtable's comparator.
class SortedIterator : public MemTableRep::Iterator {
 public:
  SortedIterator(const MemTableRep::KeyComparator& compare,
                 std::shared_ptr<const std::vector<const char*>> entries)
      : compare_(compare), entries_(std::move(entries)) {
    pos_ = entries_->size();
  }

  bool Valid() const override { return pos_ < entries_->size(); }
  const char* key() const override { return (*entries_)[pos_]; }
  void Next() override { ++pos_; }
  void Prev() override { pos_ = pos_ == 0 ? entries_->size() : pos_ - 1; }
  void Seek(const Slice& internal_key, const char* memtable_key) override {
    pos_ = LowerBound(internal_key, memtable_key);
  }
  void SeekForPrev(const Slice& internal_key,
                   const char* memtable_key) override {
    // The last entry <= target: one before the first entry > target.
    const auto& v = *entries_;
    auto it =
        std::upper_bound(v.begin(), v.end(), 0, [&](int, const char* entry) {
          return (memtable_key != nullptr ? compare_(entry, memtable_key)
                                          : compare_(entry, internal_key)) > 0;
        });
    pos_ = it == v.begin() ? v.size() : size_t(it - v.begin()) - 1;
  }
  void SeekToFirst() override { pos_ = 0; }
  void SeekToLast() override {
    pos_ = entries_->empty() ? 0 : entries_->size() - 1;
  }

 protected:
  size_t LowerBound(const Slice& internal_key, const char* memtable_key) {
    const auto& v = *entries_;
    auto it =
        std::lower_bound(v.begin(), v.end(), 0, [&](const char* entry, int) {
          return (memtable_key != nullptr ? compare_(entry, memtable_key)
                                          : compare_(entry, internal_key)) < 0;
        });
    return size_t(it - v.begin());
  }

  const MemTableRep::KeyComparator& compare_;
  std::shared_ptr<const std::vector<const char*>> entries_;
  size_t pos_;
};

class PrefixHashRep : public MemTableRep {
 public:
  PrefixHashRep(const KeyComparator& compare, rocksdb::Allocator* allocator,
                const rocksdb::SliceTransform* transform, size_t buckets)
      : MemTableRep(allocator),
        compare_(compare),
        transform_(transform),
        mask_(buckets - 1),
        buckets_(new std::atomic<Node*>[buckets]()) {}

  KeyHandle Allocate(const size_t len, char** buf) override {
    char* raw = nullptr;
    MemTableRep::Allocate(len + sizeof(Node) + alignof(Node) - 1, &raw);
    const uintptr_t aligned =
        (reinterpret_cast<uintptr_t>(raw) + alignof(Node) - 1) &
        ~uintptr_t{alignof(Node) - 1};
    Node* node = new (reinterpret_cast<void*>(aligned)) Node;
    *buf = node->entry();
    return *buf;
  }

  // One writer at a time (see the header): a relaxed read of the head and
  // a release store publish the node and its entry to readers.
  void Insert(KeyHandle handle) override {
    Node* node = reinterpret_cast<Node*>(static_cast<char*>(handle)) - 1;
    std::atomic<Node*>& head = Bucket(PrefixOf(UserKeyOf(node->entry())));
    node->next.store(head.load(std::memory_order_relaxed),
                     std::memory_order_relaxed);
    head.store(node, std::memory_order_release);
    entries_.store(entries_.load(std::memory_order_relaxed) + 1,
                   std::memory_order_relaxed);
  }

  bool Contains(const char* key) const override {
    for (Node* n =
             Bucket(PrefixOf(UserKeyOf(key))).load(std::memory_order_acquire);
         n != nullptr; n = n->next.load(std::memory_order_acquire)) {
      if (compare_(n->entry(), key) == 0) return true;
    }
    return false;
  }

  void MarkReadOnly() override {
    read_only_.store(true, std::memory_order_release);
  }

  size_t ApproximateMemoryUsage() override {
    return (mask_ + 1) * sizeof(std::atomic<Node*>);
  }

  Iterator* GetIterator(rocksdb::Arena* arena) override {
    std::shared_ptr<const std::vector<const char*>> sorted;
    if (read_only_.load(std::memory_order_acquire)) {
      std::call_once(sorted_once_, [&] { sorted_ = SortAll(); });
      sorted = sorted_;
    } else {
      sorted = SortAll();
    }
    return MakeIterator<SortedIterator>(arena, compare_, std::move(sorted));
  }

  // The entries of the looked-up key's prefix from it on, newest first
  // for one user key, until `callback` has seen enough.
  void Get(const rocksdb::LookupKey& k, void* callback_args,
           bool (*callback)(void* arg, const char* entry)) override {
    const LookupKeyView key(k);
    std::vector<const char*> entries;
    GatherSorted(key.internal_key(), &entries);
    for (auto it = std::lower_bound(entries.begin(), entries.end(), key.start,
                                    [&](const char*entry, const char*target) {
                                      return compare_(entry, target) < 0;
                                    });
         it != entries.end() && callback(callback_args, *it); ++it) {
    }
  }

  Iterator* GetDynamicPrefixIterator(rocksdb::Arena* arena) override {
    return MakeIterator<BucketIterator>(
        arena, this, std::make_shared<std::vector<const char*>>());
  }

 private:
  // The entries of one key prefix, gathered from its bucket and sorted on
  // each Seek.
  class BucketIterator : public SortedIterator {
   public:
    BucketIterator(const PrefixHashRep* rep,
                   std::shared_ptr<std::vector<const char*>> entries)
        : SortedIterator(rep->compare_, entries),
          rep_(rep),
          gathered_(std::move(entries)) {}

    void Seek(const Slice& internal_key, const char* memtable_key) override {
      Gather(internal_key);
      pos_ = LowerBound(internal_key, memtable_key);
    }
    void SeekForPrev(const Slice& internal_key,
                     const char* memtable_key) override {
      Gather(internal_key);
      SortedIterator::SeekForPrev(internal_key, memtable_key);
    }
    // A prefix iterator has no first or last key (as RocksDB's hashed
    // memtables): total order needs ReadOptions::total_order_seek.
    void SeekToFirst() override { pos_ = entries_->size(); }
    void SeekToLast() override { pos_ = entries_->size(); }

   private:
    void Gather(const Slice& internal_key) {
      rep_->GatherSorted(internal_key, gathered_.get());
    }

    const PrefixHashRep* rep_;
    // The same vector as SortedIterator::entries_, writable.
    std::shared_ptr<std::vector<const char*>> gathered_;
  };

  // The entries with the prefix of `internal_key`'s user key, in order.
  void GatherSorted(const Slice& internal_key,
                    std::vector<const char*>* out) const {
    out->clear();
    const Slice prefix =
        PrefixOf(Slice(internal_key.data(), internal_key.size() - 8));
    for (Node* n = Bucket(prefix).load(std::memory_order_acquire); n != nullptr;
         n = n->next.load(std::memory_order_acquire)) {
      if (PrefixOf(UserKeyOf(n->entry())) == prefix) out->push_back(n->entry());
    }
    std::sort(out->begin(), out->end(),
              [&](const char* a, const char* b) { return compare_(a, b) < 0; });
  }

  Slice PrefixOf(const Slice& user_key) const {
    if (transform_ == nullptr || !transform_->InDomain(user_key)) {
      return user_key;
    }
    return transform_->Transform(user_key);
  }

  std::atomic<Node*>& Bucket(const Slice& prefix) const {
    return buckets_[XXH3_64bits(prefix.data(), prefix.size()) & mask_];
  }

  // Every entry, in key order: records of the first 16 user-key bytes
  // (zero-padded, big-endian, so their order is the bytewise order) sort
  // without touching the entries; whole keys are compared only on a tie.
  std::shared_ptr<const std::vector<const char*>> SortAll() const {
    struct Ref {
      uint64_t hi, lo;
      const char* entry;
    };
    std::vector<Ref> refs;
    refs.reserve(entries_.load(std::memory_order_relaxed));
    for (size_t b = 0; b <= mask_; ++b) {
      for (Node* n = buckets_[b].load(std::memory_order_acquire); n != nullptr;
           n = n->next.load(std::memory_order_acquire)) {
        const Slice key = UserKeyOf(n->entry());
        char head[16] = {};
        std::memcpy(head, key.data(), std::min<size_t>(key.size(), 16));
        refs.push_back(
            {LoadBigEndian64(head), LoadBigEndian64(head + 8), n->entry()});
      }
    }
    std::sort(refs.begin(), refs.end(), [&](const Ref& a, const Ref& b) {
      if (a.hi != b.hi) return a.hi < b.hi;
      if (a.lo != b.lo) return a.lo < b.lo;
      return compare_(a.entry, b.entry) < 0;
    });
    auto sorted = std::make_shared<std::vector<const char*>>();
    sorted->reserve(refs.size());
    for (const Ref& r : refs) sorted->push_back(r.entry);
    return sorted;
  }

  const KeyComparator& compare_;
  const rocksdb::SliceTransform* const transform_;
  const size_t mask_;
  const std::unique_ptr<std::atomic<Node*>[]> buckets_;
  std::atomic<size_t> entries_{0};  // written by the one writer
  std::atomic<bool> read_only_{false};
  std::once_flag sorted_once_;
  std::shared_ptr<const std::vector<const char*>> sorted_;
};

class PrefixHashFactory : public rocksdb::MemTableRepFactory {
 public:
  explicit PrefixHashFactory(size_t buckets) : buckets_(buckets) {}

  using MemTableRepFactory::CreateMemTableRep;
  MemTableRep* CreateMemTableRep(const MemTableRep::KeyComparator& compare,
                                 rocksdb::Allocator* allocator,
                                 const rocksdb::SliceTransform* transform,
                                 rocksdb::Logger*) override {
    return new PrefixHashRep(compare, allocator, transform, buckets_);
  }
  const char* Name() const override { return "NeardupPrefixHashMemTable"; }

 private:
  const size_t buckets_;
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> NewPrefixHashMemTableFactory(
    size_t buckets) {
  size_t n = 1;
  while (n < buckets) n <<= 1;
  return std::make_shared<PrefixHashFactory>(n);
}

}  // namespace neardup::index
