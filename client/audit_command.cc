#include "client/audit_command.h"

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "service/audit/audit.h"
#include "service/audit/files.h"
#include "service/audit/report.h"
#include "service/common/status_macros.h"
#include "service/report/text_format.h"

namespace neardup::client {
namespace {

using report::WithCommas;

std::string Clock(double seconds) {
  if (!(seconds < 360000)) return "--:--";  // 100 hours: an estimate, not yet
  const int s = static_cast<int>(seconds + 0.5);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

enum class ProgressMode { kNone, kText, kJson };

// Prints audit progress to `err`.
class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream* err, ProgressMode mode)
      : err_(err), mode_(mode) {}

  void operator()(const audit::Progress& p) {
    if (mode_ == ProgressMode::kJson) {
      *err_ << absl::StrFormat(
                   "{\"stage\":\"%s\",\"unit\":\"%s\",\"done\":%d,"
                   "\"total\":%d,\"bytes\":%d,\"total_bytes\":%d,"
                   "\"seconds\":%.2f,\"finished\":%s,\"resumed\":%s}",
                   std::string(p.stage), std::string(p.unit), p.done, p.total,
                   p.bytes, p.total_bytes, p.seconds,
                   p.finished ? "true" : "false", p.resumed ? "true" : "false")
            << std::endl;
      return;
    }
    if (mode_ != ProgressMode::kText) return;
    std::string line = absl::StrFormat("%-8s", std::string(p.stage));
    if (p.resumed) {
      absl::StrAppend(&line, "done by an earlier run");
    } else {
      absl::StrAppend(&line, WithCommas(p.done));
      if (p.total > 0) absl::StrAppend(&line, " / ", WithCommas(p.total));
      absl::StrAppend(&line, " ", std::string(p.unit));
      if (p.total_bytes > 0) {
        const double mb = p.bytes / 1e6,
                     rate = p.seconds > 0 ? mb / p.seconds : 0;
        absl::StrAppendFormat(&line, "   %.1f / %.1f MB   %.1f MB/s", mb,
                              p.total_bytes / 1e6, rate);
        if (rate > 0 && !p.finished && p.total_bytes > p.bytes) {
          absl::StrAppend(&line, "   ETA ",
                          Clock((p.total_bytes - p.bytes) / 1e6 / rate));
        }
      }
      absl::StrAppend(&line, "   ", Clock(p.seconds));
    }
    *err_ << "\r" << absl::StrFormat("%-79s", line) << (p.finished ? "\n" : "")
          << std::flush;
  }

