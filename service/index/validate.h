// Validation of names, ids, metadata and parameters, with error messages
// that name the offending value. Every check returns INVALID_ARGUMENT.

#ifndef NEARDUP_SERVICE_INDEX_VALIDATE_H_
#define NEARDUP_SERVICE_INDEX_VALIDATE_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/index/params.h"
#include "service/index/types.h"

namespace neardup::index {

inline constexpr size_t kMaxCollectionNameBytes = 128;
inline constexpr size_t kMaxIdBytes = 1024;
inline constexpr size_t kMaxMetadataEntries = 64;
inline constexpr size_t kMaxMetadataBytes = 64 * 1024;

// OK for 1-128 bytes of [A-Za-z0-9_.-] not starting with '.'.
absl::Status ValidateCollectionName(std::string_view name);

// OK for 1-1024 bytes of valid UTF-8.
absl::Status ValidateDocumentId(std::string_view id);

// OK for at most 64 entries and 64 KiB of keys and values, all valid
// UTF-8, no empty key.
absl::Status ValidateMetadata(const Metadata& metadata);

// OK for 1 to kMaxBatchDocuments documents in one CheckAndAddBatch;
// INVALID_ARGUMENT naming the count otherwise.
absl::Status ValidateBatchSize(size_t documents);

// OK for a top_k of at most kMaxTopK (0 means kDefaultTopK).
absl::Status ValidateTopK(uint32_t top_k);

// What a Check of a collection with threshold `collection_threshold` uses:
// the collection's threshold unless `options` asks for a stricter one
// (never a looser one: the bands are tuned for the collection's), and
// kDefaultTopK for 0. INVALID_ARGUMENT otherwise.
// DEADLINE_EXCEEDED if `deadline` has passed: "the call's deadline passed
// before <what>".
absl::Status CheckDeadline(absl::Time deadline, std::string_view what);

struct ResolvedCheck {
  double threshold = 0;
  uint32_t top_k = 0;
};
absl::StatusOr<ResolvedCheck> ResolveCheckOptions(double collection_threshold,
                                                  const CheckOptions& options);

// OK if collection `name` keeps a passage index (`passages`);
// FAILED_PRECONDITION saying how to make one otherwise.
absl::Status RequirePassages(std::string_view name, bool passages);

// Returns `params` with zero or unset fields set to their defaults, or
// INVALID_ARGUMENT if a field is out of its range (params.h).
absl::StatusOr<CollectionParams> ResolveCollectionParams(
    CollectionParams params);

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_VALIDATE_H_
