// neardup._neardup: the Python module over the C++ engine (pybind11).
//
// Fingerprints come from the server's own pipeline (engine::Pipeline), so
// they are the bytes a neardupd with the same parameters stores. The audit
// tasks are those of service/audit/tasks.h: each takes the audit
// directory's path (and a task number), reads and writes files there, and
// returns its statistics as a dict. Every function releases the GIL while
// it works.
//
// Errors: INVALID_ARGUMENT raises ValueError, NOT_FOUND FileNotFoundError,
// FAILED_PRECONDITION neardup.NotReady (a task run before the tasks it
// needs), anything else neardup.Error; the message is the C++ one.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "client/args.h"
#include "client/audit_command.h"
#include "service/audit/params.h"
#include "service/audit/tasks.h"
#include "service/common/status_macros.h"
#include "service/engine/engine.h"
#include "service/engine/pipeline.h"
#include "service/sketch/fingerprint.h"

namespace py = pybind11;

namespace neardup::python {
namespace {

PyObject* g_error = nullptr;      // neardup.Error
PyObject* g_not_ready = nullptr;  // neardup.NotReady

// Raises the Python exception for `s` (not OK). Needs the GIL.
[[noreturn]] void Raise(const absl::Status& s) {
  const std::string message(s.message());
  PyObject* type = g_error;
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      type = PyExc_ValueError;
      break;
    case absl::StatusCode::kNotFound:
      type = PyExc_FileNotFoundError;
      break;
    case absl::StatusCode::kFailedPrecondition:
      type = g_not_ready;
      break;
    default:
      break;
  }
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

// Runs `fn` without the GIL, then raises its error or returns its value.
template <typename T>
T Unlocked(const std::function<absl::StatusOr<T>()>& fn) {
  absl::StatusOr<T> r = absl::InternalError("not run");
  {
    py::gil_scoped_release release;
    r = fn();
  }
  if (!r.ok()) Raise(r.status());
  return *std::move(r);
}

// A marker value as Python sees it: an int, a float, or the string.
py::object Value(const std::string& v) {
  uint64_t u = 0;
  if (absl::SimpleAtoi(v, &u)) return py::int_(u);
  double d = 0;
  if (!v.empty() &&
      v.find_first_not_of("0123456789.-+e") == std::string::npos &&
      absl::SimpleAtod(v, &d)) {
    return py::float_(d);
  }
  return py::str(v);
}

// A task's result: its marker's keys (a key that repeats gives a list),
// "skipped" and "seconds".
py::dict ResultDict(const audit::tasks::TaskResult& r) {
  py::dict out;
  for (const auto& [k, v] : r.stats.entries()) {
    py::str key(k);
    if (k == "problem" || k == "file_problem") {
      if (!out.contains(key)) out[key] = py::list();
      out[key].cast<py::list>().append(py::str(v));
    } else {
      out[key] = Value(v);
    }
  }
  out["skipped"] = r.skipped;
  out["seconds"] = r.seconds;
  return out;
}

// Bytes of a str (as UTF-8) or of a bytes object.
std::string BytesOf(const py::object& text) {
  if (py::isinstance<py::str>(text)) return text.cast<std::string>();
  if (py::isinstance<py::bytes>(text)) return text.cast<std::string>();
  throw py::type_error("text must be str or bytes");
}

engine::PipelineParams Params(uint32_t num_perm, uint32_t word_shingle,
                              uint32_t char_shingle, bool fold_traditional,
                              bool collapse_repeats) {
  engine::PipelineParams p;
  p.num_perm = num_perm;
  p.text.shingle.word_size = word_shingle;
  p.text.shingle.char_size = char_shingle;
  p.text.fold_traditional = fold_traditional;
  p.collapse_repeats = collapse_repeats;
  return p;
}

text::ContentType ContentTypeOf(const std::string& name) {
  if (name == "auto") return text::ContentType::kAuto;
  if (name == "text") return text::ContentType::kText;
  if (name == "html") return text::ContentType::kHtml;
  throw py::value_error("content_type is auto, text or html: " + name);
}

py::bytes Packed(const std::vector<uint32_t>& v) {
  return py::bytes(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}

py::dict Fingerprint(const py::object& text, uint32_t num_perm,
                     uint32_t word_shingle, uint32_t char_shingle,
                     bool fold_traditional, bool collapse_repeats,
                     const std::string& content_type,
                     const std::string& charset) {
  const std::string content = BytesOf(text);
  const engine::PipelineParams params = Params(
      num_perm, word_shingle, char_shingle, fold_traditional, collapse_repeats);
  text::InputOptions in;
  in.content_type = ContentTypeOf(content_type);
  in.charset = charset;
  const engine::PreparedText p = Unlocked<engine::PreparedText>(
      [&]() -> absl::StatusOr<engine::PreparedText> {
        audit::AuditParams checked;
        checked.pipeline = params;
        NEARDUP_RETURN_IF_ERROR(audit::ValidateParams(checked));
        return engine::Pipeline(params).Prepare(content, in);
      });
  py::dict out;
  out["fingerprint_version"] = sketch::kFingerprintVersion;
  out["minhash"] = Packed(p.fp.minhash);
  out["bottom_k"] = Packed(p.fp.bottom_k);
  out["simhash"] = p.fp.simhash;
  out["digest_low"] = p.fp.digest.low;
  out["digest_high"] = p.fp.digest.high;
  out["shingle_count"] = p.fp.shingle_count;
  out["token_count"] = p.fp.token_count;
  out["content_bytes"] = p.stats.content_bytes;
  out["repeated_fraction"] = p.stats.repeated_fraction;
  out["charset"] = p.stats.charset;
  out["html"] = p.stats.html;
  return out;
}

py::dict Span(const passages::Span& s) {
  py::dict out;
  out["start"] = s.cp_start;
  out["end"] = s.cp_end;
  out["byte_start"] = s.byte_start;
  out["byte_end"] = s.byte_end;
  return out;
}

py::dict Compare(const py::object& a, const py::object& b) {
  const std::string ca = BytesOf(a), cb = BytesOf(b);
  engine::DocumentInput da, db;
  da.content = ca;
  db.content = cb;
  const passages::Comparison c = Unlocked<passages::Comparison>(
      [&] { return engine::Engine::Compare(da, db); });
  py::dict out;
  out["jaccard"] = c.jaccard;
  out["containment_a"] = c.containment_a;
  out["containment_b"] = c.containment_b;
  py::list spans;
  for (const passages::MatchedPassage& p : c.passages) {
    py::dict m;
    m["a"] = Span(p.a);
    m["b"] = Span(p.b);
    spans.append(m);
  }
  out["passages"] = spans;
  return out;
}

// `neardup audit` arguments (without "audit"): INPUT... --out DIR and the
// local audit's options.
py::dict Plan(const std::vector<std::string>& argv, uint64_t shard_bytes,
              uint32_t partitions, uint32_t cluster_partitions,
              const std::string& components) {
  using Components = audit::tasks::PlanOptions::Components;
  Components by = Components::kAuto;
  if (components == "union-find") {
    by = Components::kUnionFind;
  } else if (components == "stars") {
    by = Components::kStars;
  } else if (components != "auto") {
    throw py::value_error("components is auto, union-find or stars: " +
                          components);
  }
  return ResultDict(Unlocked<audit::tasks::TaskResult>(
      [&]() -> absl::StatusOr<audit::tasks::TaskResult> {
        NEARDUP_ASSIGN_OR_RETURN(client::Args args, client::Parse(argv));
        NEARDUP_RETURN_IF_ERROR(
            client::AllowOnly(args, "audit", client::LocalAuditOptionNames()));
        if (!args.Has("out")) {
          return absl::InvalidArgumentError("an audit needs --out DIR");
        }
        if (args.positional.empty()) {
          return absl::InvalidArgumentError("an audit needs INPUT...");
        }
        NEARDUP_ASSIGN_OR_RETURN(audit::AuditOptions o,
                                 client::LocalAuditOptions(
                                     args, args.positional, args.Value("out")));
        audit::tasks::PlanOptions p;
        p.shard_bytes = shard_bytes;
        p.partitions = partitions;
        p.cluster_partitions = cluster_partitions;
        p.components = by;
        return audit::tasks::Plan(o, p);
      }));
}

using DirTask =
    absl::StatusOr<audit::tasks::TaskResult> (*)(const std::string&);
using PartTask =
    absl::StatusOr<audit::tasks::TaskResult> (*)(const std::string&, uint32_t);
using Count = absl::StatusOr<uint32_t> (*)(const std::string&);

void DefDir(py::module_& m, const char* name, DirTask task, const char* doc) {
  m.def(
      name,
      [task](const std::string& dir) {
        return ResultDict(
            Unlocked<audit::tasks::TaskResult>([&] { return task(dir); }));
      },
      py::arg("dir"), doc);
}

void DefPart(py::module_& m, const char* name, PartTask task, const char* doc) {
  m.def(
      name,
      [task](const std::string& dir, uint32_t n) {
        return ResultDict(
            Unlocked<audit::tasks::TaskResult>([&] { return task(dir, n); }));
      },
      py::arg("dir"), py::arg("index"), doc);
}

void DefCount(py::module_& m, const char* name, Count count, const char* doc) {
  m.def(
      name,
      [count](const std::string& dir) {
        return Unlocked<uint32_t>([&] { return count(dir); });
      },
      py::arg("dir"), doc);
}

}  // namespace
}  // namespace neardup::python

PYBIND11_MODULE(_neardup, m) {
  using namespace neardup;
  using namespace neardup::python;
  namespace t = neardup::audit::tasks;
  m.doc() =
      "neardup's engine: fingerprints, comparison, and the audit as tasks";
  static py::exception<std::runtime_error> error(m, "Error",
                                                 PyExc_RuntimeError);
  static py::exception<std::runtime_error> not_ready(m, "NotReady",
                                                     error.ptr());
  g_error = error.ptr();
  g_not_ready = not_ready.ptr();
  m.attr("FINGERPRINT_VERSION") = sketch::kFingerprintVersion;
  m.attr("__version__") = NEARDUP_VERSION;

  const engine::PipelineParams d;
  m.def("fingerprint", &Fingerprint, py::arg("text"), py::kw_only(),
        py::arg("num_perm") = d.num_perm,
        py::arg("word_shingle") = d.text.shingle.word_size,
        py::arg("char_shingle") = d.text.shingle.char_size,
        py::arg("fold_traditional") = d.text.fold_traditional,
        py::arg("collapse_repeats") = d.collapse_repeats,
        py::arg("content_type") = "auto", py::arg("charset") = "",
        "The fingerprint neardupd stores for `text` (str, or bytes in any "
        "charset) in a collection with these parameters: minhash and "
        "bottom_k as little-endian uint32 bytes, simhash, digest, counts.");
  m.def("compare", &Compare, py::arg("a"), py::arg("b"),
        "Exact Jaccard and containments of two texts and the passages they "
        "share (offsets in code points and bytes), as the Compare rpc.");
  m.def("plan", &Plan, py::arg("args"),
        py::arg("shard_bytes") = t::PlanOptions().shard_bytes,
        py::arg("partitions") = 0, py::arg("cluster_partitions") = 0,
        py::arg("components") = "auto",
        "Plans an audit: args are `neardup audit`'s (INPUT... --out DIR "
        "[options]); partitions per band (0: by size), cluster groups (0: "
        "by size), components found by auto, union-find or stars. Returns "
        "shards, sources, bytes, bands, partitions.");
  DefDir(m, "finish_sign", &t::FinishSign, "Joins the signed shards.");
  DefDir(m, "rank", &t::Rank, "Ranks documents; groups exact copies.");
  DefDir(m, "finish_bucket", &t::FinishBucket,
         "Merges the partitions' candidate pairs.");
  DefDir(m, "finish_verify", &t::FinishVerify, "Totals the verified parts.");
  DefDir(m, "cluster", &t::Cluster, "Star clusters (and components).");
  DefDir(m, "report", &t::Report,
         "clusters.jsonl, duplicates.tsv, report.html, summary.json.");
  DefPart(m, "sign_shard", &t::SignShard, "Signs shard `index`.");
  DefPart(m, "bucket_partition", &t::BucketPartition,
          "Candidate pairs of bucket partition `index`.");
  DefPart(m, "verify_part", &t::VerifyPart, "Verifies part `index`.");
  DefCount(m, "bucket_partitions", &t::BucketPartitions,
           "How many bucket partitions the audit has.");
  DefCount(m, "verify_parts", &t::VerifyPartCount,
           "How many verify parts the audit has.");
  DefDir(m, "union_find", &t::UnionFind,
         "Component labels by union-find in one task.");
  DefPart(m, "star_input", &t::StarInput,
          "Round 0 of the star components from source `index`.");
  m.def(
      "star_round",
      [](const std::string& dir, uint32_t round, uint32_t partition) {
        return ResultDict(Unlocked<t::TaskResult>(
            [&] { return t::StarRound(dir, round, partition); }));
      },
      py::arg("dir"), py::arg("round"), py::arg("partition"),
      "Round `round` (even: large-star, odd: small-star) of a partition.");
  m.def(
      "star_converged",
      [](const std::string& dir, uint32_t round) {
        return Unlocked<bool>([&] { return t::StarConverged(dir, round); });
      },
      py::arg("dir"), py::arg("round"),
      "Whether round `round`'s input is the final stars.");
  DefPart(m, "star_labels", &t::StarLabels,
          "Component labels from the final round `index`.");
  DefPart(m, "cluster_group", &t::ClusterGroup,
          "Star clusters of component group `index`.");
  DefDir(m, "finish_cluster", &t::FinishCluster,
         "Merges the groups' clusters in representative order.");
  DefCount(m, "cluster_partitions", &t::ClusterPartitions,
           "How many component groups (and star partitions) there are.");
  DefCount(m, "star_sources", &t::StarSources,
           "How many sources round 0 of the star components has.");
  m.def(
      "components_by_stars",
      [](const std::string& dir) {
        return Unlocked<bool>([&] { return t::ComponentsByStars(dir); });
      },
      py::arg("dir"), "True when the components are found by star rounds.");
  m.def(
      "shards",
      [](const std::string& dir) {
        return Unlocked<uint32_t>([&]() -> absl::StatusOr<uint32_t> {
          NEARDUP_ASSIGN_OR_RETURN(t::PlanView v, t::ReadPlan(dir));
          return static_cast<uint32_t>(v.shards.size());
        });
      },
      py::arg("dir"), "How many sign shards the audit has.");
}
