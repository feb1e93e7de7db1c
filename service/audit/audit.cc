#include "service/audit/audit.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/audit/bucket.h"
#include "service/audit/cluster.h"
#include "service/audit/files.h"
#include "service/audit/marker.h"
#include "service/audit/sign.h"
#include "service/audit/verify.h"
#include "service/common/process_limits.h"
#include "service/common/status_macros.h"
#include "service/corpus/stream.h"
#include "service/engine/pipeline.h"
#include "service/passages/passages.h"
#include "service/report/text_format.h"

namespace neardup::audit {
namespace {

// A stage that has not run to its marker runs (again); one that has is
// skipped and reported as resumed. The marker gets the stage's seconds
// and peak memory.
absl::Status RunStage(const StageContext& ctx, const std::string& name,
                      const std::function<absl::Status(Marker*)>& body,
                      Marker* marker, StageRun* run) {
  const std::string path = absl::StrCat(ctx.dir, "/", name, ".done");
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> done, Marker::Read(path));
  *run = StageRun();
  run->name = name;
  if (done.has_value()) {
    *marker = *std::move(done);
    run->seconds = marker->Double("seconds");
    run->peak_memory_bytes = marker->Int("peak_memory");
    run->resumed = true;
    if (ctx.progress) {
      Progress p;
      p.stage = name;
      p.finished = true;
      p.resumed = true;
      ctx.progress(p);
    }
    return absl::OkStatus();
  }
  ResetPeakMemory();
  const absl::Time start = absl::Now();
  Marker m;
  NEARDUP_RETURN_IF_ERROR(body(&m));
  run->seconds = absl::ToDoubleSeconds(absl::Now() - start);
  run->peak_memory_bytes = PeakMemoryBytes();
  m.AddDouble("seconds", run->seconds);
  m.Add("peak_memory", run->peak_memory_bytes);
  NEARDUP_RETURN_IF_ERROR(m.Write(path));
  *marker = std::move(m);
  return absl::OkStatus();
}

// Copies standard input to `path` (once: a marker says it is whole).
absl::Status SpoolStdin(const std::string& path) {
  const std::string done = path + ".done";
  if (FileExists(done)) return absl::OkStatus();
  NEARDUP_ASSIGN_OR_RETURN(
      std::unique_ptr<corpus::ByteStream> in,
      corpus::ByteStream::Open("-", corpus::Compression::kNone));
  NEARDUP_ASSIGN_OR_RETURN(FileWriter out, FileWriter::Create(path));
  std::vector<char> buf(1 << 20);
  while (true) {
    NEARDUP_ASSIGN_OR_RETURN(size_t got, in->Read(buf.data(), buf.size()));
    if (got == 0) break;
    NEARDUP_RETURN_IF_ERROR(out.Append(buf.data(), got));
  }
  NEARDUP_RETURN_IF_ERROR(out.Close());
  return WriteFileAtomically(done, "");
}

// The text of some documents of a local audit, read again from the inputs.
struct FoundText {
  std::string content;
  text::InputOptions input;  // views `charset`
  std::string charset;
};

absl::StatusOr<std::map<uint64_t, FoundText>> ReadTexts(
    const std::vector<std::string>& inputs,
    const corpus::ReaderOptions& options, const SignedCorpus& corpus,
    const std::vector<uint64_t>& docs) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<corpus::Reader> all,
                           corpus::Reader::Open(inputs, options));
  // Wanted documents by source: (offset, document number).
  std::map<uint32_t, std::vector<std::pair<uint64_t, uint64_t>>> wanted;
  for (uint64_t d : docs) {
    NEARDUP_ASSIGN_OR_RETURN(DocRecord r, corpus.Doc(d));
    wanted[r.source].emplace_back(r.offset, d);
  }
  std::map<uint64_t, FoundText> out;
  for (auto& [source, want] : wanted) {
    if (source >= all->sources().size()) continue;
    corpus::ReaderOptions one = options;
    one.skip_bad = true;  // read once already: damage was dealt with
    std::sort(want.begin(), want.end());
    const corpus::Source& src = all->sources()[source];
    if (src.compression != corpus::Compression::kNone) {
      // No seeking in compressed data: one pass over the source for all
      // its documents, not one per document.
      NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<corpus::Reader> reader,
                               corpus::Reader::Open({src.path}, one));
      size_t next = 0;
      corpus::Document doc;
      while (next < want.size()) {
        NEARDUP_ASSIGN_OR_RETURN(bool more, reader->Next(&doc));
        if (!more) break;
        while (next < want.size() && want[next].first < doc.offset) ++next;
        for (; next < want.size() && want[next].first == doc.offset; ++next) {
          FoundText& t = out[want[next].second];
          t.content = doc.content;
          t.charset = doc.charset;
          t.input = InputOf(doc);
        }
      }
      continue;
    }
    for (const auto& [offset, d] : want) {
      NEARDUP_ASSIGN_OR_RETURN(DocRecord r, corpus.Doc(d));
      NEARDUP_ASSIGN_OR_RETURN(
          std::unique_ptr<corpus::Reader> reader,
          corpus::Reader::OpenAt(all->sources()[source], offset, r.line, one));
      corpus::Document doc;
      NEARDUP_ASSIGN_OR_RETURN(bool found, reader->Next(&doc));
      if (!found || doc.offset != offset) continue;  // the input changed
      FoundText& t = out[d];
      t.content = std::move(doc.content);
      t.charset = doc.charset;
      t.input = InputOf(doc);
    }
  }
  for (auto& [d, t] : out) t.input.charset = t.charset;
  return out;
}

