#include "service/engine/engine.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"
#include "service/index/validate.h"

namespace neardup::engine {
namespace {

// Returns `s` with its message prefixed by `which` ("a: no text: ...").
absl::Status Named(const absl::Status& s, std::string_view which) {
  return absl::Status(
      s.code(), absl::StrCat(absl::string_view(which.data(), which.size()),
                             ": ", s.message()));
}

}  // namespace

absl::StatusOr<index::CollectionInfo> Engine::CreateCollection(
    std::string_view name, const index::CollectionParams& params) {
  return store_->CreateCollection(name, params);
}

absl::StatusOr<index::CollectionInfo> Engine::GetCollection(
    std::string_view name) const {
  return store_->GetCollection(name);
}

std::vector<index::CollectionInfo> Engine::ListCollections() const {
  return store_->ListCollections();
}

absl::StatusOr<uint64_t> Engine::DropCollection(std::string_view name) {
  return store_->DropCollection(name);
}

absl::StatusOr<index::PreparedDocument> Engine::Prepare(
    const index::CollectionInfo& c, const Pipeline& pipeline,
    const DocumentInput& doc, bool with_id) const {
  if (with_id) {
    // Before the analysis, which costs far more than these checks.
    NEARDUP_RETURN_IF_ERROR(index::ValidateDocumentId(doc.id));
    NEARDUP_RETURN_IF_ERROR(index::ValidateMetadata(doc.metadata));
  }
  NEARDUP_ASSIGN_OR_RETURN(PreparedText p,
                           pipeline.Prepare(doc.content, doc.input));
  index::PreparedDocument out;
  out.collection_id = c.id;
  out.id = doc.id;
  out.metadata = doc.metadata;
  out.keys = index::KeysOf(p.fp, c.lsh, *c.params.simhash_distance);
  out.fp = std::move(p.fp);
  if (pipeline.params().passage_fingerprints) {
    // Stored with how it was read, so that Search reads the same tokens.
    out.passages = PassageInputOf(&p, doc.content, doc.input);
  }
  out.stats = std::move(p.stats);
  return out;
}

absl::StatusOr<bool> Importer::Add(
    std::string_view id, index::Metadata metadata, sketch::Fingerprint fp,
    const index::DocumentStats& stats,
    std::optional<index::PassageInput> passages) {
  if (fp.minhash.size() != collection_.params.num_perm) {
    return absl::InvalidArgumentError(absl::StrCat(
        "document ", std::string(id), " was not fingerprinted for collection ",
        collection_.name, " (", collection_.params.num_perm,
        " MinHash values expected, got ", fp.minhash.size(), ")"));
  }
  index::PreparedDocument doc;
  doc.collection_id = collection_.id;
  doc.id = id;
  doc.metadata = std::move(metadata);
  doc.keys =
      index::KeysOf(fp, collection_.lsh, *collection_.params.simhash_distance);
  doc.fp = std::move(fp);
  doc.stats = stats;
  doc.passages = std::move(passages);
  return import_->Add(doc);
}

absl::StatusOr<std::unique_ptr<Importer>> Engine::BeginImport(
    std::string_view collection, const PipelineParams& signer,
    uint32_t fingerprint_version) {
  NEARDUP_ASSIGN_OR_RETURN(index::CollectionInfo c,
                           store_->FindCollection(collection));
  const PipelineParams mine = ParamsOf(c);
  auto differs = [&](const char* what, const auto& theirs, const auto& ours) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the documents were fingerprinted with ", what, " ", theirs,
        ", collection ", std::string(collection), " uses ", ours));
  };
  auto name = [](bool b) { return b ? "true" : "false"; };
  if (fingerprint_version != sketch::kFingerprintVersion) {
    return differs("fingerprint version", fingerprint_version,
                   sketch::kFingerprintVersion);
  }
  if (signer.num_perm != mine.num_perm) {
    return differs("num_perm", signer.num_perm, mine.num_perm);
  }
  if (signer.text.shingle.word_size != mine.text.shingle.word_size) {
    return differs("word_shingle_size", signer.text.shingle.word_size,
                   mine.text.shingle.word_size);
  }
  if (signer.text.shingle.char_size != mine.text.shingle.char_size) {
    return differs("char_shingle_size", signer.text.shingle.char_size,
                   mine.text.shingle.char_size);
  }
  if (signer.text.fold_traditional != mine.text.fold_traditional) {
    return differs("fold_traditional", name(signer.text.fold_traditional),
                   name(mine.text.fold_traditional));
  }
  if (signer.collapse_repeats != mine.collapse_repeats) {
    return differs("collapse_repeats", name(signer.collapse_repeats),
                   name(mine.collapse_repeats));
  }
  if (signer.text.shingle.seed != mine.text.shingle.seed ||
      signer.minhash_seed != mine.minhash_seed) {
    return differs("seeds", "of another build", "its own");
  }
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<index::BulkImport> import,
                           store_->BeginImport(collection));
  return std::make_unique<Importer>(std::move(c), std::move(import));
}

