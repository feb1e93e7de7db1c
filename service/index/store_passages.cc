// The passage index (collections with passages) and Store::Search.
//
// Each document has a passage record (its content and how to read it, and
// its distinct passage fingerprints) and one key per fingerprint in
// "passages". Search probes the query's fingerprints, counts per stored
// document how many it shares, reads the best candidates' records back,
// and aligns the query against each (passages::Align), so that every
// reported passage is an alignment of the two texts, not a guess from
// fingerprints.
//
// Boilerplate: a fingerprint with more than passage_max_docs documents is
// ignored. Its posting list is the count: the scan stops one past the
// limit, so a probe costs at most passage_max_docs + 1 keys, and no
// counter has to be kept in step with adds and deletes. The query's
// tokens under such fingerprints are masked, so the passages reported
// never run through boilerplate.

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "service/common/status_macros.h"
#include "service/index/keys.h"
#include "service/index/rocksdb_status.h"
#include "service/index/store.h"
#include "service/index/store_impl.h"
#include "service/passages/align.h"
#include "service/passages/fingerprints.h"
#include "service/passages/passages.h"
#include "service/text/decode.h"

namespace neardup::index {
namespace {

// Stored documents aligned per query beyond top_k: a source may rank low
// on shared fingerprints and high on aligned passages (one long edited
// passage shares fewer fingerprints than several verbatim sentences).
constexpr size_t kExtraCandidates = 16;

// Fingerprints a stored document must share with the query to be aligned.
// A passage of min_tokens (16) words shares about four; one alone is
// mostly a common phrase, and aligning costs a read of the document.
constexpr uint32_t kMinShared = 2;

using Range = std::pair<uint32_t, uint32_t>;

// Tokens covered by the union of `ranges`.
uint32_t Covered(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end());
  uint32_t covered = 0, end = 0;
  for (const Range& r : ranges) {
    const uint32_t from = std::max(r.first, end);
    if (r.second > from) covered += r.second - from;
    end = std::max(end, r.second);
  }
  return covered;
}

text::InputOptions ReadingOf(const PassageRecord& rec) {
  text::InputOptions in;
  in.content_type =
      rec.html() ? text::ContentType::kHtml : text::ContentType::kText;
  in.charset = rec.charset();
  in.lenient = rec.lenient();
  in.main_content = rec.main_content();
  return in;
}

}  // namespace

uint32_t PassageMaxDocs(const CollectionRecord& rec) {
  return rec.passage_max_docs() ? rec.passage_max_docs()
                                : kDefaultPassageMaxDocs;
}

PassageRecord PassageRecordOf(const text::Analysis& a,
                              const text::InputOptions& input) {
  PassageRecord rec;
  rec.set_charset(a.charset);
  rec.set_html(a.html);
  rec.set_main_content(input.main_content);
  rec.set_lenient(input.lenient);
  for (uint32_t f : passages::DistinctHashes(passages::PassageFingerprints(
           passages::TokenHashes32(a.text.tokens)))) {
    rec.add_fingerprints(f);
  }
  return rec;
}

text::InputOptions SameReading(const text::Analysis& a,
                               const text::InputOptions& input) {
  text::InputOptions in = input;
  in.content_type =
      a.html ? text::ContentType::kHtml : text::ContentType::kText;
  in.charset = a.charset;
  return in;
}

