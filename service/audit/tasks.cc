#include "service/audit/tasks.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <queue>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "service/audit/bucket.h"
#include "service/audit/cluster.h"
#include "service/audit/files.h"
#include "service/audit/sign.h"
#include "service/audit/signed.h"
#include "service/audit/sorter.h"
#include "service/audit/stars.h"
#include "service/audit/verify.h"
#include "service/common/executor.h"
#include "service/common/process_limits.h"
#include "service/common/status_macros.h"
#include "service/corpus/stream.h"

namespace neardup::audit::tasks {
namespace {

// Documents per key-range partition of a band when Plan was not told.
constexpr uint64_t kDocumentsPerPartition = uint64_t{16} << 20;

std::string Numbered(const std::string& dir, uint32_t n,
                     const std::string& suffix) {
  return absl::StrFormat("%s/%05u%s", dir, n, suffix);
}
std::string ShardDir(const std::string& dir, uint32_t shard) {
  return Numbered(dir + "/sign-shards", shard, "");
}
std::string PartsDir(const std::string& dir) { return dir + "/bucket-parts"; }
std::string VerifyPartMarker(const std::string& dir, uint32_t part) {
  return absl::StrFormat("%s/verify/%04u.done", dir, part);
}

// Runs `body` unless `marker` (or `stage_marker`, when given) exists, then
// writes `marker` with body's stats, seconds and peak memory.
absl::StatusOr<TaskResult> RunTask(
    const std::string& marker, const std::string& stage_marker,
    const std::function<absl::Status(Marker*)>& body) {
  for (const std::string* path : {&marker, &stage_marker}) {
    if (path->empty()) continue;
    NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> done, Marker::Read(*path));
    if (!done.has_value()) continue;
    TaskResult r;
    r.stats = *std::move(done);
    r.skipped = true;
    r.seconds = r.stats.Double("seconds");
    return r;
  }
  ResetPeakMemory();
  const absl::Time start = absl::Now();
  TaskResult r;
  NEARDUP_RETURN_IF_ERROR(body(&r.stats));
  r.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  r.stats.AddDouble("seconds", r.seconds);
  r.stats.Add("peak_memory", PeakMemoryBytes());
  NEARDUP_RETURN_IF_ERROR(r.stats.Write(marker));
  return r;
}

// The markers of tasks 0..n-1 named by `path_of`; FAILED_PRECONDITION
// naming the first missing ones.
absl::StatusOr<std::vector<Marker>> AllDone(
    uint32_t n, const std::function<std::string(uint32_t)>& path_of,
    const std::string& what) {
  std::vector<Marker> out;
  std::vector<std::string> missing;
  for (uint32_t i = 0; i < n; ++i) {
    NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> m, Marker::Read(path_of(i)));
    if (m.has_value()) {
      out.push_back(*std::move(m));
    } else if (missing.size() < 10) {
      missing.push_back(absl::StrCat(i));
    }
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " not done yet: ", absl::StrJoin(missing, ", "),
                     missing.size() == 10 ? ", ..." : ""));
  }
  return out;
}

// Sum of `key` and largest `peak_memory` over task markers, into `out`.
void AddTaskTotals(const std::vector<Marker>& tasks, Marker* out) {
  double seconds = 0;
  uint64_t peak = 0;
  for (const Marker& m : tasks) {
    seconds += m.Double("seconds");
    peak = std::max(peak, m.Int("peak_memory"));
  }
  out->AddDouble("seconds", seconds);
  out->Add("peak_memory", peak);
}

// --- the plan's files -----------------------------------------------------

std::string Bool(bool b) { return b ? "1" : "0"; }

Marker OptionsMarker(const AuditOptions& o) {
  Marker m;
  for (const std::string& in : o.inputs) m.Add("input", in);
  m.Add("id_field", o.reader.id_field);
  m.Add("text_field", o.reader.text_field);
  m.Add("skip_bad", Bool(o.reader.skip_bad));
  m.Add("max_document_bytes", o.reader.max_document_bytes);
  m.Add("threads", static_cast<uint64_t>(std::max(o.threads, 0)));
  m.Add("memory_limit", o.memory_limit);
  const AuditParams& p = o.params;
  m.Add("threshold", absl::StrFormat("%.17g", p.threshold));
  m.Add("containment", Bool(p.containment));
  m.Add("exact", Bool(p.exact));
  m.Add("components", Bool(p.components));
  m.Add("keep", KeepName(p.keep));
  m.Add("num_perm", p.pipeline.num_perm);
  m.Add("word_size", p.pipeline.text.shingle.word_size);
  m.Add("char_size", p.pipeline.text.shingle.char_size);
  m.Add("collapse_repeats", Bool(p.pipeline.collapse_repeats));
  m.Add("fold_traditional", Bool(p.pipeline.text.fold_traditional));
  return m;
}

absl::StatusOr<AuditOptions> OptionsFrom(const Marker& m,
                                         const std::string& dir) {
  AuditOptions o;
  o.inputs = m.All("input");
  o.out_dir = dir;
  o.reader.id_field = m.Get("id_field", "id");
  o.reader.text_field = m.Get("text_field", "text");
  o.reader.skip_bad = m.Get("skip_bad") == "1";
  o.reader.max_document_bytes = m.Int("max_document_bytes");
  o.threads = static_cast<int>(m.Int("threads"));
  o.memory_limit = m.Int("memory_limit");
  AuditParams& p = o.params;
  if (!absl::SimpleAtod(m.Get("threshold"), &p.threshold)) {
    return absl::DataLossError(dir + "/plan/options: no threshold");
  }
  p.containment = m.Get("containment") == "1";
  p.exact = m.Get("exact") == "1";
  p.components = m.Get("components") == "1";
  NEARDUP_ASSIGN_OR_RETURN(p.keep, ParseKeep(m.Get("keep")));
  p.pipeline.num_perm = static_cast<uint32_t>(m.Int("num_perm"));
  p.pipeline.text.shingle.word_size = static_cast<uint32_t>(m.Int("word_size"));
  p.pipeline.text.shingle.char_size = static_cast<uint32_t>(m.Int("char_size"));
  p.pipeline.collapse_repeats = m.Get("collapse_repeats") == "1";
  p.pipeline.text.fold_traditional = m.Get("fold_traditional") == "1";
  return o;
}