// The local report stage.
absl::Status LocalReport(const StageContext& ctx, const SignedCorpus& corpus,
                         const AuditOptions& options,
                         const std::vector<std::string>& inputs,
                         const AuditSummary& summary) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<ReportWriter> writer,
                           ReportWriter::Create(ctx.dir));
  ProgressReporter progress(ctx, "report", "clusters");
  uint64_t n = 0;
  NEARDUP_RETURN_IF_ERROR(
      ForEachCluster(ctx, corpus, [&](ClusterView c) -> absl::Status {
        NEARDUP_RETURN_IF_ERROR(writer->Add(c));
        progress.Update(++n, summary.clusters);
        CrashPoint("report", n);
        return absl::OkStatus();
      }));
  // The largest clusters' representatives beside their least similar
  // members, read again from the inputs.
  std::vector<uint64_t> docs;
  for (const ClusterView& c : writer->Largest()) {
    docs.push_back(c.representative.doc);
    docs.push_back(LargestClusters::LeastSimilar(c).doc);
  }
  NEARDUP_ASSIGN_OR_RETURN(auto texts,
                           ReadTexts(inputs, options.reader, corpus, docs));
  const engine::Pipeline pipeline(ctx.params.pipeline);
  std::vector<SideBySide> views;
  for (const ClusterView& c : writer->Largest()) {
    const MemberView& m = LargestClusters::LeastSimilar(c);
    auto rep = texts.find(c.representative.doc);
    auto member = texts.find(m.doc);
    if (rep == texts.end() || member == texts.end()) continue;
    std::optional<SideBySide> v =
        MakeSideBySide(pipeline, c.number, m.id, std::move(rep->second.content),
                       rep->second.input, std::move(member->second.content),
                       member->second.input);
    if (v.has_value()) views.push_back(*std::move(v));
  }
  NEARDUP_RETURN_IF_ERROR(writer->Finish(summary, views));
  progress.Finish(n);
  return absl::OkStatus();
}

}  // namespace

absl::Status ClaimDirectory(const std::string& dir,
                            const std::string& identity) {
  NEARDUP_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string path = dir + "/audit.json";
  if (!FileExists(path)) return WriteFileAtomically(path, identity);
  NEARDUP_ASSIGN_OR_RETURN(std::string held, ReadFile(path));
  if (held == identity) return absl::OkStatus();
  if (held.rfind("{\"signed\":3,", 0) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " holds an audit written by an older neardup (", path,
        "), whose files this one does not read: give another --out "
        "directory, or remove this one"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat(dir, " holds an audit of other inputs or parameters (", path,
                   "): give another --out directory, or remove this one"));
}

std::optional<SideBySide> MakeSideBySide(
    const engine::Pipeline& pipeline, uint64_t cluster,
    const std::string& member_id, std::string rep_text,
    const text::InputOptions& rep_input, std::string member_text,
    const text::InputOptions& member_input) {
  absl::StatusOr<text::Analysis> a = pipeline.Analyze(rep_text, rep_input);
  absl::StatusOr<text::Analysis> b =
      pipeline.Analyze(member_text, member_input);
  if (!a.ok() || !b.ok()) return std::nullopt;
  SideBySide v;
  v.cluster = cluster;
  v.member_id = member_id;
  for (const passages::MatchedPassage& p : passages::Compare(*a, *b).passages) {
    v.representative_ranges.push_back({p.a.byte_start, p.a.byte_end});
    v.member_ranges.push_back({p.b.byte_start, p.b.byte_end});
  }
  v.representative_text = std::move(rep_text);
  v.member_text = std::move(member_text);
  return v;
}

