// Store::Snapshot: one collection on one RocksDB snapshot, for audits.

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "service/common/status_macros.h"
#include "service/index/keys.h"
#include "service/index/rocksdb_status.h"
#include "service/index/store.h"
#include "service/index/store_impl.h"

namespace neardup::index {

class Store::SnapshotImpl : public CollectionSnapshot {
 public:
  SnapshotImpl(const Store::Impl* store,
               std::shared_ptr<CollectionState> collection, CollectionInfo info)
      : store_(store),
        c_(std::move(collection)),
        info_(std::move(info)),
        snapshot_(store->db.get()) {
    ro_.snapshot = snapshot_.snapshot();
    ro_.fill_cache = false;  // a whole scan would evict the hot keys
    ro_.total_order_seek = true;
  }

  const CollectionInfo& info() const override { return info_; }

  absl::Status ForEach(
      const std::function<absl::Status(const StoredFingerprint&)>& fn)
      const override {
    std::unique_ptr<rocksdb::Iterator> it(
        store_->db->NewIterator(ro_, store_->cf(kDocs)));
    const std::string end = keys::CollectionEnd(c_->id());
    StoredFingerprint out;
    for (it->Seek(keys::CollectionPrefix(c_->id()));
         it->Valid() && it->key().compare(end) < 0; it->Next()) {
      out.docnum = keys::TrailingDocnum(
          std::string_view(it->key().data(), it->key().size()));
      DocumentRecord rec;
      if (!ParseDocRecord(*c_, it->value(), &rec)) {
        return CorruptRecord(*c_, out.docnum);
      }
      out.id = rec.id();
      out.fp = FingerprintOf(rec);
      out.content_bytes = rec.content_bytes();
      NEARDUP_RETURN_IF_ERROR(fn(out));
    }
    return FromRocksDbStatus(it->status(), "scan documents");
  }

  absl::StatusOr<StoredText> Text(uint64_t docnum) const override {
    if (!c_->record.passages()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "collection ", c_->record.name(),
          " keeps no texts: create it with passages on (--passages)"));
    }
    NEARDUP_ASSIGN_OR_RETURN(PassageRecord rec,
                             store_->ReadPassage(*c_, docnum, ro_));
    return TextOf(std::move(rec));
  }

 private:
  const Store::Impl* const store_;
  const std::shared_ptr<CollectionState> c_;
  const CollectionInfo info_;
  rocksdb::ManagedSnapshot snapshot_;
  rocksdb::ReadOptions ro_;
};

absl::StatusOr<std::unique_ptr<CollectionSnapshot>> Store::Snapshot(
    std::string_view collection) const {
  NEARDUP_ASSIGN_OR_RETURN(std::shared_ptr<CollectionState> c,
                           impl_->Find(collection));
  NEARDUP_ASSIGN_OR_RETURN(CollectionInfo info, FindCollection(collection));
  return std::unique_ptr<CollectionSnapshot>(
      new SnapshotImpl(impl_.get(), std::move(c), std::move(info)));
}

}  // namespace neardup::index