// A shard: "first offset line last end".
std::string ShardLine(const corpus::Reader::Range& r) {
  return absl::StrCat(r.first, " ", r.offset, " ", r.line, " ", r.last, " ",
                      r.end);
}

absl::StatusOr<corpus::Reader::Range> ParseShard(const std::string& line) {
  std::vector<std::string> f = absl::StrSplit(line, ' ');
  corpus::Reader::Range r;
  uint64_t first = 0, last = 0;
  if (f.size() != 5 || !absl::SimpleAtoi(f[0], &first) ||
      !absl::SimpleAtoi(f[1], &r.offset) || !absl::SimpleAtoi(f[2], &r.line) ||
      !absl::SimpleAtoi(f[3], &last) || !absl::SimpleAtoi(f[4], &r.end)) {
    return absl::DataLossError(absl::StrCat("bad shard line: ", line));
  }
  r.first = static_cast<uint32_t>(first);
  r.last = static_cast<uint32_t>(last);
  return r;
}

// A source: "format compression size path".
std::string SourceLine(const corpus::Source& s) {
  return absl::StrCat(static_cast<int>(s.format), " ",
                      static_cast<int>(s.compression), " ", s.size, " ",
                      s.path);
}

absl::StatusOr<corpus::Source> ParseSource(const std::string& line) {
  std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 3));
  int format = 0, compression = 0;
  corpus::Source s;
  if (f.size() != 4 || !absl::SimpleAtoi(f[0], &format) ||
      !absl::SimpleAtoi(f[1], &compression) ||
      !absl::SimpleAtoi(f[2], &s.size)) {
    return absl::DataLossError(absl::StrCat("bad source line: ", line));
  }
  s.format = static_cast<corpus::Format>(format);
  s.compression = static_cast<corpus::Compression>(compression);
  s.path = f[3];
  return s;
}

// Where a plain JSON Lines file of `size` bytes is cut into pieces of
// about `piece` bytes: (offset, line number) of each piece but the
// first, at line starts. None if a line is longer than a reader takes
// (the reader would end the file there, and a later piece must not read
// on past it).
absl::StatusOr<std::vector<std::pair<uint64_t, uint64_t>>> CutPoints(
    const std::string& path, uint64_t size, uint64_t piece) {
  std::vector<std::pair<uint64_t, uint64_t>> cuts;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path));
  }
  std::vector<char> buf(1 << 20);
  uint64_t pos = 0, lines = 0, line_start = 0, next_cut = piece;
  bool too_long = false;
  while (true) {
    const ssize_t got = ::read(fd, buf.data(), buf.size());
    if (got < 0) {
      ::close(fd);
      return absl::DataLossError(absl::StrCat("cannot read ", path));
    }
    if (got == 0) break;
    const char* const begin = buf.data();
    for (const char* nl = begin; (nl = static_cast<const char*>(std::memchr(
                                      nl, '\n', begin + got - nl))) != nullptr;
         ++nl) {
      const uint64_t end = pos + (nl - begin);  // of this line
      if (end - line_start > corpus::LineReader::kMaxLineBytes) {
        too_long = true;
      }
      ++lines;
      line_start = end + 1;
      if (line_start >= next_cut && line_start < size) {
        cuts.emplace_back(line_start, lines + 1);
        next_cut = line_start + piece;
      }
    }
    pos += got;
  }
  ::close(fd);
  if (too_long || pos - line_start > corpus::LineReader::kMaxLineBytes) {
    cuts.clear();
  }
  return cuts;
}

// The shards of `sources`: runs of whole sources up to about `piece`
// bytes, and plain JSON Lines files larger than that cut at line starts.
absl::StatusOr<std::vector<corpus::Reader::Range>> MakeShards(
    const std::vector<corpus::Source>& sources, uint64_t piece) {
  std::vector<corpus::Reader::Range> shards;
  std::optional<corpus::Reader::Range> open;  // whole sources gathered
  uint64_t open_bytes = 0;
  auto close = [&] {
    if (open.has_value()) shards.push_back(*open);
    open.reset();
    open_bytes = 0;
  };
  for (uint32_t i = 0; i < sources.size(); ++i) {
    const corpus::Source& s = sources[i];
    std::vector<std::pair<uint64_t, uint64_t>> cuts;
    if (s.size > piece && s.format == corpus::Format::kJsonl &&
        s.compression == corpus::Compression::kNone) {
      NEARDUP_ASSIGN_OR_RETURN(cuts, CutPoints(s.path, s.size, piece));
    }
    if (cuts.empty()) {
      if (!open.has_value()) open = corpus::Reader::Range{i, 0, 0, i};
      open->last = i;
      open_bytes += s.size;
      if (open_bytes >= piece) close();
      continue;
    }
    close();
    uint64_t offset = 0, line = 0;
    for (const auto& [cut, cut_line] : cuts) {
      shards.push_back({i, offset, line, i, cut});
      offset = cut;
      line = cut_line;
    }
    shards.push_back({i, offset, line, i, UINT64_MAX});
  }
  close();
  return shards;
}

// What every task of an audit directory works with.
struct Audit {
  PlanView plan;
  StageContext ctx;
  std::unique_ptr<Executor> executor;
};

absl::StatusOr<std::unique_ptr<Audit>> OpenAudit(const std::string& dir) {
  auto a = std::make_unique<Audit>();
  NEARDUP_ASSIGN_OR_RETURN(a->plan, ReadPlan(dir));
  const AuditOptions& o = a->plan.options;
  a->ctx.dir = dir;
  a->ctx.params = o.params;
  a->ctx.lsh = AuditLsh(o.params);
  a->ctx.threads = o.threads > 0 ? o.threads : AvailableCores();
  a->ctx.memory_limit = o.memory_limit;
  a->executor = std::make_unique<Executor>(Executor::Options{a->ctx.threads});
  a->ctx.executor = a->executor.get();
  neardup::RaiseOpenFileLimit();  // five files per chunk of the corpus
  return a;
}

