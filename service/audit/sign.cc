#include "service/audit/sign.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "service/audit/signed.h"
#include "service/common/status_macros.h"
#include "service/engine/pipeline.h"

namespace neardup::audit {
namespace {

constexpr size_t kMaxProblems = 10;

// A chunk as read: documents and where the reader stood after them.
struct ReadChunk {
  std::vector<corpus::Document> docs;
  uint64_t bytes_read = 0;
};

// Reads the corpus on its own thread, one chunk ahead of the signer.
class ChunkReader {
 public:
  ChunkReader(corpus::Reader* reader, size_t max_docs, uint64_t max_bytes)
      : reader_(reader), max_docs_(max_docs), max_bytes_(max_bytes) {}

  ~ChunkReader() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

  // Reads past `docs` documents without their content, on this thread.
  absl::Status Skip(uint64_t docs) {
    corpus::Document d;
    for (uint64_t i = 0; i < docs; ++i) {
      NEARDUP_ASSIGN_OR_RETURN(bool more, reader_->Next(&d, false));
      if (!more) {
        return absl::FailedPreconditionError(
            "the inputs hold fewer documents than the audit directory has "
            "signed: they changed since the audit began");
      }
    }
    return absl::OkStatus();
  }

  // Reads ahead on a thread of its own from now on; without this call,
  // Take reads on the caller's thread.
  void Start() {
    ahead_ = true;
    thread_ = std::thread([this] { Run(); });
  }

  // The next chunk: a chunk, nullopt at the end, or the reader's error.
  absl::StatusOr<std::optional<ReadChunk>> Take() {
    if (!ahead_) ReadOne();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ChunkReader* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
          return !r->ready_.empty() || r->finished_;
        },
        this));
    if (ready_.empty()) {
      if (!status_.ok()) return status_;
      return std::optional<ReadChunk>();
    }
    std::optional<ReadChunk> out(std::move(ready_.front()));
    ready_.pop_front();
    return out;
  }

 private:
  void Run() {
    while (ReadOne()) {
      // One chunk ahead, no more.
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ChunkReader* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
            return r->ready_.empty() || r->stop_;
          },
          this));
      if (stop_) return;
    }
  }

  // Reads one chunk into `ready_`; false at the end or on an error.
  bool ReadOne() {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return false;
    }
    {
      ReadChunk chunk;
      uint64_t bytes = 0;
      absl::Status status;
      bool end = false;
      while (chunk.docs.size() < max_docs_ && bytes < max_bytes_) {
        corpus::Document d;
        absl::StatusOr<bool> more = reader_->Next(&d);
        if (!more.ok()) {
          status = more.status();
          break;
        }
        if (!*more) {
          end = true;
          break;
        }
        bytes += d.content.size() + d.id.size();
        chunk.docs.push_back(std::move(d));
      }
      chunk.bytes_read = reader_->bytes_read();
      absl::MutexLock lock(&mu_);
      if (!chunk.docs.empty()) ready_.push_back(std::move(chunk));
      if (!status.ok() || end) {
        status_ = status;
        finished_ = true;
        return false;
      }
      return true;
    }
  }

  corpus::Reader* const reader_;
  const size_t max_docs_;
  const uint64_t max_bytes_;
  bool ahead_ = false;
  std::thread thread_;
  absl::Mutex mu_;
  std::deque<ReadChunk> ready_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

// Writes signed chunks on a thread of its own, one chunk behind the
// signer; or on the caller's thread when not started.
class ChunkWriter {
 public:
  using Job = std::function<absl::Status()>;

  ~ChunkWriter() { Finish().IgnoreError(); }  // errors: reported by Finish

  void Start() {
    behind_ = true;
    thread_ = std::thread([this] { Run(); });
  }