 private:
  std::ostream* const err_;
  const ProgressMode mode_;
};

// Options of `audit` that only a local audit takes.
constexpr const char* kLocalOnly[] = {
    "threads",      "memory-limit", "id-field",
    "text-field",   "skip-bad",     "num-perm",
    "word-shingle", "char-shingle", "no-fold-traditional",
    "keep-repeats"};

absl::Status Usage(AuditEnvironment* env, const std::string& message) {
  env->usage_error = true;
  return absl::InvalidArgumentError(message);
}

void PrintResult(const audit::AuditSummary& s, const std::string& dir,
                 std::ostream* out) {
  const uint64_t kept =
      s.documents - s.bad_documents - s.exact_duplicates - s.near_duplicates;
  *out << absl::StrFormat(
      "audited %s documents (%.1f MB) in %.1f s: %s clusters, %s exact and "
      "%s near duplicates, %s kept\n",
      WithCommas(s.documents), s.bytes / 1e6, s.seconds, WithCommas(s.clusters),
      WithCommas(s.exact_duplicates), WithCommas(s.near_duplicates),
      WithCommas(kept));
  if (s.bad_documents > 0 || s.damaged_files > 0) {
    *out << absl::StrFormat(
        "skipped %s unreadable documents and %s damaged files (summary.json "
        "lists the first)\n",
        WithCommas(s.bad_documents), WithCommas(s.damaged_files));
  }
  *out << "report: " << dir << "/report.html (clusters.jsonl, "
       << "duplicates.tsv, summary.json beside it)\n";
}

// A collection audit through the server, written as a local one is.
absl::Status AuditCollection(const Args& args, const audit::AuditParams& p,
                             const std::string& dir, ProgressPrinter* progress,
                             AuditEnvironment* env, audit::AuditSummary* out) {
  v1::AuditRequest req;
  req.set_collection(args.Value("collection"));
  if (args.Has("threshold")) req.set_threshold(p.threshold);
  req.set_containment(p.containment);
  req.set_exact(p.exact);
  req.set_components(p.components);
  req.set_keep(audit::KeepName(p.keep));
  req.set_with_texts(true);
  absl::StatusOr<Client*> client = env->connect();
  if (!client.ok()) return client.status();
  // A local audit's directory would keep its markers beside the
  // collection's outputs and resume into a mix of both.
  if (audit::FileExists(dir + "/audit.json")) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir,
                     " holds a local audit (audit.json): give another "
                     "--out directory, or remove this one"));
  }
  absl::Status s = audit::MakeDirs(dir);
  if (!s.ok()) return s;
  absl::StatusOr<std::unique_ptr<audit::ReportWriter>> writer =
      audit::ReportWriter::Create(dir);
  if (!writer.ok()) return writer.status();
  std::vector<audit::SideBySide> views;
  bool summarized = false;
  auto member = [](const v1::AuditMember& m) {
    audit::MemberView v;
    v.id = m.id();
    v.words = m.words();
    v.bytes = m.bytes();
    v.jaccard = m.jaccard();
    v.containment = m.containment();
    v.reverse_containment = m.reverse_containment();
    v.exact = m.exact();
    return v;
  };
  s = (*client)->Audit(req, [&](const v1::AuditResponse& m) -> absl::Status {
    if (m.has_progress()) {
      audit::Progress pr;
      pr.stage = m.progress().stage();
      pr.unit = m.progress().unit();
      pr.done = m.progress().done();
      pr.total = m.progress().total();
      pr.seconds = m.progress().seconds();
      pr.finished = m.progress().finished();
      (*progress)(pr);
    } else if (m.has_clusters()) {
      for (const v1::AuditCluster& c : m.clusters().clusters()) {
        audit::ClusterView v;
        v.number = c.number();
        v.representative = member(c.representative());
        for (const v1::AuditMember& x : c.members()) {
          v.members.push_back(member(x));
        }
        absl::Status added = (*writer)->Add(v);
        if (!added.ok()) return added;
      }
    } else if (m.has_side_by_side()) {
      const v1::AuditSideBySide& b = m.side_by_side();
      audit::SideBySide v;
      v.cluster = b.cluster();
      v.member_id = b.member_id();
      v.representative_text = b.representative_content();
      v.member_text = b.member_content();
      for (const v1::TextSpan& t : b.representative_passages()) {
        v.representative_ranges.push_back({t.byte_start(), t.byte_end()});
      }
      for (const v1::TextSpan& t : b.member_passages()) {
        v.member_ranges.push_back({t.byte_start(), t.byte_end()});
      }
      views.push_back(std::move(v));
    } else if (m.has_summary()) {
      const v1::AuditSummary& x = m.summary();
      out->collection = req.collection();
      out->params_json = x.parameters_json();
      out->documents = x.documents();
      out->bytes = x.bytes();
      out->candidate_pairs = x.candidate_pairs();
      out->verified_pairs = x.verified_pairs();
      out->clusters = x.clusters();
      out->largest_cluster = x.largest_cluster();
      out->exact_duplicates = x.exact_duplicates();
      out->near_duplicates = x.near_duplicates();
      out->with_components = p.components;
      out->components = x.components();
      out->largest_component = x.largest_component();
      for (const v1::AuditStage& st : x.stages()) {
        out->stages.push_back(
            {st.stage(), st.seconds(), st.peak_memory_bytes(), false});
      }
      out->seconds = x.seconds();
      out->threads = x.threads();
      summarized = true;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!summarized) {
    return absl::DataLossError("the server's audit stream ended early");
  }
  s = (*writer)->Finish(*out, views);
  if (!s.ok()) return s;
  return audit::WriteSummary(dir, *out);
}

}  // namespace

const char* AuditUsage() {
  return R"(Audits (clusters of near duplicates in a whole corpus):
  audit INPUT... --out DIR [--threshold T] [--threads N]
      Locally, no server, on every core. INPUT: files and directories
      (each file a document, id = its path), JSON Lines (.jsonl, .ndjson,
      plain, .gz or .zst; - for standard input; fields --id-field and
      --text-field, default id and text), WARC (.warc, .warc.gz: response
      and resource records, id = WARC-Target-URI). Killed and started
      again, it goes on where it stopped.
  audit -c COLL --out DIR [--threshold T]
      The same over a stored collection, on the server (one snapshot).
    --keep longest|first|id  who represents a cluster (default longest)
    --containment            threshold on containment of the shorter text
                             in the longer instead of Jaccard
    --exact                  verify with exact shingle sets
    --components             also count plain connected components
    --memory-limit SIZE      budget of the local audit (default 2G)
    --skip-bad               count unreadable documents instead of failing
    --progress=json|text|none  progress on standard error
    --quiet                  print nothing but errors
    Outputs in DIR: clusters.jsonl, duplicates.tsv, summary.json,
    report.html (docs/API.md, "Audits").
)";
}

const std::set<std::string>& LocalAuditOptionNames() {
  static const auto* names = new std::set<std::string>{
      "out",          "threshold",    "threads",
      "memory-limit", "keep",         "containment",
      "exact",        "components",   "id-field",
      "text-field",   "skip-bad",     "num-perm",
      "word-shingle", "char-shingle", "no-fold-traditional",
      "keep-repeats"};
  return *names;
}