// The signed corpus, which must hold what sign.done counts: a sign/
// being replaced by a copy of the join reads short for a moment, and a
// task must fail then (to be run again), not go on with fewer documents.
absl::StatusOr<std::unique_ptr<SignedCorpus>> OpenCorpus(const Audit& a) {
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> sign,
                           Marker::Read(a.ctx.dir + "/sign.done"));
  if (!sign.has_value()) {
    return absl::FailedPreconditionError("the sign step is not done yet");
  }
  NEARDUP_ASSIGN_OR_RETURN(
      std::unique_ptr<SignedCorpus> corpus,
      SignedCorpus::Open(a.ctx.dir + "/sign", a.ctx.params.pipeline.num_perm,
                         a.ctx.lsh, a.ctx.params.exact));
  if (corpus->documents() != sign->Int("documents")) {
    return absl::UnavailableError(absl::StrCat(
        a.ctx.dir, "/sign holds ", corpus->documents(), " documents of ",
        sign->Int("documents"), ": being replaced, or damaged"));
  }
  return corpus;
}

// Renames directory `from` to `to`, replacing what is there (an
// identical join by a copy of the task, or a local audit's partial one).
absl::Status ReplaceDirectory(const std::string& from, const std::string& to) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (std::rename(from.c_str(), to.c_str()) == 0) return absl::OkStatus();
    if (errno != ENOTEMPTY && errno != EEXIST) break;
    const std::string old = TemporaryName(to + ".old");
    if (std::rename(to.c_str(), old.c_str()) == 0) {
      NEARDUP_RETURN_IF_ERROR(RemoveAll(old));
    }
  }
  return absl::InternalError(absl::StrCat("cannot rename ", from, " to ", to,
                                          ": ", std::strerror(errno)));
}

// Links (or, across file systems, copies) `from` to `to`.
absl::Status LinkFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::create_hard_link(from, to, ec);
  if (!ec) return absl::OkStatus();
  std::filesystem::copy_file(from, to, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot link or copy ", from,
                                            " to ", to, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TaskResult> Plan(const AuditOptions& options,
                                const PlanOptions& plan) {
  const std::string& dir = options.out_dir;
  if (dir.empty()) return absl::InvalidArgumentError("no output directory");
  if (options.memory_limit < kMinMemoryLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the memory limit must be at least ", kMinMemoryLimit >> 20, " MB"));
  }
  if (plan.shard_bytes == 0) {
    return absl::InvalidArgumentError("shard size must be positive");
  }
  NEARDUP_RETURN_IF_ERROR(ValidateParams(options.params));
  for (const std::string& in : options.inputs) {
    if (in == "-") {
      return absl::InvalidArgumentError(
          "standard input cannot be read by many workers: save it to a "
          "file and audit that");
    }
    if (in.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(
          "an input path holds a line break; rename it");
    }
  }
  NEARDUP_RETURN_IF_ERROR(ClaimDirectory(dir, AuditIdentity(options)));
  return RunTask(dir + "/plan.done", "", [&](Marker* stats) -> absl::Status {
    NEARDUP_ASSIGN_OR_RETURN(
        std::unique_ptr<corpus::Reader> reader,
        corpus::Reader::Open(options.inputs, options.reader));
    Marker sources;
    uint64_t bytes = 0;
    for (const corpus::Source& s : reader->sources()) {
      if (s.path.find_first_of("\r\n") != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("a file's path holds a line break: ", s.path));
      }
      sources.Add("source", SourceLine(s));
      bytes += s.size;
    }
    NEARDUP_ASSIGN_OR_RETURN(std::vector<corpus::Reader::Range> shards,
                             MakeShards(reader->sources(), plan.shard_bytes));
    Marker shard_lines;
    for (const corpus::Reader::Range& r : shards) {
      shard_lines.Add("shard", ShardLine(r));
    }
    NEARDUP_RETURN_IF_ERROR(MakeDirs(dir + "/plan"));
    NEARDUP_RETURN_IF_ERROR(
        OptionsMarker(options).Write(dir + "/plan/options"));
    NEARDUP_RETURN_IF_ERROR(sources.Write(dir + "/plan/sources"));
    NEARDUP_RETURN_IF_ERROR(shard_lines.Write(dir + "/plan/shards"));
    stats->Add("shards", shards.size());
    stats->Add("sources", reader->sources().size());
    stats->Add("bytes", bytes);
    stats->Add("bands", AuditLsh(options.params).bands);
    stats->Add("partitions", plan.partitions);
    stats->Add("cluster_partitions", plan.cluster_partitions);
    stats->Add("components_by", static_cast<uint64_t>(plan.components));
    return absl::OkStatus();
  });
}

absl::StatusOr<PlanView> ReadPlan(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> done,
                           Marker::Read(dir + "/plan.done"));
  if (!done.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " holds no planned audit (no plan.done)"));
  }
  PlanView v;
  v.bands = static_cast<uint32_t>(done->Int("bands"));
  v.partitions = static_cast<uint32_t>(done->Int("partitions"));
  v.cluster_partitions = static_cast<uint32_t>(done->Int("cluster_partitions"));
  v.components =
      static_cast<PlanOptions::Components>(done->Int("components_by"));
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> options,
                           Marker::Read(dir + "/plan/options"));
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> sources,
                           Marker::Read(dir + "/plan/sources"));
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> shards,
                           Marker::Read(dir + "/plan/shards"));
  if (!options.has_value() || !sources.has_value() || !shards.has_value()) {
    return absl::DataLossError(dir + "/plan is incomplete");
  }
  NEARDUP_ASSIGN_OR_RETURN(v.options, OptionsFrom(*options, dir));
  // The options read back must describe the audit the directory holds.
  NEARDUP_ASSIGN_OR_RETURN(std::string identity, ReadFile(dir + "/audit.json"));
  if (identity != AuditIdentity(v.options)) {
    return absl::DataLossError(
        absl::StrCat(dir, "/plan/options does not match ", dir,
                     "/audit.json: the directory is damaged"));
  }
  for (const std::string& line : sources->All("source")) {
    NEARDUP_ASSIGN_OR_RETURN(corpus::Source s, ParseSource(line));
    v.sources.push_back(std::move(s));
  }
  for (const std::string& line : shards->All("shard")) {
    NEARDUP_ASSIGN_OR_RETURN(corpus::Reader::Range r, ParseShard(line));
    if (r.last >= v.sources.size()) {
      return absl::DataLossError(
          absl::StrCat("shard past the sources: ", line));
    }
    v.shards.push_back(r);
  }
  return v;
}