absl::Status ForEachCluster(
    const StageContext& ctx, const SignedCorpus& corpus,
    const std::function<absl::Status(ClusterView)>& fn) {
  NEARDUP_ASSIGN_OR_RETURN(std::vector<uint32_t> order,
                           ReadVector<uint32_t>(ctx.dir + "/bucket/order.bin"));
  NEARDUP_ASSIGN_OR_RETURN(
      RandomAccessFile file,
      RandomAccessFile::Open(ctx.dir + "/cluster/clusters.bin"));
  auto view = [&](uint32_t rank, MemberView* m) -> absl::Status {
    const uint64_t doc = order[rank];
    NEARDUP_ASSIGN_OR_RETURN(DocRecord r, corpus.Doc(doc));
    NEARDUP_ASSIGN_OR_RETURN(m->id, corpus.Id(doc, r));
    m->doc = doc;
    m->words = r.tokens;
    m->bytes = r.content_bytes;
    return absl::OkStatus();
  };
  uint64_t pos = 0, number = 0;
  while (pos < file.size()) {
    ClusterHeader h;
    NEARDUP_RETURN_IF_ERROR(file.ReadAt(pos, sizeof(h), &h));
    pos += sizeof(h);
    std::vector<ClusterMember> members(h.members);
    NEARDUP_RETURN_IF_ERROR(file.ReadAt(
        pos, members.size() * sizeof(ClusterMember), members.data()));
    pos += members.size() * sizeof(ClusterMember);
    ClusterView c;
    c.number = ++number;
    NEARDUP_RETURN_IF_ERROR(view(h.representative, &c.representative));
    c.members.resize(members.size());
    for (size_t i = 0; i < members.size(); ++i) {
      MemberView& m = c.members[i];
      NEARDUP_RETURN_IF_ERROR(view(members[i].rank, &m));
      m.jaccard = members[i].jaccard;
      m.containment = members[i].containment;
      m.reverse_containment = members[i].reverse_containment;
      m.exact = members[i].exact != 0;
    }
    NEARDUP_RETURN_IF_ERROR(fn(std::move(c)));
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditSummary> RunStages(StageContext ctx,
                                       const std::string& identity,
                                       const SignFn& sign,
                                       const ReportFn& report,
                                       const std::string& stop_after) {
  NEARDUP_RETURN_IF_ERROR(ValidateParams(ctx.params));
  ctx.lsh = AuditLsh(ctx.params);
  // Five files are open per chunk of the signed corpus.
  neardup::RaiseOpenFileLimit();
  NEARDUP_RETURN_IF_ERROR(ClaimDirectory(ctx.dir, identity));
  const absl::Time start = absl::Now();
  AuditSummary s;
  s.params_json = ParamsJson(ctx.params);
  s.threads = ctx.threads;
  s.memory_limit = ctx.memory_limit;
  Marker m;
  StageRun run;
  NEARDUP_RETURN_IF_ERROR(RunStage(
      ctx, "sign", [&](Marker* out) { return sign(ctx, out); }, &m, &run));
  s.stages.push_back(run);
  s.documents = m.Int("documents");
  s.bad_documents = m.Int("bad");
  s.bytes = m.Int("bytes");
  s.damaged_files = m.Int("damaged_files");
  s.ignored_records = m.Int("ignored_records");
  s.problems = m.All("problem");

  NEARDUP_ASSIGN_OR_RETURN(
      std::unique_ptr<SignedCorpus> corpus,
      SignedCorpus::Open(ctx.dir + "/sign", ctx.params.pipeline.num_perm,
                         ctx.lsh, ctx.params.exact));
  if (corpus->documents() != s.documents) {
    return absl::DataLossError(
        absl::StrCat(ctx.dir, "/sign holds ", corpus->documents(),
                     " documents where its marker counts ", s.documents,
                     ": the audit directory is damaged"));
  }
  NEARDUP_RETURN_IF_ERROR(RunStage(
      ctx, "bucket", [&](Marker* out) { return Bucket(ctx, *corpus, out); }, &m,
      &run));
  s.stages.push_back(run);
  s.candidate_pairs = m.Int("candidate_pairs");
  NEARDUP_RETURN_IF_ERROR(RunStage(
      ctx, "verify", [&](Marker* out) { return Verify(ctx, *corpus, out); }, &m,
      &run));
  s.stages.push_back(run);
  s.verified_pairs = m.Int("edges");
  const uint32_t parts = static_cast<uint32_t>(m.Int("parts"));
  NEARDUP_RETURN_IF_ERROR(RunStage(
      ctx, "cluster", [&](Marker* out) { return Cluster(ctx, parts, out); }, &m,
      &run));
  s.stages.push_back(run);
  s.clusters = m.Int("clusters");
  s.largest_cluster = m.Int("largest_cluster");
  s.exact_duplicates = m.Int("exact_duplicates");
  s.near_duplicates = m.Int("near_duplicates");
  s.with_components = ctx.params.components;
  s.components = m.Int("components");
  s.largest_component = m.Int("largest_component");
  if (stop_after == "cluster") return s;
  NEARDUP_RETURN_IF_ERROR(RunStage(
      ctx, "report", [&](Marker*) { return report(ctx, *corpus, s); }, &m,
      &run));
  s.stages.push_back(run);
  s.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  for (const StageRun& r : s.stages) {
    if (r.resumed) s.seconds += r.seconds;
  }
  return s;
}

std::string AuditIdentity(const AuditOptions& options) {
  // What the directory is an audit of: inputs as given and parameters.
  // "signed": the format of the signed corpus (2: with SimHash and
  // repeated fraction, which bulk import stores; 3: band and digest
  // entries numbered within their chunk).
  std::string identity = "{\"signed\":3,\"inputs\":[";
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    absl::StrAppend(&identity, i ? "," : "",
                    report::JsonString(options.inputs[i]));
  }
  absl::StrAppend(
      &identity, "],\"id_field\":", report::JsonString(options.reader.id_field),
      ",\"text_field\":", report::JsonString(options.reader.text_field),
      ",\"skip_bad\":", options.reader.skip_bad ? "true" : "false",
      ",\"parameters\":", ParamsJson(options.params), "}\n");
  return identity;
}

absl::StatusOr<AuditSummary> RunAudit(const AuditOptions& options) {
  if (options.out_dir.empty()) {
    return absl::InvalidArgumentError("no output directory (--out)");
  }
  if (options.memory_limit < kMinMemoryLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--memory-limit must be at least ", kMinMemoryLimit >> 20, " MB"));
  }
  const std::string identity = AuditIdentity(options);
  std::vector<std::string> inputs = options.inputs;
  for (std::string& in : inputs) {
    if (in != "-") continue;
    NEARDUP_RETURN_IF_ERROR(ValidateParams(options.params));
    // Refuse a directory of another audit before writing into it.
    NEARDUP_RETURN_IF_ERROR(ClaimDirectory(options.out_dir, identity));
    // Copied once: an audit started again over this directory reads the
    // copy, not what is piped in then.
    NEARDUP_RETURN_IF_ERROR(MakeDirs(options.out_dir + "/input"));
    in = options.out_dir + "/input/stdin.jsonl";
    NEARDUP_RETURN_IF_ERROR(SpoolStdin(in));
  }

  StageContext ctx;
  ctx.dir = options.out_dir;
  ctx.params = options.params;
  ctx.threads = options.threads > 0 ? options.threads : AvailableCores();
  ctx.memory_limit = options.memory_limit;
  ctx.progress = options.progress;
  Executor executor({ctx.threads, 64});
  ctx.executor = &executor;
  NEARDUP_ASSIGN_OR_RETURN(
      AuditSummary s, RunStages(
                          ctx, identity,
                          [&](const StageContext& c, Marker* m) {
                            return SignCorpus(c, inputs, options.reader, m);
                          },
                          [&](const StageContext& c, const SignedCorpus& corpus,
                              const AuditSummary& summary) {
                            AuditSummary with_inputs = summary;
                            with_inputs.inputs = options.inputs;
                            return LocalReport(c, corpus, options, inputs,
                                               with_inputs);
                          },
                          options.stop_after));
  if (!options.stop_after.empty()) return s;
  s.inputs = options.inputs;
  NEARDUP_RETURN_IF_ERROR(WriteSummary(options.out_dir, s));
  return s;
}

}  // namespace neardup::audit