absl::StatusOr<audit::AuditOptions> LocalAuditOptions(
    const Args& args, const std::vector<std::string>& inputs,
    const std::string& dir) {
  audit::AuditOptions o;
  o.inputs = inputs;
  o.out_dir = dir;
  audit::AuditParams& p = o.params;
  if (args.Has("threshold")) {
    absl::StatusOr<double> t =
        ParseDouble("threshold", args.Value("threshold"));
    if (!t.ok()) return t.status();
    p.threshold = *t;
  }
  if (args.Has("keep")) {
    absl::StatusOr<audit::Keep> k = audit::ParseKeep(args.Value("keep"));
    if (!k.ok()) return k.status();
    p.keep = *k;
  }
  p.containment = args.Flag("containment");
  p.exact = args.Flag("exact");
  p.components = args.Flag("components");
  p.pipeline.collapse_repeats = !args.Flag("keep-repeats");
  p.pipeline.text.fold_traditional = !args.Flag("no-fold-traditional");
  for (const auto& [flag, field] :
       std::vector<std::pair<std::string, uint32_t*>>{
           {"num-perm", &p.pipeline.num_perm},
           {"word-shingle", &p.pipeline.text.shingle.word_size},
           {"char-shingle", &p.pipeline.text.shingle.char_size}}) {
    if (!args.Has(flag)) continue;
    absl::StatusOr<uint32_t> v = ParseUint(flag, args.Value(flag));
    if (!v.ok()) return v.status();
    *field = *v;
  }
  if (args.Has("threads")) {
    absl::StatusOr<uint32_t> v = ParseUint("threads", args.Value("threads"));
    if (!v.ok() || *v < 1 || *v > 1024) {
      return absl::InvalidArgumentError(
          "--threads needs a number in [1, 1024]");
    }
    o.threads = static_cast<int>(*v);
  }
  if (args.Has("memory-limit")) {
    absl::StatusOr<uint64_t> v =
        ParseBytes("memory-limit", args.Value("memory-limit"));
    if (!v.ok()) return v.status();
    o.memory_limit = *v;
  }
  o.reader.id_field = args.Value("id-field", "id");
  o.reader.text_field = args.Value("text-field", "text");
  o.reader.skip_bad = args.Flag("skip-bad");
  NEARDUP_RETURN_IF_ERROR(audit::ValidateParams(p));
  return o;
}

absl::Status RunAuditCommand(const Args& args, AuditEnvironment* env) {
  std::set<std::string> allowed = LocalAuditOptionNames();
  allowed.insert({"progress", "quiet", "collection"});
  absl::Status s = AllowOnly(args, "audit", allowed);
  if (!s.ok()) return Usage(env, std::string(s.message()));
  const bool collection = args.Has("collection");
  const std::vector<std::string> inputs(args.positional.begin() + 1,
                                        args.positional.end());
  if (collection && !inputs.empty()) {
    return Usage(env, "audit -c COLL takes no INPUT: it audits the collection");
  }
  if (!collection && inputs.empty()) {
    return Usage(env,
                 "audit needs INPUT... (files, directories, .jsonl, "
                 ".warc, - for standard input) or -c COLL");
  }
  if (collection) {
    for (const char* name : kLocalOnly) {
      if (args.Has(name) || args.Flag(name)) {
        return Usage(env, absl::StrCat("option --", name,
                                       " does not apply to audit -c (the "
                                       "collection's parameters hold)"));
      }
    }
  }
  if (!args.Has("out")) return Usage(env, "audit needs --out DIR");
  const std::string dir = args.Value("out");

  absl::StatusOr<audit::AuditOptions> options =
      LocalAuditOptions(args, inputs, dir);
  if (!options.ok()) return Usage(env, std::string(options.status().message()));
  audit::AuditOptions& o = *options;
  audit::AuditParams& p = o.params;

  ProgressMode mode =
      env->err_is_terminal ? ProgressMode::kText : ProgressMode::kNone;
  if (args.Has("progress")) {
    const std::string m = args.Value("progress");
    if (m == "json") {
      mode = ProgressMode::kJson;
    } else if (m == "text") {
      mode = ProgressMode::kText;
    } else if (m == "none") {
      mode = ProgressMode::kNone;
    } else {
      return Usage(env, "--progress is json, text or none: " + m);
    }
  }
  const bool quiet = args.Flag("quiet");
  if (quiet) mode = ProgressMode::kNone;
  ProgressPrinter printer(env->err, mode);
  if (mode != ProgressMode::kNone) {
    o.progress = [&printer](const audit::Progress& pr) { printer(pr); };
  }

  audit::AuditSummary summary;
  if (collection) {
    s = AuditCollection(args, p, dir, &printer, env, &summary);
    if (!s.ok()) return s;
  } else {
    absl::StatusOr<audit::AuditSummary> r = audit::RunAudit(o);
    if (!r.ok()) return r.status();
    summary = *std::move(r);
  }
  if (args.Flag("json")) {
    *env->out << audit::SummaryJson(summary);
  } else if (!quiet) {
    PrintResult(summary, dir, env->out);
  }
  return absl::OkStatus();
}

}  // namespace neardup::client
