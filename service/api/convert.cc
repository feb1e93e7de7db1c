#include "service/api/convert.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/index/params.h"

namespace neardup::api {
namespace {

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

}  // namespace

index::CollectionParams FromProto(const v1::CollectionParams& p) {
  index::CollectionParams out;
  out.threshold = p.threshold();
  out.num_perm = p.num_perm();
  out.word_shingle_size = p.word_shingle_size();
  out.char_shingle_size = p.char_shingle_size();
  if (p.has_fold_traditional()) out.fold_traditional = p.fold_traditional();
  if (p.has_simhash_distance()) out.simhash_distance = p.simhash_distance();
  if (p.has_sync()) out.sync = p.sync();
  if (p.has_ack_replica()) out.ack_replica = p.ack_replica();
  if (p.has_passages()) out.passages = p.passages();
  out.passage_max_docs = p.passage_max_docs();
  if (p.has_collapse_repeats()) out.collapse_repeats = p.collapse_repeats();
  return out;
}

void ToProto(const index::CollectionInfo& info, v1::Collection* out) {
  out->set_name(info.name);
  v1::CollectionParams* p = out->mutable_params();
  p->set_threshold(info.params.threshold);
  p->set_num_perm(info.params.num_perm);
  p->set_word_shingle_size(info.params.word_shingle_size);
  p->set_char_shingle_size(info.params.char_shingle_size);
  // CollectionInfo holds every parameter resolved; the fallbacks are the
  // defaults of the one table (index/params.h), never used in practice.
  p->set_fold_traditional(
      info.params.fold_traditional.value_or(index::kDefaultFoldTraditional));
  p->set_simhash_distance(info.params.simhash_distance.value_or(
      index::kSimHashDistanceParam.fallback));
  p->set_sync(info.params.sync.value_or(index::kDefaultSync));
  p->set_ack_replica(info.params.ack_replica.value_or(false));
  p->set_passages(info.params.passages.value_or(index::kDefaultPassages));
  p->set_passage_max_docs(info.params.passage_max_docs);
  p->set_collapse_repeats(
      info.params.collapse_repeats.value_or(index::kDefaultCollapseRepeats));
  out->mutable_lsh()->set_bands(info.lsh.bands);
  out->mutable_lsh()->set_rows(info.lsh.rows);
  out->set_document_count(info.document_count);
  ToProto(info.create_time, out->mutable_create_time());
  out->set_fingerprint_version(info.fingerprint_version);
}

void ToProto(const index::DocumentStats& stats, v1::DocumentStats* out) {
  out->set_content_bytes(stats.content_bytes);
  out->set_tokens(stats.tokens);
  out->set_shingles(stats.shingles);
  out->set_simhash(stats.simhash);
  out->set_charset(stats.charset);
  out->set_html(stats.html);
  out->set_repeated_fraction(stats.repeated_fraction);
}

namespace {

template <typename Response>
void MatchesToProto(const index::CheckResult& result, Response* out) {
  for (const index::Match& m : result.matches) {
    v1::Match* pm = out->add_matches();
    pm->set_id(m.id);
    pm->set_jaccard(m.scores.jaccard);
    pm->set_containment(m.scores.containment);
    pm->set_reverse_containment(m.scores.reverse_containment);
    pm->set_hamming_distance(static_cast<uint32_t>(m.scores.hamming_distance));
    pm->set_exact(m.scores.exact);
    pm->mutable_metadata()->insert(m.metadata.begin(), m.metadata.end());
  }
  api::ToProto(result.stats, out->mutable_stats());
}

}  // namespace

void ToProto(const index::CheckResult& result, v1::CheckResponse* out) {
  MatchesToProto(result, out);
}

void ToProto(const index::CheckResult& result, v1::CheckAndAddResponse* out) {
  MatchesToProto(result, out);
  out->set_added(result.added);
  out->set_already_stored(result.already_stored);
}

void ToProto(const index::StoredDocument& doc, bool with_fingerprint,
             v1::StoredDocument* out) {
  out->set_id(doc.id);
  out->mutable_metadata()->insert(doc.metadata.begin(), doc.metadata.end());
  ToProto(doc.stats, out->mutable_stats());
  ToProto(doc.add_time, out->mutable_add_time());
  out->set_fingerprint_version(doc.fingerprint_version);
  if (!with_fingerprint) return;
  v1::FingerprintedDocument* fp = out->mutable_fingerprint();
  const sketch::Fingerprint& f = doc.fingerprint;
  fp->set_id(doc.id);
  fp->mutable_minhash()->Add(f.minhash.begin(), f.minhash.end());
  fp->mutable_bottom_k()->Add(f.bottom_k.begin(), f.bottom_k.end());
  fp->set_simhash(f.simhash);
  fp->set_digest_low(f.digest.low);
  fp->set_digest_high(f.digest.high);
  fp->set_shingle_count(f.shingle_count);
  fp->set_token_count(f.token_count);
  fp->set_content_bytes(doc.stats.content_bytes);
  fp->set_repeated_fraction(doc.stats.repeated_fraction);
}

absl::StatusOr<engine::DocumentInput> FromProto(const v1::Document& doc) {
  engine::DocumentInput in;
  in.id = doc.id();
  in.content = doc.content();
  in.metadata.insert(doc.metadata().begin(), doc.metadata().end());
  // "type/subtype; charset=x": the charset parameter counts as declared.
  std::string_view type = doc.content_type();
  std::string_view charset = doc.charset();
  const size_t semi = type.find(';');
  if (semi != std::string_view::npos) {
    std::string_view params = type.substr(semi + 1);
    type = type.substr(0, semi);
    const size_t at = params.find("charset=");
    if (at != std::string_view::npos && charset.empty()) {
      charset = params.substr(at + 8);
      const size_t end = charset.find_first_of("; ");
      if (end != std::string_view::npos) charset = charset.substr(0, end);
      if (charset.size() >= 2 && charset.front() == '"' &&
          charset.back() == '"') {
        charset = charset.substr(1, charset.size() - 2);
      }
    }
  }
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  const absl::string_view mime(type.data(), type.size());
  if (type.empty()) {
    in.input.content_type = text::ContentType::kAuto;
  } else if (absl::EqualsIgnoreCase(mime, "text/html") ||
             absl::EqualsIgnoreCase(mime, "application/xhtml+xml")) {
    in.input.content_type = text::ContentType::kHtml;
  } else if (absl::EqualsIgnoreCase(mime, "text/plain")) {
    in.input.content_type = text::ContentType::kText;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported content_type: ", doc.content_type(),
                     " (use text/plain, text/html or leave it empty)"));
  }
  in.input.charset = charset;
  in.input.lenient = doc.lenient_decoding();
  in.input.main_content = !doc.has_main_content() || doc.main_content();
  return in;
}

}  // namespace neardup::api