absl::StatusOr<TaskResult> SignShard(const std::string& dir, uint32_t shard) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Audit> a, OpenAudit(dir));
  if (shard >= a->plan.shards.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shard ", shard, " of an audit of ", a->plan.shards.size()));
  }
  const std::string out = ShardDir(dir, shard);
  return RunTask(
      Numbered(dir + "/sign-shards", shard, ".done"), dir + "/sign.done",
      [&](Marker* stats) -> absl::Status {
        NEARDUP_ASSIGN_OR_RETURN(
            std::unique_ptr<corpus::Reader> reader,
            corpus::Reader::OpenRange(a->plan.sources, a->plan.shards[shard],
                                      a->plan.options.reader));
        NEARDUP_RETURN_IF_ERROR(SignReader(
            a->ctx, out, reader.get(), a->plan.options.reader.skip_bad, stats));
        NEARDUP_ASSIGN_OR_RETURN(uint32_t chunks, CompleteChunks(out));
        stats->Add("chunks", chunks);
        return absl::OkStatus();
      });
}

absl::StatusOr<TaskResult> FinishSign(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(PlanView plan, ReadPlan(dir));
  return RunTask(dir + "/sign.done", "", [&](Marker* stats) -> absl::Status {
    const uint32_t n = static_cast<uint32_t>(plan.shards.size());
    NEARDUP_ASSIGN_OR_RETURN(std::vector<Marker> shards,
                             AllDone(
                                 n,
                                 [&](uint32_t s) {
                                   return Numbered(dir + "/sign-shards", s,
                                                   ".done");
                                 },
                                 "sign shards"));
    // Built under a name of its own, then renamed into place whole: a join
    // cut short, or run twice at once, never leaves a partial sign/.
    const std::string sign = TemporaryName(dir + "/sign");
    NEARDUP_RETURN_IF_ERROR(MakeDirs(sign));
    absl::Cleanup drop = [&] { RemoveAll(sign).IgnoreError(); };
    uint32_t index = 0;
    uint64_t first = 0;
    for (uint32_t s = 0; s < n; ++s) {
      const std::string from = ShardDir(dir, s);
      for (uint32_t c = 0; c < shards[s].Int("chunks"); ++c) {
        for (const char* suffix :
             {"docs", "ids", "sketch", "bands", "digests"}) {
          NEARDUP_RETURN_IF_ERROR(LinkFile(ChunkPath(from, c, suffix),
                                           ChunkPath(sign, index, suffix)));
        }
        NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> m,
                                 Marker::Read(ChunkPath(from, c, "done")));
        if (!m.has_value()) {
          return absl::DataLossError(
              absl::StrCat(ChunkPath(from, c, "done"), " is missing"));
        }
        Marker chunk;
        chunk.Add("first", first);
        for (const auto& [k, v] : m->entries()) {
          if (k != "first") chunk.Add(k, v);
        }
        NEARDUP_RETURN_IF_ERROR(chunk.Write(ChunkPath(sign, index, "done")));
        first += m->Int("docs");
        ++index;
      }
    }
    Marker total = SignStageMarker(shards);
    if (total.Int("documents") != first) {
      return absl::DataLossError(
          absl::StrCat("the sign shards count ", total.Int("documents"),
                       " documents and their chunks hold ", first));
    }
    if (first == 0) {
      return absl::InvalidArgumentError("the inputs hold no documents");
    }
    if (first >= UINT32_MAX) {
      return absl::ResourceExhaustedError(
          absl::StrCat("an audit takes at most ", UINT32_MAX - 1,
                       " documents; split the corpus"));
    }
    NEARDUP_RETURN_IF_ERROR(ReplaceDirectory(sign, dir + "/sign"));
    *stats = std::move(total);
    AddTaskTotals(shards, stats);
    return absl::OkStatus();
  });
}

absl::StatusOr<TaskResult> Rank(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Audit> a, OpenAudit(dir));
  NEARDUP_RETURN_IF_ERROR(MakeDirs(PartsDir(dir)));
  return RunTask(PartsDir(dir) + "/rank.done", dir + "/bucket.done",
                 [&](Marker* stats) -> absl::Status {
                   NEARDUP_ASSIGN_OR_RETURN(
                       std::unique_ptr<SignedCorpus> corpus, OpenCorpus(*a));
                   const std::string out = dir + "/bucket";
                   // Files are replaced whole (FileWriter): nothing to clear.
                   NEARDUP_RETURN_IF_ERROR(MakeDirs(out));
                   return RankDocuments(a->ctx, *corpus, out, stats).status();
                 });
}

absl::StatusOr<uint32_t> BucketPartitions(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(PlanView plan, ReadPlan(dir));
  uint64_t per_band = plan.partitions;
  if (per_band == 0) {
    NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> sign,
                             Marker::Read(dir + "/sign.done"));
    if (!sign.has_value()) {
      return absl::FailedPreconditionError(
          "the partitions are chosen once the sign step is done");
    }
    per_band = std::max<uint64_t>(
        1, (sign->Int("documents") + kDocumentsPerPartition - 1) /
               kDocumentsPerPartition);
  }
  // At most 2^20 tasks, whole bands each: every partition's band exists.
  per_band = std::min<uint64_t>(
      per_band, std::max<uint64_t>(1, (uint64_t{1} << 20) / plan.bands));
  return static_cast<uint32_t>(uint64_t{plan.bands} * per_band);
}