  // Runs `job` (writing a chunk): here, or after the previous one on the
  // writer's thread. Returns the first error of an earlier job.
  absl::Status Write(Job job) {
    if (!behind_) return job();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ChunkWriter* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
          return !w->pending_.has_value();
        },
        this));
    if (!status_.ok()) return status_;
    pending_ = std::move(job);
    return absl::OkStatus();
  }

  // Waits for the jobs written so far; returns the first error.
  absl::Status Finish() {
    if (!behind_) return absl::OkStatus();
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    if (thread_.joinable()) thread_.join();
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  void Run() {
    while (true) {
      Job job;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](ChunkWriter* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
              return w->pending_.has_value() || w->done_;
            },
            this));
        if (!pending_.has_value()) return;
        job = std::move(*pending_);
      }
      absl::Status s = status_ok() ? job() : absl::OkStatus();
      absl::MutexLock lock(&mu_);
      if (status_.ok()) status_ = s;
      pending_.reset();
    }
  }
  bool status_ok() {
    absl::MutexLock lock(&mu_);
    return status_.ok();
  }

  bool behind_ = false;
  std::thread thread_;
  absl::Mutex mu_;
  std::optional<Job> pending_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::string PlaceOf(const corpus::Reader& reader, const corpus::Document& doc) {
  const corpus::Source& s = reader.sources()[doc.source];
  switch (s.format) {
    case corpus::Format::kJsonl:
      return absl::StrCat(s.path, ":", doc.line);
    case corpus::Format::kWarc:
      return absl::StrCat(s.path, ": record ", doc.line, " at byte offset ",
                          doc.offset);
    case corpus::Format::kDocument:
      break;
  }
  return s.path;
}

text::InputOptions InputOf(const corpus::Document& doc) {
  text::InputOptions in;
  in.content_type = doc.media_type == "text/html"    ? text::ContentType::kHtml
                    : doc.media_type == "text/plain" ? text::ContentType::kText
                                                     : text::ContentType::kAuto;
  in.charset = doc.charset;
  return in;
}

absl::Status SignReader(const StageContext& ctx, const std::string& dir,
                        corpus::Reader* reader, bool skip_bad, Marker* stats) {
  NEARDUP_RETURN_IF_ERROR(MakeDirs(dir));
  // Chunks small enough that two (one read ahead, one being signed) and
  // their sketches stay well inside the memory limit.
  const uint64_t max_bytes = std::clamp<uint64_t>(
      ctx.memory_limit / 16, uint64_t{4} << 20, uint64_t{256} << 20);
  const size_t max_docs = static_cast<size_t>(
      std::clamp<uint64_t>(ctx.memory_limit / (16 * 2048), 1024, 1 << 20));

  // Resume: keep complete chunks, read past their documents.
  NEARDUP_ASSIGN_OR_RETURN(uint32_t done_chunks, CompleteChunks(dir));
  uint64_t first = 0, bad = 0, bytes = 0;
  std::vector<std::string> problems;
  for (uint32_t c = 0; c < done_chunks; ++c) {
    NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> m,
                             Marker::Read(ChunkPath(dir, c, "done")));
    first += m->Int("docs");
    bad += m->Int("bad");
    bytes += m->Int("bytes");
    for (std::string& p : m->All("problem")) {
      if (problems.size() < kMaxProblems) problems.push_back(std::move(p));
    }
  }
  ChunkReader chunks(reader, max_docs, max_bytes);
  NEARDUP_RETURN_IF_ERROR(chunks.Skip(first));
  // With more than one thread, reading runs a chunk ahead of signing and
  // writing a chunk behind it; with one, all three take turns, so that
  // --threads 1 is one core's rate.
  ChunkWriter writer;
  if (ctx.threads > 1) {
    chunks.Start();
    writer.Start();
  }

  engine::PipelineParams pipeline_params = ctx.params.pipeline;
  pipeline_params.keep_shingle_set = ctx.params.exact;
  pipeline_params.passage_fingerprints = false;
  const engine::Pipeline pipeline(pipeline_params);
  ProgressReporter progress(ctx, "sign", "documents");
  for (uint32_t index = done_chunks;; ++index) {
    NEARDUP_RETURN_IF_ERROR(ctx.CheckCancelled());
    NEARDUP_ASSIGN_OR_RETURN(std::optional<ReadChunk> chunk, chunks.Take());
    if (!chunk.has_value()) break;
    auto signed_docs =
        std::make_shared<std::vector<SignedDocument>>(chunk->docs.size());
    std::vector<absl::Status> errors(chunk->docs.size());
    ParallelFor(ctx.executor, chunk->docs.size(), [&](size_t i) {
      corpus::Document& d = chunk->docs[i];
      SignedDocument& s = (*signed_docs)[i];
      s.id = std::move(d.id);
      s.source = d.source;
      s.offset = d.offset;
      s.line = d.line;
      s.content_bytes = d.content.size();
      absl::Status problem = d.problem;
      if (problem.ok()) {
        absl::StatusOr<engine::PreparedText> p =
            pipeline.Prepare(d.content, InputOf(d));
        if (p.ok()) {
          s.fp = std::move(p->fp);
          s.repeated_fraction = p->stats.repeated_fraction;
          s.shingle_set = std::move(p->shingle_set);
        } else {
          problem = absl::Status(
              p.status().code(),
              absl::StrCat(PlaceOf(*reader, d), ": ", p.status().message()));
        }
      }
      if (!problem.ok()) {
        s.bad = true;
        errors[i] = std::move(problem);
      }
      d.content = std::string();  // give the memory back early
    });
    std::vector<std::string> chunk_problems;
    for (const absl::Status& e : errors) {
      if (e.ok()) continue;
      if (!skip_bad) return e;  // the first, in input order
      ++bad;
      chunk_problems.push_back(std::string(e.message()));
      if (problems.size() < kMaxProblems) {
        problems.push_back(std::string(e.message()));
      }
    }
    for (const SignedDocument& s : *signed_docs) bytes += s.content_bytes;
    const uint64_t chunk_first = first;
    NEARDUP_RETURN_IF_ERROR(
        writer.Write([&ctx, &dir, index, chunk_first, signed_docs,
                      problems = std::move(chunk_problems)]() -> absl::Status {
          NEARDUP_RETURN_IF_ERROR(WriteChunk(dir, index, chunk_first,
                                             *signed_docs, problems, ctx.lsh,
                                             ctx.params.exact, ctx.executor));
          CrashPoint("sign", index + 1);
          return absl::OkStatus();
        }));
    first += signed_docs->size();
    progress.Update(first, 0, chunk->bytes_read, reader->total_bytes());
  }
  NEARDUP_RETURN_IF_ERROR(writer.Finish());
  progress.Finish(first);
  stats->Add("documents", first);
  stats->Add("bad", bad);
  stats->Add("bytes", bytes);
  stats->Add("damaged_files", reader->problems());
  stats->Add("ignored_records", reader->ignored_records());
  for (const std::string& p : problems) stats->Add("problem", p);
  for (const std::string& p : reader->problem_messages()) {
    stats->Add("file_problem", p);
  }
  return absl::OkStatus();
}

