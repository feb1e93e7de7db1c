// Passage results (service/passages) as neardup.v1 messages.

#ifndef NEARDUP_SERVICE_API_PASSAGES_CONVERT_H_
#define NEARDUP_SERVICE_API_PASSAGES_CONVERT_H_

#include "neardup/v1/neardup.pb.h"
#include "service/engine/types.h"
#include "service/passages/passages.h"

namespace neardup::api {

void ToProto(const passages::Span& s, v1::TextSpan* out);
// `collapsed`: also copy Repeats::collapsed.
void ToProto(const passages::Repeats& r, bool collapsed,
             v1::RepeatsResponse* out);
void ToProto(const passages::MatchedPassage& m, v1::PassageMatch* out);
void ToProto(const passages::Comparison& c, v1::CompareResponse* out);
void ToProto(const engine::SearchResult& r, v1::SearchResponse* out);

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_PASSAGES_CONVERT_H_