absl::StatusOr<TaskResult> BucketPartition(const std::string& dir,
                                           uint32_t partition) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Audit> a, OpenAudit(dir));
  NEARDUP_ASSIGN_OR_RETURN(uint32_t total, BucketPartitions(dir));
  if (partition >= total) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bucket partition ", partition, " of an audit of ", total));
  }
  const std::string parts = PartsDir(dir);
  return RunTask(
      Numbered(parts, partition, ".done"), dir + "/bucket.done",
      [&](Marker* stats) -> absl::Status {
        if (!FileExists(parts + "/rank.done")) {
          return absl::FailedPreconditionError("the rank step is not done yet");
        }
        NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<SignedCorpus> corpus,
                                 OpenCorpus(*a));
        NEARDUP_ASSIGN_OR_RETURN(
            Ranking ranking, ReadRanking(dir + "/bucket", corpus->documents()));
        // Partition p: band p / per_band, the (p % per_band)-th of equal
        // slices of the 64-bit key space.
        const uint32_t per_band = total / a->ctx.lsh.bands;
        const uint32_t band = partition / per_band;
        const uint64_t slice = partition % per_band;
        const uint64_t step = UINT64_MAX / per_band + 1;
        const uint64_t lo = slice * step;
        const uint64_t hi =
            slice + 1 == per_band ? UINT64_MAX : (slice + 1) * step - 1;
        NEARDUP_ASSIGN_OR_RETURN(
            BandRuns runs,
            BucketBand(a->ctx, *corpus, ranking, band, lo, hi,
                       TemporaryName(Numbered(parts, partition, "-run")),
                       PairBudget(a->ctx)));
        NEARDUP_ASSIGN_OR_RETURN(
            uint64_t pairs,
            MergeRuns(runs.runs, Numbered(parts, partition, ".bin")));
        for (const std::string& r : runs.runs) {
          NEARDUP_RETURN_IF_ERROR(RemoveAll(r));
        }
        CrashPoint("bucket", 1);
        stats->Add("pairs", pairs);
        stats->Add("largest_bucket", runs.largest_bucket);
        return absl::OkStatus();
      });
}

absl::StatusOr<TaskResult> FinishBucket(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(
      TaskResult r,
      RunTask(dir + "/bucket.done", "", [&](Marker* stats) -> absl::Status {
        NEARDUP_ASSIGN_OR_RETURN(uint32_t total, BucketPartitions(dir));
        const std::string parts = PartsDir(dir);
        NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> rank,
                                 Marker::Read(parts + "/rank.done"));
        if (!rank.has_value()) {
          return absl::FailedPreconditionError("the rank step is not done yet");
        }
        NEARDUP_ASSIGN_OR_RETURN(
            std::vector<Marker> done,
            AllDone(
                total, [&](uint32_t p) { return Numbered(parts, p, ".done"); },
                "bucket partitions"));
        std::vector<std::string> files;
        uint64_t largest = 0;
        for (uint32_t p = 0; p < total; ++p) {
          files.push_back(Numbered(parts, p, ".bin"));
          largest = std::max(largest, done[p].Int("largest_bucket"));
        }
        NEARDUP_ASSIGN_OR_RETURN(
            uint64_t candidates,
            MergeRuns(files, dir + "/bucket/candidates.bin"));
        for (const char* key : {"ranked", "exact_groups", "exact_duplicates"}) {
          stats->Add(key, rank->Get(key));
        }
        stats->Add("candidate_pairs", candidates);
        stats->Add("largest_bucket", largest);
        stats->Add("partitions", total);
        done.push_back(*rank);
        AddTaskTotals(done, stats);
        return absl::OkStatus();
      }));
  // The partitions' pairs are in candidates.bin now; their markers stay.
  for (uint32_t p = 0; p < r.stats.Int("partitions"); ++p) {
    NEARDUP_RETURN_IF_ERROR(RemoveAll(Numbered(PartsDir(dir), p, ".bin")));
  }
  return r;
}

absl::StatusOr<uint32_t> VerifyPartCount(const std::string& dir) {
  if (!FileExists(dir + "/bucket.done")) {
    return absl::FailedPreconditionError("the bucket step is not done yet");
  }
  NEARDUP_ASSIGN_OR_RETURN(
      RandomAccessFile candidates,
      RandomAccessFile::Open(dir + "/bucket/candidates.bin"));
  return VerifyParts(candidates.size() / sizeof(uint64_t));
}

absl::StatusOr<TaskResult> VerifyPart(const std::string& dir, uint32_t part) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Audit> a, OpenAudit(dir));
  NEARDUP_ASSIGN_OR_RETURN(uint32_t parts, VerifyPartCount(dir));
  if (part >= parts) {
    return absl::InvalidArgumentError(
        absl::StrCat("verify part ", part, " of an audit of ", parts));
  }
  NEARDUP_RETURN_IF_ERROR(MakeDirs(dir + "/verify"));
  return RunTask(VerifyPartMarker(dir, part), dir + "/verify.done",
                 [&](Marker* stats) -> absl::Status {
                   NEARDUP_ASSIGN_OR_RETURN(
                       std::unique_ptr<SignedCorpus> corpus, OpenCorpus(*a));
                   NEARDUP_ASSIGN_OR_RETURN(
                       std::vector<uint32_t> order,
                       ReadVector<uint32_t>(dir + "/bucket/order.bin"));
                   NEARDUP_ASSIGN_OR_RETURN(
                       RandomAccessFile candidates,
                       RandomAccessFile::Open(dir + "/bucket/candidates.bin"));
                   NEARDUP_ASSIGN_OR_RETURN(
                       uint64_t edges, audit::VerifyPart(a->ctx, *corpus, order,
                                                         candidates, part, {}));
                   stats->Add("edges", edges);
                   return absl::OkStatus();
                 });
}

