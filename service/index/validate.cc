#include "service/index/validate.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"
#include "service/sketch/simhash.h"
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

absl::StatusOr<CollectionParams> ResolveCollectionParams(CollectionParams p) {
  if (p.threshold == 0) p.threshold = kDefaultThreshold;
  if (p.num_perm == 0) p.num_perm = kDefaultNumPerm;
  if (p.word_shingle_size == 0) p.word_shingle_size = kDefaultWordShingleSize;
  if (p.char_shingle_size == 0) p.char_shingle_size = kDefaultCharShingleSize;
  if (!p.fold_traditional.has_value()) p.fold_traditional = true;
  if (!p.simhash_distance.has_value()) p.simhash_distance = 0;
  if (!p.sync.has_value()) p.sync = false;
  if (!p.passages.has_value()) p.passages = false;
  if (p.passage_max_docs == 0) p.passage_max_docs = kDefaultPassageMaxDocs;
  if (!p.collapse_repeats.has_value()) p.collapse_repeats = true;
  if (p.passage_max_docs > kMaxPassageMaxDocs) {
    return absl::InvalidArgumentError(
        absl::StrCat("passage_max_docs must be in [1, ", kMaxPassageMaxDocs,
                     "]: ", p.passage_max_docs));
  }
  if (*p.simhash_distance >
      static_cast<uint32_t>(sketch::kMaxSimHashDistance)) {
    return absl::InvalidArgumentError(
        absl::StrCat("simhash_distance must be in [0, ",
                     sketch::kMaxSimHashDistance, "]: ", *p.simhash_distance));
  }
  if (!(p.threshold > 0 && p.threshold <= 1)) {  // also rejects NaN
    return absl::InvalidArgumentError(
        absl::StrCat("threshold must be in (0, 1]: ", p.threshold));
  }
  if (p.num_perm < 16 || p.num_perm > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_perm must be in [16, 1024]: ", p.num_perm));
  }
  if (p.word_shingle_size > 16) {
    return absl::InvalidArgumentError(absl::StrCat(
        "word_shingle_size must be in [1, 16]: ", p.word_shingle_size));
  }
  if (p.char_shingle_size > 32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "char_shingle_size must be in [1, 32]: ", p.char_shingle_size));
  }
  return p;
}

}  // namespace neardup::index
