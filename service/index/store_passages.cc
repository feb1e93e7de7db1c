// The passage index (collections with passages) and the candidates of a
// passage Search.
//
// Each document has a passage record (its content and how to read it, and
// its distinct passage fingerprints) and one key per fingerprint in
// "passages". A query's fingerprints are probed, and per stored document
// the fingerprints it shares are counted; the best candidates' records are
// read back on the same snapshot for the engine to align.
//
// Boilerplate: a fingerprint with more than passage_max_docs documents is
// ignored. Its posting list is the count: the scan stops one past the
// limit, so a probe costs at most passage_max_docs + 1 keys, and no
// counter has to be kept in step with adds and deletes.

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "service/common/status_macros.h"
#include "service/index/keys.h"
#include "service/index/params.h"
#include "service/index/rocksdb_status.h"
#include "service/index/store.h"
#include "service/index/store_impl.h"
#include "service/index/validate.h"

namespace neardup::index {

uint32_t PassageMaxDocs(const CollectionRecord& rec) {
  return rec.passage_max_docs() ? rec.passage_max_docs()
                                : kDefaultPassageMaxDocs;
}

PassageRecord PassageRecordOf(const PreparedDocument& doc) {
  const PassageInput& p = *doc.passages;
  PassageRecord rec;
  rec.set_content(p.extracted ? p.extracted_text : std::string(p.content));
  rec.set_charset(p.charset);
  rec.set_html(p.html);
  rec.set_main_content(p.main_content);
  rec.set_lenient(p.lenient);
  if (p.extracted) {
    rec.set_extracted(true);
    rec.set_token_offsets(p.token_offsets);
  }
  *rec.mutable_fingerprints() = {p.fingerprints.begin(), p.fingerprints.end()};
  return rec;
}

StoredText TextOf(PassageRecord rec) {
  StoredText t;
  t.content = std::move(*rec.mutable_content());
  t.charset = rec.charset();
  t.html = rec.html();
  t.main_content = rec.main_content();
  t.lenient = rec.lenient();
  t.extracted = rec.extracted();
  t.token_offsets = std::move(*rec.mutable_token_offsets());
  return t;
}

absl::StatusOr<PassageCandidates> Store::FindPassageCandidates(
    std::string_view collection, absl::Span<const uint32_t> fingerprints,
    uint32_t min_shared, size_t max_candidates) const {
  const Impl& m = *impl_;
  NEARDUP_ASSIGN_OR_RETURN(std::shared_ptr<CollectionState> found,
                           m.Find(collection));
  const CollectionState& c = *found;
  NEARDUP_RETURN_IF_ERROR(
      RequirePassages(c.record.name(), c.record.passages()));
  // One snapshot for all reads: a concurrent delete is wholly seen or not.
  rocksdb::ManagedSnapshot snapshot(m.db.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  rocksdb::ReadOptions scan_ro = ro;
  scan_ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(
      m.db->NewIterator(scan_ro, m.cf(kPassages)));
  const uint32_t max_docs = PassageMaxDocs(c.record);
  PassageCandidates out;
  absl::flat_hash_map<uint64_t, uint32_t> shared;  // docnum -> fingerprints
  std::vector<uint64_t> docs;
  for (uint32_t h : fingerprints) {
    const std::string prefix = keys::PassagePrefix(c.id(), h);
    docs.clear();
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) &&
                           docs.size() <= max_docs;
         it->Next()) {
      docs.push_back(keys::TrailingDocnum(
          std::string_view(it->key().data(), it->key().size())));
    }
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "scan passages"));
    if (docs.size() > max_docs) {
      out.boilerplate.push_back(h);
      continue;
    }
    for (uint64_t d : docs) ++shared[d];
  }

  // The candidates sharing most fingerprints, ties by document number.
  std::vector<std::pair<uint32_t, uint64_t>> ranked;
  ranked.reserve(shared.size());
  for (const auto& [d, n] : shared) {
    if (n >= min_shared) ranked.emplace_back(n, d);
  }
  const size_t keep = std::min(ranked.size(), max_candidates);
  std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(),
                    [](const auto& x, const auto& y) {
                      return x.first != y.first ? x.first > y.first
                                                : x.second < y.second;
                    });
  ranked.resize(keep);

  std::vector<std::string> key_bytes;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  for (const auto& [n, d] : ranked) {
    key_bytes.push_back(keys::DocKey(c.id(), d));
    families.push_back(m.cf(kDocs));
  }
  for (const auto& [n, d] : ranked) {
    key_bytes.push_back(keys::DocKey(c.id(), d));
    families.push_back(m.cf(kPassageDocs));
  }
  std::vector<rocksdb::Slice> slices(key_bytes.begin(), key_bytes.end());
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses =
      m.db->MultiGet(ro, families, slices, &values);
  for (size_t i = 0; i < ranked.size(); ++i) {
    const uint64_t docnum = ranked[i].second;
    const size_t j = i + ranked.size();
    // Deleted after its fingerprint key was read (on this snapshot: only
    // if the store is damaged; Verify reports it).
    if (statuses[i].IsNotFound() || statuses[j].IsNotFound()) continue;
    NEARDUP_RETURN_IF_ERROR(FromRocksDbStatus(statuses[i], "read document"));
    NEARDUP_RETURN_IF_ERROR(
        FromRocksDbStatus(statuses[j], "read passage record"));
    DocumentRecord rec;
    if (!ParseDocRecord(c, values[i], &rec)) return CorruptRecord(c, docnum);
    PassageRecord prec;
    if (!prec.ParseFromString(values[j])) return CorruptRecord(c, docnum);
    PassageCandidate cand;
    cand.id = rec.id();
    cand.metadata.insert(rec.metadata().begin(), rec.metadata().end());
    cand.shared = ranked[i].first;
    cand.text = TextOf(std::move(prec));
    out.candidates.push_back(std::move(cand));
  }
  return out;
}

}  // namespace neardup::index