absl::StatusOr<TaskResult> FinishVerify(const std::string& dir) {
  return RunTask(dir + "/verify.done", "", [&](Marker* stats) -> absl::Status {
    NEARDUP_ASSIGN_OR_RETURN(uint32_t parts, VerifyPartCount(dir));
    NEARDUP_ASSIGN_OR_RETURN(
        std::vector<Marker> done,
        AllDone(
            parts, [&](uint32_t p) { return VerifyPartMarker(dir, p); },
            "verify parts"));
    uint64_t edges = 0;
    for (const Marker& m : done) edges += m.Int("edges");
    stats->Add("parts", parts);
    stats->Add("edges", edges);
    AddTaskTotals(done, stats);
    return absl::OkStatus();
  });
}

namespace {

// The local audit run over a directory whose earlier stages are done: it
// skips them (their markers) and runs the rest, up to `stop_after`.
absl::StatusOr<TaskResult> RunRest(const std::string& dir,
                                   const std::string& stage,
                                   const std::string& stop_after) {
  NEARDUP_ASSIGN_OR_RETURN(PlanView plan, ReadPlan(dir));
  const std::string marker = absl::StrCat(dir, "/", stage, ".done");
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> done, Marker::Read(marker));
  const bool skipped = done.has_value();
  AuditOptions o = plan.options;
  o.stop_after = stop_after;
  NEARDUP_ASSIGN_OR_RETURN(AuditSummary s, RunAudit(o));
  TaskResult r;
  r.skipped = skipped;
  for (const StageRun& run : s.stages) {
    if (run.name == stage) r.seconds = run.seconds;
  }
  NEARDUP_ASSIGN_OR_RETURN(done, Marker::Read(marker));
  if (done.has_value()) r.stats = *std::move(done);
  if (stage == "report") {
    r.stats = Marker();
    r.stats.Add("documents", s.documents);
    r.stats.Add("bad_documents", s.bad_documents);
    r.stats.Add("candidate_pairs", s.candidate_pairs);
    r.stats.Add("verified_pairs", s.verified_pairs);
    r.stats.Add("clusters", s.clusters);
    r.stats.Add("largest_cluster", s.largest_cluster);
    r.stats.Add("exact_duplicates", s.exact_duplicates);
    r.stats.Add("near_duplicates", s.near_duplicates);
    r.stats.AddDouble("seconds", r.seconds);
  }
  return r;
}

}  // namespace

absl::StatusOr<TaskResult> Cluster(const std::string& dir) {
  for (const char* stage : {"sign", "bucket", "verify"}) {
    if (!FileExists(absl::StrCat(dir, "/", stage, ".done"))) {
      return absl::FailedPreconditionError(
          absl::StrCat("the ", stage, " step is not done yet"));
    }
  }
  return RunRest(dir, "cluster", "cluster");
}

absl::StatusOr<TaskResult> Report(const std::string& dir) {
  if (!FileExists(dir + "/cluster.done")) {
    return absl::FailedPreconditionError("the cluster step is not done yet");
  }
  return RunRest(dir, "report", "");
}

namespace {

std::string ClusterPartsDir(const std::string& dir) {
  return dir + "/cluster-parts";
}

absl::Status NeedStage(const std::string& dir, const char* stage) {
  if (!FileExists(absl::StrCat(dir, "/", stage, ".done"))) {
    return absl::FailedPreconditionError(
        absl::StrCat("the ", stage, " step is not done yet"));
  }
  return absl::OkStatus();
}

// Ranks of the audit: the size of order.bin.
absl::StatusOr<uint32_t> Ranks(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(RandomAccessFile order,
                           RandomAccessFile::Open(dir + "/bucket/order.bin"));
  return static_cast<uint32_t>(order.size() / sizeof(uint32_t));
}

// Which group of `groups` the component labelled `label` belongs to.
uint32_t GroupOf(uint32_t label, uint32_t groups) {
  return PartitionOf(label ^ 0x5bd1e995u, groups);
}

std::string GroupPath(const std::string& dir, uint32_t g, const char* suffix) {
  return Numbered(ClusterPartsDir(dir), g, suffix);
}

// Reads records (a ClusterHeader and its members) of a clusters.bin-like
// file in order.
class ClusterRecords {
 public:
  explicit ClusterRecords(RandomAccessFile file) : file_(std::move(file)) {}
  // The next record: true, or false at the end.
  absl::StatusOr<bool> Next() {
    if (pos_ >= file_.size()) return false;
    NEARDUP_RETURN_IF_ERROR(file_.ReadAt(pos_, sizeof(header_), &header_));
    pos_ += sizeof(header_);
    members_.resize(header_.members * sizeof(ClusterMember));
    NEARDUP_RETURN_IF_ERROR(
        file_.ReadAt(pos_, members_.size(), members_.data()));
    pos_ += members_.size();
    return true;
  }
  const ClusterHeader& header() const { return header_; }
  const std::string& members() const { return members_; }

 private:
  RandomAccessFile file_;
  uint64_t pos_ = 0;
  ClusterHeader header_{};
  std::string members_;
};

// Merges the groups' record files named `suffix` by their headers' first
// rank into `out`.
absl::Status MergeRecords(const std::string& dir, uint32_t groups,
                          const char* suffix, const std::string& out) {
  std::vector<ClusterRecords> in;
  std::vector<bool> live;
  for (uint32_t g = 0; g < groups; ++g) {
    NEARDUP_ASSIGN_OR_RETURN(RandomAccessFile f,
                             RandomAccessFile::Open(GroupPath(dir, g, suffix)));
    in.emplace_back(std::move(f));
    NEARDUP_ASSIGN_OR_RETURN(bool more, in.back().Next());
    live.push_back(more);
  }
  NEARDUP_ASSIGN_OR_RETURN(FileWriter w, FileWriter::Create(out));
  using Head = std::pair<uint32_t, uint32_t>;  // representative, group
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heap;
  for (uint32_t g = 0; g < groups; ++g) {
    if (live[g]) heap.push({in[g].header().representative, g});
  }
  while (!heap.empty()) {
    const uint32_t g = heap.top().second;
    heap.pop();
    NEARDUP_RETURN_IF_ERROR(w.AppendRecord(in[g].header()));
    NEARDUP_RETURN_IF_ERROR(w.Append(in[g].members()));
    NEARDUP_ASSIGN_OR_RETURN(bool more, in[g].Next());
    if (more) heap.push({in[g].header().representative, g});
  }
  return w.Close();
}

}  // namespace