Marker SignStageMarker(const std::vector<Marker>& parts) {
  uint64_t documents = 0, bad = 0, bytes = 0, damaged = 0, ignored = 0;
  std::vector<std::string> problems, file_problems;
  for (const Marker& m : parts) {
    documents += m.Int("documents");
    bad += m.Int("bad");
    bytes += m.Int("bytes");
    damaged += m.Int("damaged_files");
    ignored += m.Int("ignored_records");
    for (std::string& p : m.All("problem")) problems.push_back(std::move(p));
    for (std::string& p : m.All("file_problem")) {
      file_problems.push_back(std::move(p));
    }
  }
  // The first documents that did not read, then what ended files early:
  // kMaxProblems in all.
  if (problems.size() > kMaxProblems) problems.resize(kMaxProblems);
  for (std::string& p : file_problems) {
    if (problems.size() < kMaxProblems) problems.push_back(std::move(p));
  }
  Marker out;
  out.Add("documents", documents);
  out.Add("bad", bad);
  out.Add("bytes", bytes);
  out.Add("damaged_files", damaged);
  out.Add("ignored_records", ignored);
  for (const std::string& p : problems) out.Add("problem", p);
  return out;
}

absl::Status SignCorpus(const StageContext& ctx,
                        const std::vector<std::string>& inputs,
                        const corpus::ReaderOptions& reader_options,
                        Marker* stats) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<corpus::Reader> reader,
                           corpus::Reader::Open(inputs, reader_options));
  Marker m;
  NEARDUP_RETURN_IF_ERROR(SignReader(ctx, ctx.dir + "/sign", reader.get(),
                                     reader_options.skip_bad, &m));
  if (m.Int("documents") == 0) {
    return absl::InvalidArgumentError("the inputs hold no documents");
  }
  *stats = SignStageMarker({m});
  return absl::OkStatus();
}

}  // namespace neardup::audit
