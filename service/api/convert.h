// Conversions between neardup.v1 messages and engine/index types.

#ifndef NEARDUP_SERVICE_API_CONVERT_H_
#define NEARDUP_SERVICE_API_CONVERT_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "neardup/v1/neardup.pb.h"
#include "service/engine/types.h"
#include "service/index/types.h"

namespace neardup::api {

index::CollectionParams FromProto(const v1::CollectionParams& p);
void ToProto(const index::CollectionInfo& info, v1::Collection* out);
void ToProto(const index::DocumentStats& stats, v1::DocumentStats* out);
void ToProto(const index::CheckResult& result, v1::CheckResponse* out);
void ToProto(const index::CheckResult& result, v1::CheckAndAddResponse* out);
// `with_fingerprint`: fill out->fingerprint too
// (GetRequest.include_fingerprint).
void ToProto(const index::StoredDocument& doc, bool with_fingerprint,
             v1::StoredDocument* out);

// Returns the engine's view of `doc`: views into `doc`, which must outlive
// the result. INVALID_ARGUMENT for an unsupported content_type.
absl::StatusOr<engine::DocumentInput> FromProto(const v1::Document& doc);

}  // namespace neardup::api

#endif  // NEARDUP_SERVICE_API_CONVERT_H_