absl::StatusOr<uint32_t> ClusterPartitions(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(PlanView plan, ReadPlan(dir));
  if (plan.cluster_partitions > 0) return plan.cluster_partitions;
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> verify,
                           Marker::Read(dir + "/verify.done"));
  NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> bucket,
                           Marker::Read(dir + "/bucket.done"));
  if (!verify.has_value() || !bucket.has_value()) {
    return absl::FailedPreconditionError(
        "the cluster partitions are chosen once the verify step is done");
  }
  const uint64_t edges = verify->Int("edges") + bucket->Int("exact_duplicates");
  constexpr uint64_t kEdgesPerPartition = uint64_t{8} << 20;
  return static_cast<uint32_t>(std::clamp<uint64_t>(
      (edges + kEdgesPerPartition - 1) / kEdgesPerPartition, 2, 4096));
}

absl::StatusOr<bool> ComponentsByStars(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(PlanView plan, ReadPlan(dir));
  switch (plan.components) {
    case PlanOptions::Components::kUnionFind:
      return false;
    case PlanOptions::Components::kStars:
      return true;
    case PlanOptions::Components::kAuto:
      break;
  }
  NEARDUP_RETURN_IF_ERROR(NeedStage(dir, "bucket"));
  NEARDUP_ASSIGN_OR_RETURN(uint32_t n, Ranks(dir));
  return n > kUnionFindDocuments;
}

absl::StatusOr<TaskResult> UnionFind(const std::string& dir) {
  NEARDUP_RETURN_IF_ERROR(NeedStage(dir, "verify"));
  NEARDUP_RETURN_IF_ERROR(MakeDirs(ClusterPartsDir(dir)));
  return RunTask(
      ClusterPartsDir(dir) + "/labels.done", dir + "/cluster.done",
      [&](Marker* stats) -> absl::Status {
        NEARDUP_ASSIGN_OR_RETURN(uint32_t parts, VerifyPartCount(dir));
        NEARDUP_ASSIGN_OR_RETURN(
            std::vector<ExactPair> exact,
            ReadVector<ExactPair>(dir + "/bucket/exact.bin"));
        NEARDUP_ASSIGN_OR_RETURN(uint32_t n, Ranks(dir));
        NEARDUP_ASSIGN_OR_RETURN(std::vector<uint32_t> labels,
                                 ComponentLabels(dir, parts, n, exact));
        NEARDUP_RETURN_IF_ERROR(
            WriteVector(ClusterPartsDir(dir) + "/labels.bin", labels));
        stats->Add("ranks", n);
        return absl::OkStatus();
      });
}

absl::StatusOr<uint32_t> StarSources(const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(uint32_t parts, VerifyPartCount(dir));
  return parts + 1;
}

absl::StatusOr<TaskResult> StarInput(const std::string& dir, uint32_t source) {
  neardup::RaiseOpenFileLimit();  // a file per partition or group
  NEARDUP_RETURN_IF_ERROR(NeedStage(dir, "verify"));
  NEARDUP_ASSIGN_OR_RETURN(uint32_t sources, StarSources(dir));
  NEARDUP_ASSIGN_OR_RETURN(uint32_t partitions, ClusterPartitions(dir));
  if (source >= sources) {
    return absl::InvalidArgumentError(
        absl::StrCat("component source ", source, " of ", sources));
  }
  NEARDUP_RETURN_IF_ERROR(MakeDirs(StarRoundDir(dir, 0)));
  return RunTask(StarInputMarker(dir, source), dir + "/cluster.done",
                 [&](Marker*) -> absl::Status {
                   return audit::StarInput(dir, source, sources - 1,
                                           partitions);
                 });
}

absl::StatusOr<TaskResult> StarRound(const std::string& dir, uint32_t round,
                                     uint32_t partition) {
  neardup::RaiseOpenFileLimit();  // a file per partition or group
  NEARDUP_ASSIGN_OR_RETURN(uint32_t partitions, ClusterPartitions(dir));
  NEARDUP_ASSIGN_OR_RETURN(uint32_t sources0, StarSources(dir));
  if (partition >= partitions || round > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("component round ", round,
                                                   " partition ", partition,
                                                   " of ", partitions));
  }
  const uint32_t sources = round == 0 ? sources0 : partitions;
  NEARDUP_RETURN_IF_ERROR(MakeDirs(StarRoundDir(dir, round)));
  return RunTask(
      StarRoundMarker(dir, round, partition), dir + "/cluster.done",
      [&](Marker* stats) -> absl::Status {
        if (round > 0) {
          // Its input is whole only when every task of the round before
          // has written its marker.
          NEARDUP_RETURN_IF_ERROR(
              AllDone(
                  partitions,
                  [&](uint32_t t) {
                    return StarRoundMarker(dir, round - 1, t);
                  },
                  absl::StrCat("component round ", round - 1, " partitions"))
                  .status());
        } else {
          NEARDUP_RETURN_IF_ERROR(
              AllDone(
                  sources0, [&](uint32_t s) { return StarInputMarker(dir, s); },
                  "component inputs")
                  .status());
        }
        return audit::StarRound(dir, round, partition, sources, partitions,
                                stats);
      });
}

absl::StatusOr<bool> StarConverged(const std::string& dir, uint32_t round) {
  NEARDUP_ASSIGN_OR_RETURN(uint32_t partitions, ClusterPartitions(dir));
  return audit::StarConverged(dir, round, partitions);
}

