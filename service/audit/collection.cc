#include "service/audit/collection.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "service/audit/audit.h"
#include "service/audit/files.h"
#include "service/audit/signed.h"
#include "service/common/status_macros.h"
#include "service/engine/pipeline.h"

namespace neardup::audit {
namespace {

// The sign stage of a collection audit: stored fingerprints into chunks.
// A document's `offset` is its stored number, for reading its text back.
absl::Status Export(const StageContext& ctx,
                    const index::CollectionSnapshot& snapshot, Marker* stats) {
  const std::string dir = ctx.dir + "/sign";
  NEARDUP_RETURN_IF_ERROR(RemoveAll(dir));
  NEARDUP_RETURN_IF_ERROR(MakeDirs(dir));
  const size_t max_docs = static_cast<size_t>(
      std::clamp<uint64_t>(ctx.memory_limit / (16 * 2048), 1024, 1 << 20));
  engine::PipelineParams params = ctx.params.pipeline;
  params.keep_shingle_set = true;
  params.passage_fingerprints = false;
  const engine::Pipeline pipeline(params);
  ProgressReporter progress(ctx, "sign", "documents");
  std::vector<SignedDocument> chunk;
  uint64_t first = 0, bytes = 0;
  uint32_t index = 0;
  auto flush = [&]() -> absl::Status {
    if (chunk.empty()) return absl::OkStatus();
    if (ctx.params.exact) {
      // Exact sets come from the stored texts, read as they were stored.
      std::vector<absl::Status> errors(chunk.size());
      ParallelFor(ctx.executor, chunk.size(), [&](size_t i) {
        absl::StatusOr<index::StoredText> t = snapshot.Text(chunk[i].offset);
        absl::StatusOr<engine::PreparedText> p =
            t.ok() ? pipeline.PrepareStored(*t)
                   : absl::StatusOr<engine::PreparedText>(t.status());
        if (p.ok()) {
          chunk[i].shingle_set = std::move(p->shingle_set);
        } else {
          errors[i] = p.status();
        }
      });
      for (size_t i = 0; i < chunk.size(); ++i) {
        if (!errors[i].ok()) {
          return absl::DataLossError(
              absl::StrCat("stored document ", chunk[i].id,
                           " no longer reads: ", errors[i].message()));
        }
      }
    }
    NEARDUP_RETURN_IF_ERROR(WriteChunk(dir, index++, first, chunk, {}, ctx.lsh,
                                       ctx.params.exact, ctx.executor));
    first += chunk.size();
    progress.Update(first, snapshot.info().document_count);
    chunk.clear();
    return absl::OkStatus();
  };
  NEARDUP_RETURN_IF_ERROR(
      snapshot.ForEach([&](const index::StoredFingerprint& f) -> absl::Status {
        SignedDocument d;
        d.id = f.id;
        d.offset = f.docnum;
        d.content_bytes = f.content_bytes;
        d.fp = f.fp;
        bytes += f.content_bytes;
        chunk.push_back(std::move(d));
        if (chunk.size() >= max_docs) {
          NEARDUP_RETURN_IF_ERROR(ctx.CheckCancelled());
          return flush();
        }
        return absl::OkStatus();
      }));
  NEARDUP_RETURN_IF_ERROR(flush());
  if (first == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "collection ", snapshot.info().name, " holds no documents to audit"));
  }
  progress.Finish(first);
  stats->Add("documents", first);
  stats->Add("bad", uint64_t{0});
  stats->Add("bytes", bytes);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AuditSummary> AuditCollection(
    const index::Store& store, std::string_view collection,
    const CollectionAuditOptions& options, const CollectionAuditSink& sink) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<index::CollectionSnapshot> snapshot,
                           store.Snapshot(collection));
  const index::CollectionInfo& info = snapshot->info();
  const bool texts = info.params.passages.value_or(false);
  if (options.exact && !texts) {
    return absl::FailedPreconditionError(absl::StrCat(
        "exact verification reads the stored texts, and collection ", info.name,
        " keeps none: create it with --passages"));
  }
  if (options.work_dir.empty()) {
    return absl::InternalError("no work directory for the audit");
  }
  StageContext ctx;
  ctx.dir = options.work_dir;
  ctx.params.threshold =
      options.threshold > 0 ? options.threshold : info.params.threshold;
  ctx.params.containment = options.containment;
  ctx.params.exact = options.exact;
  ctx.params.components = options.components;
  ctx.params.keep = options.keep;
  ctx.params.pipeline = engine::ParamsOf(info);
  ctx.threads = options.threads > 0 ? options.threads : AvailableCores();
  ctx.memory_limit = options.memory_limit;
  ctx.progress = options.progress;
  ctx.cancelled = options.cancelled;
  Executor executor({ctx.threads, 64});
  ctx.executor = &executor;
  NEARDUP_RETURN_IF_ERROR(RemoveAll(ctx.dir));
  const std::string identity =
      absl::StrCat("{\"collection\":\"", info.name, "\",\"id\":", info.id,
                   ",\"parameters\":", ParamsJson(ctx.params), "}\n");
  absl::StatusOr<AuditSummary> s = RunStages(
      ctx, identity,
      [&](const StageContext& c, Marker* m) { return Export(c, *snapshot, m); },
      [&](const StageContext& c, const SignedCorpus& corpus,
          const AuditSummary& summary) -> absl::Status {
        ProgressReporter progress(c, "report", "clusters");
        LargestClusters largest;
        uint64_t n = 0;
        NEARDUP_RETURN_IF_ERROR(
            ForEachCluster(c, corpus, [&](ClusterView cluster) -> absl::Status {
              largest.Offer(cluster);
              progress.Update(++n, summary.clusters);
              return sink.cluster(std::move(cluster));
            }));
        if (!options.with_texts || !texts) {
          progress.Finish(n);
          return absl::OkStatus();
        }
        const engine::Pipeline pipeline(c.params.pipeline);
        for (const ClusterView& cluster : largest.clusters()) {
          const MemberView& m = LargestClusters::LeastSimilar(cluster);
          // The stored number of an audited document is its `offset`.
          NEARDUP_ASSIGN_OR_RETURN(DocRecord rr,
                                   corpus.Doc(cluster.representative.doc));
          NEARDUP_ASSIGN_OR_RETURN(DocRecord mr, corpus.Doc(m.doc));
          NEARDUP_ASSIGN_OR_RETURN(index::StoredText rt,
                                   snapshot->Text(rr.offset));
          NEARDUP_ASSIGN_OR_RETURN(index::StoredText mt,
                                   snapshot->Text(mr.offset));
          std::optional<SideBySide> v = MakeSideBySide(
              pipeline, cluster.number, m.id, rt.content, engine::ReadingOf(rt),
              mt.content, engine::ReadingOf(mt));
          if (v.has_value()) {
            NEARDUP_RETURN_IF_ERROR(sink.side_by_side(*std::move(v)));
          }
        }
        progress.Finish(n);
        return absl::OkStatus();
      });
  RemoveAll(ctx.dir).IgnoreError();  // scratch; a leftover is cleared later
  if (!s.ok()) return s.status();
  s->collection = info.name;
  return s;
}

}  // namespace neardup::audit
