// Validation of names, ids, metadata and parameters, with error messages
// that name the offending value. Every check returns INVALID_ARGUMENT.

#ifndef NEARDUP_SERVICE_INDEX_VALIDATE_H_
#define NEARDUP_SERVICE_INDEX_VALIDATE_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/index/types.h"

namespace neardup::index {

inline constexpr size_t kMaxCollectionNameBytes = 128;
inline constexpr size_t kMaxIdBytes = 1024;
inline constexpr size_t kMaxMetadataEntries = 64;
inline constexpr size_t kMaxMetadataBytes = 64 * 1024;

// Defaults for zero fields of CollectionParams.
inline constexpr double kDefaultThreshold = 0.8;
inline constexpr uint32_t kDefaultNumPerm = 128;
inline constexpr uint32_t kDefaultWordShingleSize = 4;
inline constexpr uint32_t kDefaultCharShingleSize = 4;

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

// Returns `params` with zero fields set to their defaults, or
// INVALID_ARGUMENT if a field is out of range: threshold in (0, 1],
// num_perm in [16, 1024], word_shingle_size in [1, 16], char_shingle_size
// in [1, 32], simhash_distance in [0, 3], passage_max_docs in [1, 100000].
absl::StatusOr<CollectionParams> ResolveCollectionParams(
    CollectionParams params);

}  // namespace neardup::index

#endif  // NEARDUP_SERVICE_INDEX_VALIDATE_H_
