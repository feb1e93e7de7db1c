#include "service/api/passages_convert.h"

#include "service/api/convert.h"

namespace neardup::api {

void ToProto(const passages::Span& s, v1::TextSpan* out) {
  out->set_start(s.cp_start);
  out->set_end(s.cp_end);
  out->set_byte_start(s.byte_start);
  out->set_byte_end(s.byte_end);
}

void ToProto(const passages::Repeats& r, bool collapsed,
             v1::RepeatsResponse* out) {
  out->set_repeated_fraction(r.repeated_fraction);
  for (const passages::RepeatedPassage& p : r.passages) {
    v1::RepeatedPassage* rp = out->add_passages();
    for (const passages::Span& s : p.occurrences) {
      ToProto(s, rp->add_occurrences());
    }
  }
  if (collapsed) out->set_collapsed(r.collapsed);
}

void ToProto(const passages::MatchedPassage& m, v1::PassageMatch* out) {
  out->set_query_start(m.a.cp_start);
  out->set_query_end(m.a.cp_end);
  out->set_query_byte_start(m.a.byte_start);
  out->set_query_byte_end(m.a.byte_end);
  out->set_source_start(m.b.cp_start);
  out->set_source_end(m.b.cp_end);
  out->set_source_byte_start(m.b.byte_start);
  out->set_source_byte_end(m.b.byte_end);
  out->set_matched_words(m.matched_tokens);
}

void ToProto(const passages::Comparison& c, v1::CompareResponse* out) {
  out->set_jaccard(c.jaccard);
  out->set_containment(c.containment_a);
  out->set_reverse_containment(c.containment_b);
  for (const passages::MatchedPassage& m : c.passages) {
    ToProto(m, out->add_passages());
  }
}

void ToProto(const engine::SearchResult& r, v1::SearchResponse* out) {
  for (const engine::PassageSource& src : r.sources) {
    v1::PassageSource* s = out->add_sources();
    s->set_id(src.id);
    s->set_containment(src.containment);
    for (size_t i = 0; i < src.passages.size(); ++i) {
      v1::PassageMatch* p = s->add_passages();
      ToProto(src.passages[i], p);
      if (i < src.text_spans.size()) {
        p->set_source_text_start(src.text_spans[i].first);
        p->set_source_text_end(src.text_spans[i].second);
      }
    }
    s->mutable_metadata()->insert(src.metadata.begin(), src.metadata.end());
    s->set_text(src.text);
  }
  out->set_coverage(r.coverage);
  ToProto(r.stats, out->mutable_stats());
}

}  // namespace neardup::api
