#include "service/api/convert.h"

#include "absl/time/time.h"

namespace neardup::api {
namespace {

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

}  // namespace

index::CollectionParams FromProto(const v1::CollectionParams& p) {
  return {p.threshold(), p.num_perm(), p.word_shingle_size(),
          p.char_shingle_size()};
}

void ToProto(const index::CollectionInfo& info, v1::Collection* out) {
  out->set_name(info.name);
  v1::CollectionParams* p = out->mutable_params();
  p->set_threshold(info.params.threshold);
  p->set_num_perm(info.params.num_perm);
  p->set_word_shingle_size(info.params.word_shingle_size);
  p->set_char_shingle_size(info.params.char_shingle_size);
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
}

void ToProto(const index::CheckResult& result, v1::CheckResponse* out) {
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
  out->set_added(result.added);
  out->set_already_stored(result.already_stored);
  ToProto(result.stats, out->mutable_stats());
}

void ToProto(const index::StoredDocument& doc, v1::StoredDocument* out) {
  out->set_id(doc.id);
  out->mutable_metadata()->insert(doc.metadata.begin(), doc.metadata.end());
  ToProto(doc.stats, out->mutable_stats());
  ToProto(doc.add_time, out->mutable_add_time());
  out->set_fingerprint_version(doc.fingerprint_version);
}

index::DocumentInput FromProto(const v1::Document& doc) {
  index::DocumentInput in;
  in.id = doc.id();
  in.content = doc.content();
  in.metadata.insert(doc.metadata().begin(), doc.metadata().end());
  return in;
}

}  // namespace neardup::api
