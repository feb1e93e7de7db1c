#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "service/common/status_macros.h"
#include "service/index/keys.h"
#include "service/index/postings.h"
#include "service/index/rocksdb_status.h"
#include "service/index/store.h"
#include "service/index/store_impl.h"

namespace neardup::index {

absl::StatusOr<IntegrityReport> Store::Verify() const {
  const Impl& m = *impl_;
  // The snapshot first: a collection created after it has no counter in
  // it and is skipped.
  rocksdb::ManagedSnapshot snapshot(m.db.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  ro.fill_cache = false;
  // Whole-family scans, not prefix probes (the hashed memtables only
  // iterate in key order when asked to).
  ro.total_order_seek = true;
  std::vector<std::shared_ptr<CollectionState>> collections;
  {
    absl::MutexLock lock(&m.mu);
    for (const auto& [name, c] : m.collections) collections.push_back(c);
  }
  IntegrityReport report;
  auto problem = [&](std::string what) {
    if (report.problems.size() < 20) report.problems.push_back(std::move(what));
  };

  // Keys per collection id in each collection-keyed family. Documents with
  // all their keys present, and no other keys, means the counts match.
  std::map<uint32_t, uint64_t> actual;  // index keys (not records)
  std::map<uint32_t, uint64_t> records;
  // A posting list counts as one index key per document in it.
  std::vector<uint64_t> list;
  for (Cf family : {kDocs, kIds, kPostings, kPassages, kPassageDocs}) {
    std::unique_ptr<rocksdb::Iterator> it(m.db->NewIterator(ro, m.cf(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() < 4) {
        ++report.orphan_keys;
        problem(absl::StrCat("short key in ", kCfNames[family]));
        continue;
      }
      const uint32_t coll = keys::GetFixed32BE(it->key().data());
      uint64_t n = 1;
      if (family == kPostings) {
        list.clear();
        if (!postings::Decode(
                std::string_view(it->value().data(), it->value().size()),
                &list)) {
          problem(absl::StrCat("corrupt posting list in collection id ", coll));
        }
        n = list.size();
      }
      (family == kDocs ? records[coll] : actual[coll]) += n;
      if (family != kDocs) report.index_keys += n;
    }
    if (family == kPostings && it->status().IsCorruption()) {
      // A list whose merge failed (postings.h): reported, and the lists
      // past it go uncounted.
      problem(
          absl::StrCat("posting lists unreadable: ", it->status().ToString()));
      continue;
    }
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "scan index"));
  }

  std::map<uint32_t, bool> known;
  for (const auto& c : collections) {
    std::string counter;
    rocksdb::Status cs =
        m.db->Get(ro, m.cf(kDefault), keys::CounterKey(c->id()), &counter);
    if (cs.IsNotFound()) continue;  // created after the snapshot
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(cs, "read counter"));
    known[c->id()] = true;
    ++report.collections;
    uint64_t docs = 0, expected = 0;
    std::unique_ptr<rocksdb::Iterator> it(m.db->NewIterator(ro, m.cf(kDocs)));
    const std::string end = keys::CollectionEnd(c->id());
    for (it->Seek(keys::CollectionPrefix(c->id()));
         it->Valid() && it->key().compare(end) < 0; it->Next()) {
      ++docs;
      const uint64_t docnum = keys::TrailingDocnum(
          std::string_view(it->key().data(), it->key().size()));
      DocumentRecord rec;
      if (!ParseDocRecord(*c, it->value(), &rec)) {
        problem(absl::StrCat("corrupt record of document ", docnum,
                             " in collection ", c->record.name()));
        continue;
      }
      // The passage record, whose fingerprints give the passage keys; a
      // missing one counts as one missing key.
      std::optional<PassageRecord> passage;
      if (c->record.passages()) {
        absl::StatusOr<PassageRecord> p = m.ReadPassage(*c, docnum, ro);
        if (p.ok()) {
          passage = *std::move(p);
        } else if (absl::IsNotFound(p.status())) {
          ++report.missing_keys;
          problem(absl::StrCat("document ", rec.id(), " of collection ",
                               c->record.name(), " lacks its passage record"));
        } else if (absl::IsDataLoss(p.status())) {
          problem(std::string(p.status().message()));
        } else {
          return p.status();
        }
      }
      for (const auto& [family, key] :
           IndexKeys(*c, docnum, rec.id(), c->KeysOf(FingerprintOf(rec)),
                     passage.has_value() ? &*passage : nullptr)) {
        ++expected;
        std::string value;
        rocksdb::Status s = m.db->Get(ro, m.cf(family), key, &value);
        // A key the document should have and does not.
        auto missing = [&](const std::string& how) {
          ++report.missing_keys;
          --expected;
          problem(absl::StrCat("document ", rec.id(), " of collection ",
                               c->record.name(), " ", how));
        };
        if (s.IsNotFound()) {
          missing(absl::StrCat("lacks a key in ", kCfNames[family]));
          continue;
        }
        if (family == kPostings && s.IsCorruption()) {
          missing("is in an unreadable posting list");
          continue;
        }
        NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(s, "read index key"));
        if (family == kPostings) {
          list.clear();
          if (!postings::Decode(value, &list) ||
              !std::binary_search(list.begin(), list.end(), docnum)) {
            missing("is missing from a posting list");
          }
          continue;
        }
        if (family == kIds &&
            (value.size() != 8 || keys::GetFixed64BE(value.data()) != docnum)) {
          problem(absl::StrCat("id ", rec.id(), " of collection ",
                               c->record.name(),
                               " points to another document"));
        }
      }
    }
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "scan documents"));
    report.documents += docs;
    if (actual[c->id()] > expected) {
      report.orphan_keys += actual[c->id()] - expected;
      problem(absl::StrCat(actual[c->id()] - expected,
                           " index keys of collection ", c->record.name(),
                           " belong to no stored document"));
    }
    const uint64_t counted =
        counter.size() == 16 ? keys::GetFixed64BE(counter.data() + 8) : ~0ull;
    if (counted != docs) {
      problem(absl::StrCat("collection ", c->record.name(), " counts ", counted,
                           " documents and holds ", docs));
    }
  }
  for (const auto& [coll, n] : actual) {
    if (!known.count(coll) && n > 0) {
      report.orphan_keys += n;
      problem(absl::StrCat(n, " index keys of unknown collection id ", coll));
    }
  }
  for (const auto& [coll, n] : records) {
    if (!known.count(coll) && n > 0) {
      report.orphan_keys += n;
      problem(absl::StrCat(n, " records of unknown collection id ", coll));
    }
  }
  return report;
}

}  // namespace neardup::index
