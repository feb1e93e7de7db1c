#include "service/index/validate.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"
#include "service/text/utf8.h"

namespace neardup::index {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Returns `s` quoted, cut to 64 bytes (at a byte boundary; the message is
// for people and may show a broken last character).
std::string Quote(std::string_view s) {
  if (s.size() <= 64) return absl::StrCat("\"", AbslView(s), "\"");
  return absl::StrCat("\"", AbslView(s.substr(0, 64)), "...\"");
}

}  // namespace

absl::Status ValidateCollectionName(std::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError("collection name is empty");
  }
  if (name.size() > kMaxCollectionNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("collection name is ", name.size(),
                     " bytes; the limit is ", kMaxCollectionNameBytes));
  }
  if (name[0] == '.') {
    return absl::InvalidArgumentError(
        absl::StrCat("collection name must not start with '.': ", Quote(name)));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("collection name may only contain A-Z a-z 0-9 _ - . : ",
                       Quote(name)));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDocumentId(std::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("document id is empty");
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("document id is ", id.size(), " bytes; the limit is ",
                     kMaxIdBytes, ": ", Quote(id)));
  }
  return text::ValidateUtf8(id, "document id");
}

absl::Status ValidateMetadata(const Metadata& metadata) {
  if (metadata.size() > kMaxMetadataEntries) {
    return absl::InvalidArgumentError(
        absl::StrCat("metadata has ", metadata.size(),
                     " entries; the limit is ", kMaxMetadataEntries));
  }
  size_t bytes = 0;
  for (const auto& [key, value] : metadata) {
    if (key.empty()) return absl::InvalidArgumentError("metadata key is empty");
    NEARDUP_RETURN_IF_ERROR(text::ValidateUtf8(key, "metadata key"));
    NEARDUP_RETURN_IF_ERROR(text::ValidateUtf8(value, "metadata value"));
    bytes += key.size() + value.size();
  }
  if (bytes > kMaxMetadataBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metadata is ", bytes, " bytes; the limit is ", kMaxMetadataBytes));
  }
  return absl::OkStatus();
}

absl::Status ValidateBatchSize(size_t documents) {
  if (documents == 0) {
    return absl::InvalidArgumentError("batch has no documents");
  }
  if (documents > kMaxBatchDocuments) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch has ", documents, " documents; at most ",
                     kMaxBatchDocuments, " per call"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTopK(uint32_t top_k) {
  if (top_k <= kMaxTopK) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("top_k must be at most ", kMaxTopK, ": ", top_k));
}

absl::Status CheckDeadline(absl::Time deadline, std::string_view what) {
  if (absl::Now() < deadline) return absl::OkStatus();
  return absl::DeadlineExceededError(
      absl::StrCat("the call's deadline passed before ", AbslView(what)));
}

absl::StatusOr<ResolvedCheck> ResolveCheckOptions(double collection_threshold,
                                                  const CheckOptions& options) {
  NEARDUP_RETURN_IF_ERROR(ValidateTopK(options.top_k));
  ResolvedCheck out{collection_threshold,
                    options.top_k ? options.top_k : kDefaultTopK};
  const double requested = options.threshold;
  if (requested == 0) return out;
  NEARDUP_RETURN_IF_ERROR(CheckThreshold(requested));
  if (requested < collection_threshold) {
    return absl::InvalidArgumentError(absl::StrCat(
        "threshold ", requested, " is looser than the collection's ",
        collection_threshold, ": the index is tuned for ", collection_threshold,
        " and would miss pairs below it"));
  }
  out.threshold = requested;
  return out;
}

absl::Status RequirePassages(std::string_view name, bool passages) {
  if (passages) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("collection ", AbslView(name),
                   " keeps no passage index: create one with passages on "
                   "(neardup collections create NAME --passages)"));
}

absl::StatusOr<CollectionParams> ResolveCollectionParams(CollectionParams p) {
  auto fill = [](const UintParam& param, uint32_t* v) {
    if (*v == 0) *v = param.fallback;
    return CheckParam(param, *v);
  };
  if (p.threshold == 0) p.threshold = kDefaultThreshold;
  if (!p.fold_traditional.has_value()) {
    p.fold_traditional = kDefaultFoldTraditional;
  }
  if (!p.simhash_distance.has_value()) {
    p.simhash_distance = kSimHashDistanceParam.fallback;
  }
  if (!p.sync.has_value()) p.sync = kDefaultSync;
  if (!p.ack_replica.has_value()) p.ack_replica = false;
  if (!p.passages.has_value()) p.passages = kDefaultPassages;
  if (!p.collapse_repeats.has_value()) {
    p.collapse_repeats = kDefaultCollapseRepeats;
  }
  NEARDUP_RETURN_IF_ERROR(fill(kPassageMaxDocsParam, &p.passage_max_docs));
  NEARDUP_RETURN_IF_ERROR(
      CheckParam(kSimHashDistanceParam, *p.simhash_distance));
  NEARDUP_RETURN_IF_ERROR(CheckThreshold(p.threshold));
  NEARDUP_RETURN_IF_ERROR(fill(kNumPermParam, &p.num_perm));
  NEARDUP_RETURN_IF_ERROR(fill(kWordShingleParam, &p.word_shingle_size));
  NEARDUP_RETURN_IF_ERROR(fill(kCharShingleParam, &p.char_shingle_size));
  return p;
}

}  // namespace neardup::index