absl::StatusOr<SearchResult> Store::Search(std::string_view collection,
                                           const DocumentInput& doc,
                                           const SearchOptions& options) const {
  const Impl& m = *impl_;
  NEARDUP_ASSIGN_OR_RETURN(std::shared_ptr<CollectionState> found,
                           m.Find(collection));
  const CollectionState& c = *found;
  if (!c.record.passages()) {
    return absl::FailedPreconditionError(
        absl::StrCat("collection ", c.record.name(),
                     " keeps no passage index: create one with passages on "
                     "(neardup collections create NAME --passages)"));
  }
  if (options.top_k > kMaxTopK) {
    return absl::InvalidArgumentError(
        absl::StrCat("top_k must be at most ", kMaxTopK, ": ", options.top_k));
  }
  const uint32_t top_k = options.top_k ? options.top_k : kDefaultTopK;
  NEARDUP_ASSIGN_OR_RETURN(text::Analysis a,
                           text::Analyze(doc.content, c.text, doc.input));
  SearchResult result;
  result.stats.content_bytes = doc.content.size();
  result.stats.tokens = a.text.tokens.size();
  result.stats.shingles = a.shingle_set.size();
  result.stats.charset = a.charset;
  result.stats.html = a.html;

  std::vector<uint32_t> tokens = passages::TokenHashes32(a.text.tokens);
  const std::vector<passages::PassageFingerprint> fps =
      passages::PassageFingerprints(tokens);

  // One snapshot for all reads: a concurrent delete is wholly seen or not.
  rocksdb::ManagedSnapshot snapshot(m.db.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  rocksdb::ReadOptions scan_ro = ro;
  scan_ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(
      m.db->NewIterator(scan_ro, m.cf(kPassages)));
  const uint32_t max_docs = PassageMaxDocs(c.record);
  absl::flat_hash_map<uint64_t, uint32_t> shared;  // docnum -> fingerprints
  absl::flat_hash_set<uint32_t> boilerplate;
  std::vector<uint64_t> docs;
  for (uint32_t h : passages::DistinctHashes(fps)) {
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
      boilerplate.insert(h);
      continue;
    }
    for (uint64_t d : docs) ++shared[d];
  }
  if (!boilerplate.empty()) {
    std::vector<passages::PassageFingerprint> ignored;
    for (const auto& f : fps) {
      if (boilerplate.contains(f.hash)) ignored.push_back(f);
    }
    passages::MaskTokens(ignored, &tokens);
  }

  // The candidates sharing most fingerprints, ties by document number.
  std::vector<std::pair<uint32_t, uint64_t>> ranked;
  ranked.reserve(shared.size());
  for (const auto& [d, n] : shared) {
    if (n >= kMinShared) ranked.emplace_back(n, d);
  }
  const size_t keep = std::min(ranked.size(), top_k + kExtraCandidates);
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

  std::vector<Range> all_covered;
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
    // Read exactly as when it was stored, so the tokens are the same.
    absl::StatusOr<text::Analysis> source =
        text::Analyze(prec.content(), c.text, ReadingOf(prec));
    if (!source.ok()) {
      return absl::DataLossError(absl::StrCat(
          "stored document ", rec.id(), " of collection ", c.record.name(),
          " no longer reads: ", source.status().message()));
    }
    const std::vector<passages::Alignment> aligned = passages::Reportable(
        passages::Align(tokens, passages::TokenHashes32(source->text.tokens)),
        a.text.tokens);
    if (aligned.empty()) continue;
    PassageSource out;
    out.id = rec.id();
    out.metadata.insert(rec.metadata().begin(), rec.metadata().end());
    std::vector<Range> covered;
    for (const passages::Alignment& al : aligned) {
      passages::MatchedPassage p;
      p.a = passages::SpanOf(a.text.tokens, al.a_begin, al.a_end);
      p.b = passages::SpanOf(source->text.tokens, al.b_begin, al.b_end);
      p.matched_tokens = al.matched;
      out.passages.push_back(p);
      covered.emplace_back(al.a_begin, al.a_end);
      all_covered.emplace_back(al.a_begin, al.a_end);
    }
    out.containment = double(Covered(std::move(covered))) / tokens.size();
    if (options.with_source_text) {
      text::DecodeOptions decode;
      decode.charset = prec.charset();
      decode.lenient = prec.lenient();
      NEARDUP_ASSIGN_OR_RETURN(text::DecodedText decoded,
                               text::Decode(prec.content(), decode));
      out.text = std::string(decoded.text());
    }
    result.sources.push_back(std::move(out));
  }
  result.coverage =
      tokens.empty() ? 0
                     : double(Covered(std::move(all_covered))) / tokens.size();
  std::sort(result.sources.begin(), result.sources.end(),
            [](const PassageSource& x, const PassageSource& y) {
              return x.containment != y.containment
                         ? x.containment > y.containment
                         : x.id < y.id;
            });
  if (result.sources.size() > top_k) result.sources.resize(top_k);
  return result;
}

}  // namespace neardup::index