absl::StatusOr<TaskResult> StarLabels(const std::string& dir, uint32_t round) {
  NEARDUP_ASSIGN_OR_RETURN(uint32_t partitions, ClusterPartitions(dir));
  NEARDUP_ASSIGN_OR_RETURN(uint32_t sources0, StarSources(dir));
  return RunTask(
      ClusterPartsDir(dir) + "/labels.done", dir + "/cluster.done",
      [&](Marker* stats) -> absl::Status {
        NEARDUP_ASSIGN_OR_RETURN(bool done,
                                 audit::StarConverged(dir, round, partitions));
        if (!done) {
          return absl::FailedPreconditionError(
              absl::StrCat("component round ", round, " is not the last one"));
        }
        NEARDUP_ASSIGN_OR_RETURN(uint32_t n, Ranks(dir));
        NEARDUP_RETURN_IF_ERROR(audit::StarLabels(
            dir, round, round == 0 ? sources0 : partitions, partitions, n));
        stats->Add("ranks", n);
        stats->Add("rounds", round);
        return absl::OkStatus();
      });
}

absl::StatusOr<TaskResult> ClusterGroup(const std::string& dir,
                                        uint32_t group) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Audit> a, OpenAudit(dir));
  NEARDUP_ASSIGN_OR_RETURN(uint32_t groups, ClusterPartitions(dir));
  if (group >= groups) {
    return absl::InvalidArgumentError(
        absl::StrCat("cluster group ", group, " of ", groups));
  }
  return RunTask(
      GroupPath(dir, group, ".done"), dir + "/cluster.done",
      [&](Marker* stats) -> absl::Status {
        if (!FileExists(ClusterPartsDir(dir) + "/labels.done")) {
          return absl::FailedPreconditionError(
              "the component labels are not done yet");
        }
        NEARDUP_ASSIGN_OR_RETURN(uint32_t parts, VerifyPartCount(dir));
        NEARDUP_ASSIGN_OR_RETURN(uint32_t n, Ranks(dir));
        NEARDUP_ASSIGN_OR_RETURN(
            MappedWords labels,
            MappedWords::Open(ClusterPartsDir(dir) + "/labels.bin", n));
        auto in_group = [&](uint32_t rank) {
          return GroupOf(labels[rank], groups) == group;
        };
        NEARDUP_ASSIGN_OR_RETURN(
            std::vector<ExactPair> exact,
            ReadVector<ExactPair>(dir + "/bucket/exact.bin"));
        exact.erase(std::remove_if(
                        exact.begin(), exact.end(),
                        [&](const ExactPair& p) { return !in_group(p.head); }),
                    exact.end());
        NEARDUP_ASSIGN_OR_RETURN(FileWriter out, FileWriter::Create(GroupPath(
                                                     dir, group, ".clusters")));
        NEARDUP_ASSIGN_OR_RETURN(
            StarStats st,
            StarClusters(a->ctx, parts, n, exact, in_group, &out));
        NEARDUP_RETURN_IF_ERROR(out.Close());
        AddStarStats(st, stats);
        if (a->ctx.params.components) {
          std::vector<std::pair<uint32_t, uint32_t>> members;
          for (uint32_t p = 0; p < parts; ++p) {
            NEARDUP_ASSIGN_OR_RETURN(
                RandomAccessFile f,
                RandomAccessFile::Open(EdgePartPath(dir, p)));
            RecordReader<Edge> edges(&f, 0, f.size(), 8192);
            Edge e;
            while (true) {
              NEARDUP_ASSIGN_OR_RETURN(bool more, edges.Next(&e));
              if (!more) break;
              if (!in_group(e.a)) continue;
              members.emplace_back(labels[e.a], e.a);
              members.emplace_back(labels[e.b], e.b);
            }
          }
          for (const ExactPair& x : exact) {
            members.emplace_back(labels[x.head], x.head);
            members.emplace_back(labels[x.member], x.member);
          }
          NEARDUP_ASSIGN_OR_RETURN(
              FileWriter comp,
              FileWriter::Create(GroupPath(dir, group, ".components")));
          uint64_t components = 0, largest = 0;
          NEARDUP_RETURN_IF_ERROR(WriteComponentRecords(
              std::move(members), &comp, &components, &largest));
          NEARDUP_RETURN_IF_ERROR(comp.Close());
          stats->Add("components", components);
          stats->Add("largest_component", largest);
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<TaskResult> FinishCluster(const std::string& dir) {
  neardup::RaiseOpenFileLimit();  // a file per partition or group
  NEARDUP_ASSIGN_OR_RETURN(PlanView plan, ReadPlan(dir));
  return RunTask(dir + "/cluster.done", "", [&](Marker* stats) -> absl::Status {
    NEARDUP_ASSIGN_OR_RETURN(uint32_t groups, ClusterPartitions(dir));
    NEARDUP_ASSIGN_OR_RETURN(
        std::vector<Marker> done,
        AllDone(
            groups, [&](uint32_t g) { return GroupPath(dir, g, ".done"); },
            "cluster groups"));
    const std::string out = dir + "/cluster";
    NEARDUP_RETURN_IF_ERROR(MakeDirs(out));
    NEARDUP_RETURN_IF_ERROR(
        MergeRecords(dir, groups, ".clusters", out + "/clusters.bin"));
    StarStats st;
    uint64_t components = 0, largest_component = 0;
    for (const Marker& m : done) {
      st.clusters += m.Int("clusters");
      st.largest_cluster =
          std::max(st.largest_cluster, m.Int("largest_cluster"));
      st.exact_duplicates += m.Int("exact_duplicates");
      st.near_duplicates += m.Int("near_duplicates");
      components += m.Int("components");
      largest_component =
          std::max(largest_component, m.Int("largest_component"));
    }
    AddStarStats(st, stats);
    if (plan.options.params.components) {
      NEARDUP_RETURN_IF_ERROR(
          MergeRecords(dir, groups, ".components", out + "/components.bin"));
      stats->Add("components", components);
      stats->Add("largest_component", largest_component);
    }
    AddTaskTotals(done, stats);
    return absl::OkStatus();
  });
}

}  // namespace neardup::audit::tasks