absl::StatusOr<index::AddResult> Engine::Add(std::string_view collection,
                                             const DocumentInput& doc,
                                             bool upsert, absl::Time deadline) {
  NEARDUP_ASSIGN_OR_RETURN(index::CollectionInfo c,
                           store_->FindCollection(collection));
  const Pipeline pipeline(ParamsOf(c));
  NEARDUP_ASSIGN_OR_RETURN(index::PreparedDocument prepared,
                           Prepare(c, pipeline, doc, /*with_id=*/true));
  return store_->Add(collection, prepared, upsert, deadline);
}

absl::StatusOr<index::CheckResult> Engine::Check(
    std::string_view collection, const DocumentInput& doc,
    const index::CheckOptions& options) const {
  NEARDUP_ASSIGN_OR_RETURN(index::CollectionInfo c,
                           store_->FindCollection(collection));
  NEARDUP_RETURN_IF_ERROR(
      index::ResolveCheckOptions(c.params.threshold, options).status());
  const Pipeline pipeline(ParamsOf(c));
  NEARDUP_ASSIGN_OR_RETURN(index::PreparedDocument prepared,
                           Prepare(c, pipeline, doc, /*with_id=*/false));
  NEARDUP_RETURN_IF_ERROR(
      index::CheckDeadline(options.deadline, "the document was searched"));
  return store_->Check(collection, prepared, options);
}

absl::StatusOr<index::CheckResult> Engine::CheckAndAdd(
    std::string_view collection, const DocumentInput& doc,
    const index::CheckOptions& options) {
  NEARDUP_ASSIGN_OR_RETURN(auto results,
                           CheckAndAddBatch(collection, {&doc, 1}, options));
  return std::move(results[0]);
}

absl::StatusOr<std::vector<absl::StatusOr<index::CheckResult>>>
Engine::CheckAndAddBatch(std::string_view collection,
                         absl::Span<const DocumentInput> docs,
                         const index::CheckOptions& options) {
  // Empty is allowed: the api passes on only the documents it could
  // convert, which may be none.
  if (!docs.empty()) {
    NEARDUP_RETURN_IF_ERROR(index::ValidateBatchSize(docs.size()));
  }
  NEARDUP_ASSIGN_OR_RETURN(index::CollectionInfo c,
                           store_->FindCollection(collection));
  NEARDUP_RETURN_IF_ERROR(
      index::ResolveCheckOptions(c.params.threshold, options).status());
  // Documents that cannot be read fail alone; the rest go to the store
  // together. `where[j]` is the batch position of prepared[j].
  const Pipeline pipeline(ParamsOf(c));
  std::vector<absl::StatusOr<index::CheckResult>> results(docs.size());
  std::vector<index::PreparedDocument> prepared;
  std::vector<size_t> where;
  prepared.reserve(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    absl::Status late = index::CheckDeadline(
        options.deadline, "the document was read; nothing was stored");
    absl::StatusOr<index::PreparedDocument> p =
        late.ok() ? Prepare(c, pipeline, docs[i], /*with_id=*/true)
                  : absl::StatusOr<index::PreparedDocument>(late);
    if (!p.ok()) {
      results[i] = p.status();
      continue;
    }
    prepared.push_back(*std::move(p));
    where.push_back(i);
  }
  NEARDUP_ASSIGN_OR_RETURN(
      auto stored, store_->CheckAndAddBatch(collection, prepared, options));
  for (size_t j = 0; j < stored.size(); ++j) {
    results[where[j]] = std::move(stored[j]);
  }
  return results;
}

absl::StatusOr<index::StoredDocument> Engine::Get(std::string_view collection,
                                                  std::string_view id) const {
  return store_->Get(collection, id);
}

absl::Status Engine::Delete(std::string_view collection, std::string_view id) {
  return store_->Delete(collection, id);
}

absl::StatusOr<index::IntegrityReport> Engine::Verify() const {
  return store_->Verify();
}

absl::StatusOr<passages::Repeats> Engine::Repeats(const DocumentInput& doc) {
  absl::StatusOr<text::Analysis> a =
      text::Analyze(doc.content, text::TextParams(), doc.input);
  if (!a.ok()) return Named(a.status(), "document");
  return passages::FindRepeats(doc.content, *a);
}

absl::StatusOr<passages::Comparison> Engine::Compare(const DocumentInput& a,
                                                     const DocumentInput& b) {
  absl::StatusOr<text::Analysis> ta =
      text::Analyze(a.content, text::TextParams(), a.input);
  if (!ta.ok()) return Named(ta.status(), "a");
  absl::StatusOr<text::Analysis> tb =
      text::Analyze(b.content, text::TextParams(), b.input);
  if (!tb.ok()) return Named(tb.status(), "b");
  return passages::Compare(*ta, *tb);
}

}  // namespace neardup::engine
