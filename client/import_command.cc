#include "client/import_command.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "service/audit/audit.h"
#include "service/audit/files.h"
#include "service/audit/params.h"
#include "service/audit/sign.h"
#include "service/audit/signed.h"
#include "service/common/executor.h"
#include "service/corpus/reader.h"
#include "service/engine/pipeline.h"
#include "service/report/text_format.h"
#include "service/sketch/fingerprint.h"
#include "service/text/shingle.h"

namespace neardup::client {
namespace {

using report::WithCommas;

constexpr uint32_t kDefaultBatch = 1000;
constexpr uint32_t kMaxBatch = 10000;
// A batch is also sent when it reaches this size, well under the server's
// message limit (64 MB by default) at any num_perm.
constexpr size_t kMaxBatchBytes = size_t{16} << 20;

// The first signed-corpus format that carries what a collection stores
// (3 renumbered band entries, which import does not read).
constexpr double kSignedFormat = 2;

// What an audit directory says about how it was fingerprinted.
struct AuditDir {
  audit::AuditParams params;
  uint32_t fingerprint_version = 0;
};

double Number(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? 0 : it->second.number_value();
}
bool Bool(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it != s.fields().end() && it->second.bool_value();
}

// Reads DIR/audit.json; FAILED_PRECONDITION for an audit whose signing
// is not finished or that an older neardup signed.
absl::StatusOr<AuditDir> ReadAuditDir(const std::string& dir,
                                      bool survivors_only) {
  absl::StatusOr<std::string> json = audit::ReadFile(dir + "/audit.json");
  if (!json.ok()) return json.status();
  google::protobuf::Struct identity;
  if (!google::protobuf::util::JsonStringToMessage(*json, &identity).ok() ||
      identity.fields().count("parameters") == 0) {
    return absl::DataLossError(
        absl::StrCat(dir, "/audit.json does not parse as an audit's"));
  }
  if (Number(identity, "signed") < kSignedFormat) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the audit in ", dir,
        " was signed by an older neardup, without the SimHash a collection "
        "stores: run the audit again into a new directory to import it"));
  }
  const char* needed = survivors_only ? "cluster" : "sign";
  if (!audit::FileExists(absl::StrCat(dir, "/", needed, ".done"))) {
    return absl::FailedPreconditionError(
        absl::StrCat("the audit in ", dir, " has not finished its ", needed,
                     " stage: run it again to finish, then import"));
  }
  const google::protobuf::Struct& p =
      identity.fields().at("parameters").struct_value();
  AuditDir out;
  out.params.threshold = Number(p, "threshold");
  out.params.containment = Bool(p, "containment");
  out.params.exact = Bool(p, "exact");
  engine::PipelineParams& e = out.params.pipeline;
  e.num_perm = static_cast<uint32_t>(Number(p, "num_perm"));
  e.text.shingle.word_size =
      static_cast<uint32_t>(Number(p, "word_shingle_size"));
  e.text.shingle.char_size =
      static_cast<uint32_t>(Number(p, "char_shingle_size"));
  e.text.fold_traditional = Bool(p, "fold_traditional");
  e.collapse_repeats = Bool(p, "collapse_repeats");
  // The seeds are this build's (audits cannot change them; a build with
  // others has another fingerprint version, which the server compares).
  out.fingerprint_version =
      static_cast<uint32_t>(Number(p, "fingerprint_version"));
  return out;
}

// The collection parameters of an audit's fingerprints, for the header
// and for creating the collection.
v1::CollectionParams ParamsOf(const audit::AuditParams& a) {
  v1::CollectionParams p;
  p.set_threshold(a.threshold);
  p.set_num_perm(a.pipeline.num_perm);
  p.set_word_shingle_size(a.pipeline.text.shingle.word_size);
  p.set_char_shingle_size(a.pipeline.text.shingle.char_size);
  p.set_fold_traditional(a.pipeline.text.fold_traditional);
  p.set_collapse_repeats(a.pipeline.collapse_repeats);
  return p;
}

// The pipeline of a collection with parameters `p` (defaults filled).
engine::PipelineParams PipelineOf(const v1::CollectionParams& p) {
  engine::PipelineParams e;
  e.num_perm = p.num_perm();
  e.text.shingle.word_size = p.word_shingle_size();
  e.text.shingle.char_size = p.char_shingle_size();
  e.text.fold_traditional = !p.has_fold_traditional() || p.fold_traditional();
  e.collapse_repeats = !p.has_collapse_repeats() || p.collapse_repeats();
  e.passage_fingerprints = p.has_passages() && p.passages();
  return e;
}

void Fill(const sketch::Fingerprint& fp, v1::FingerprintedDocument* d) {
  d->mutable_minhash()->Add(fp.minhash.begin(), fp.minhash.end());
  d->mutable_bottom_k()->Add(fp.bottom_k.begin(), fp.bottom_k.end());
  d->set_simhash(fp.simhash);
  d->set_digest_low(fp.digest.low);
  d->set_digest_high(fp.digest.high);
  d->set_shingle_count(fp.shingle_count);
  d->set_token_count(fp.token_count);
}

// Sends documents in batches and shows how far it got.
class Sender {
 public:
  Sender(Client::ImportStream* stream, uint32_t batch, AuditEnvironment* env,
         bool show)
      : stream_(stream), batch_size_(batch), env_(env), show_(show) {}

  v1::FingerprintedDocument* Next() { return batch_.add_documents(); }

  // Sends the batch if it is full (or `force` and not empty).
  absl::Status Flush(bool force = false) {
    const int n = batch_.documents_size();
    if (n == 0) return absl::OkStatus();
    bytes_ += batch_.documents(n - 1).ByteSizeLong();
    if (!force && n < static_cast<int>(batch_size_) &&
        bytes_ < kMaxBatchBytes) {
      return absl::OkStatus();
    }
    absl::Status s = stream_->Send(std::move(batch_));
    batch_.Clear();
    bytes_ = 0;
    sent_ += n;
    if (show_) {
      const double secs = absl::ToDoubleSeconds(absl::Now() - start_);
      *env_->err << "\r"
                 << absl::StrFormat("import  %s documents sent   %.0f docs/s",
                                    WithCommas(sent_),
                                    secs > 0 ? sent_ / secs : 0.0)
                 << std::flush;
    }
    return s;
  }
  uint64_t sent() const { return sent_; }
  absl::Time start() const { return start_; }

 private:
  Client::ImportStream* const stream_;
  const uint32_t batch_size_;
  AuditEnvironment* const env_;
  const bool show_;
  v1::ImportBatch batch_;
  size_t bytes_ = 0;  // of the batch, about
  uint64_t sent_ = 0;
  const absl::Time start_ = absl::Now();
};

// Counts of what the client left out.
struct Skipped {
  uint64_t bad = 0;       // unreadable documents (--skip-bad, or the audit's)
  uint64_t not_kept = 0;  // --survivors-only: duplicates the audit removed
};

absl::Status SendAudit(const std::string& dir, const AuditDir& a,
                       bool survivors_only, Sender* sender, Skipped* skipped) {
  absl::StatusOr<std::unique_ptr<audit::SignedCorpus>> corpus =
      audit::SignedCorpus::Open(dir + "/sign", a.params.pipeline.num_perm,
                                audit::AuditLsh(a.params), a.params.exact);
  if (!corpus.ok()) return corpus.status();
  std::vector<bool> removed;
  if (survivors_only) {
    removed.assign((*corpus)->documents(), false);
    audit::StageContext ctx;
    ctx.dir = dir;
    ctx.params = a.params;
    absl::Status s = audit::ForEachCluster(
        ctx, **corpus, [&](audit::ClusterView c) -> absl::Status {
          for (const audit::MemberView& m : c.members) removed[m.doc] = true;
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
  }
  // A chunk at a time, each of its files read whole: three reads per
  // chunk instead of three per document.
  const uint32_t num_perm = a.params.pipeline.num_perm;
  std::vector<audit::DocRecord> records;
  std::string ids, sketches;
  for (const audit::SignedCorpus::Chunk& chunk : (*corpus)->chunks()) {
    records.resize(chunk.docs);
    ids.resize(chunk.ids_file.size());
    sketches.resize(chunk.sketch_file.size());
    for (auto [file, size, out] :
         {std::tuple(&chunk.docs_file,
                     records.size() * sizeof(audit::DocRecord),
                     static_cast<void*>(records.data())),
          std::tuple(&chunk.ids_file, ids.size(),
                     static_cast<void*>(ids.data())),
          std::tuple(&chunk.sketch_file, sketches.size(),
                     static_cast<void*>(sketches.data()))}) {
      absl::Status s = file->ReadAt(0, size, out);
      if (!s.ok()) return s;
    }
    for (uint64_t i = 0; i < chunk.docs; ++i) {
      const audit::DocRecord& r = records[i];
      if (r.flags & audit::kBadDocument) {
        ++skipped->bad;
        continue;
      }
      if (survivors_only && removed[chunk.first + i]) {
        ++skipped->not_kept;
        continue;
      }
      const uint64_t sketch_bytes = (uint64_t{num_perm} + r.bottom_k) * 4;
      if (r.id_offset + r.id_bytes > ids.size() ||
          r.sketch_offset + sketch_bytes > sketches.size()) {
        return absl::DataLossError(
            absl::StrCat("document ", chunk.first + i, " of ", dir,
                         "/sign points past the end of its chunk's files"));
      }
      v1::FingerprintedDocument* d = sender->Next();
      d->set_id(ids.substr(r.id_offset, r.id_bytes));
      const char* sketch = sketches.data() + r.sketch_offset;
      d->mutable_minhash()->Resize(static_cast<int>(num_perm), 0);
      std::memcpy(d->mutable_minhash()->mutable_data(), sketch,
                  size_t{num_perm} * 4);
      d->mutable_bottom_k()->Resize(r.bottom_k, 0);
      if (r.bottom_k > 0) {
        std::memcpy(d->mutable_bottom_k()->mutable_data(),
                    sketch + size_t{num_perm} * 4, size_t{r.bottom_k} * 4);
      }
      d->set_simhash(r.simhash);
      d->set_digest_low(r.digest_low);
      d->set_digest_high(r.digest_high);
      d->set_shingle_count(r.shingles);
      d->set_token_count(r.tokens);
      d->set_content_bytes(r.content_bytes);
      d->set_repeated_fraction(r.repeated_fraction);
      absl::Status s = sender->Flush();
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

// Reads and fingerprints corpus inputs a batch at a time, on every core.
absl::Status SendCorpus(const std::vector<std::string>& inputs,
                        const corpus::ReaderOptions& reader_options,
                        const engine::PipelineParams& params, int threads,
                        uint32_t batch, Sender* sender, Skipped* skipped) {
  absl::StatusOr<std::unique_ptr<corpus::Reader>> reader =
      corpus::Reader::Open(inputs, reader_options);
  if (!reader.ok()) return reader.status();
  const engine::Pipeline pipeline(params);
  Executor executor({threads, 64});
  std::vector<corpus::Document> docs(batch);
  std::vector<absl::StatusOr<engine::PreparedText>> prepared(batch);
  for (bool more = true; more;) {
    size_t n = 0;
    for (; n < batch; ++n) {
      absl::StatusOr<bool> got = (*reader)->Next(&docs[n]);
      if (!got.ok()) return got.status();
      if (!*got) {
        more = false;
        break;
      }
    }
    ParallelFor(&executor, n, [&](size_t i) {
      const corpus::Document& d = docs[i];
      prepared[i] = d.problem.ok()
                        ? pipeline.Prepare(d.content, audit::InputOf(d))
                        : absl::StatusOr<engine::PreparedText>(d.problem);
    });
    for (size_t i = 0; i < n; ++i) {
      if (!prepared[i].ok()) {
        if (reader_options.skip_bad) {
          ++skipped->bad;
          continue;
        }
        return absl::Status(
            prepared[i].status().code(),
            absl::StrCat(audit::PlaceOf(**reader, docs[i]), ": ",
                         prepared[i].status().message(),
                         " (--skip-bad leaves such documents out)"));
      }
      v1::FingerprintedDocument* d = sender->Next();
      d->set_id(docs[i].id);
      Fill(prepared[i]->fp, d);
      d->set_content_bytes(docs[i].content.size());
      d->set_repeated_fraction(prepared[i]->stats.repeated_fraction);
      if (params.passage_fingerprints) {
        v1::ImportedPassages* p = d->mutable_passages();
        if (prepared[i]->extracted.has_value()) {  // a page: its text
          p->set_extracted(true);
          p->set_content(std::move(prepared[i]->extracted->text));
          p->set_token_offsets(
              std::move(prepared[i]->extracted->token_offsets));
        } else {
          p->set_content(std::move(docs[i].content));
        }
        p->set_charset(prepared[i]->stats.charset);
        p->set_html(prepared[i]->stats.html);
        const std::vector<uint32_t>& f = prepared[i]->passage_fingerprints;
        p->mutable_fingerprints()->Add(f.begin(), f.end());
      }
      absl::Status s = sender->Flush();
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status UsageError(AuditEnvironment* env, std::string message) {
  env->usage_error = true;
  return absl::InvalidArgumentError(std::move(message));
}

}  // namespace

const char* ImportUsage() {
  return R"(Bulk import (into a new or empty collection, all or nothing):
  collections import NAME AUDIT_DIR [--survivors-only]
      The documents a `neardup audit --out AUDIT_DIR` run signed, as they
      are (no text read again); --survivors-only: only those it kept. A
      missing collection is created with the audit's parameters.
  collections import NAME INPUT... [--threads N] [--skip-bad]
      Corpus inputs as audit reads them, fingerprinted here on every core
      with the collection's parameters (created with defaults if missing);
      the way to bulk load a collection with passages, whose texts it
      sends too.
    --batch N    documents per message (default 1000)
)";
}

absl::Status RunImportCommand(const Args& args, AuditEnvironment* env) {
  absl::Status s = AllowOnly(args, "collections import",
                             {"survivors-only", "batch", "threads", "id-field",
                              "text-field", "skip-bad", "progress", "quiet"});
  if (!s.ok()) return UsageError(env, std::string(s.message()));
  if (args.positional.size() < 4) {
    return UsageError(env,
                      "usage: neardup collections import NAME "
                      "AUDIT_DIR|INPUT... (see neardup help)");
  }
  const std::string name = args.positional[2];
  const std::vector<std::string> sources(args.positional.begin() + 3,
                                         args.positional.end());
  uint32_t batch = kDefaultBatch;
  if (args.Has("batch")) {
    absl::StatusOr<uint32_t> b = ParseUint("batch", args.Value("batch"));
    if (!b.ok() || *b == 0 || *b > kMaxBatch) {
      return UsageError(
          env, absl::StrCat("--batch needs a number in [1, ", kMaxBatch, "]"));
    }
    batch = *b;
  }
  int threads = 0;
  if (args.Has("threads")) {
    absl::StatusOr<uint32_t> t = ParseUint("threads", args.Value("threads"));
    if (!t.ok() || *t == 0 || *t > 1024) {
      return UsageError(env, "--threads needs a number in [1, 1024]");
    }
    threads = static_cast<int>(*t);
  }
  const bool from_audit =
      sources.size() == 1 && audit::FileExists(sources[0] + "/audit.json");
  const bool survivors_only = args.Flag("survivors-only");
  if (survivors_only && !from_audit) {
    return UsageError(env,
                      "--survivors-only needs the directory of an audit "
                      "(one holding audit.json)");
  }
  for (const char* reading :
       {"threads", "id-field", "text-field", "skip-bad"}) {
    if (from_audit && (args.Has(reading) || args.Flag(reading))) {
      return UsageError(env, absl::StrCat("--", reading,
                                          " applies to INPUTs, not to the "
                                          "directory of an audit"));
    }
  }
  const bool show = !args.Flag("quiet") && args.Value("progress") != "none" &&
                    (env->err_is_terminal || args.Value("progress") == "text");

  absl::StatusOr<AuditDir> audit_dir;
  if (from_audit) {
    audit_dir = ReadAuditDir(sources[0], survivors_only);
    if (!audit_dir.ok()) return audit_dir.status();
  }
  absl::StatusOr<Client*> client = env->connect();
  if (!client.ok()) return client.status();
  absl::StatusOr<v1::Collection> collection = (*client)->GetCollection(name);
  if (absl::IsNotFound(collection.status())) {
    if (from_audit && audit_dir->params.containment) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the audit in ", sources[0],
          " thresholded containment, not the Jaccard similarity a "
          "collection is tuned to: create collection ",
          name, " first (neardup collections create), then import"));
    }
    collection = (*client)->CreateCollection(
        name,
        from_audit ? ParamsOf(audit_dir->params) : v1::CollectionParams());
    if (collection.ok() && !args.Flag("quiet")) {
      *env->err << "created collection " << name << "\n";
    }
  }
  if (!collection.ok()) return collection.status();
  if (from_audit && collection->params().passages()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "collection ", name,
        " keeps passages, whose texts the signed corpus of an audit does not "
        "hold: import the audit's inputs instead"));
  }
  if (collection->document_count() > 0) {  // before signing anything
    return absl::FailedPreconditionError(absl::StrCat(
        "collection ", name, " holds ", collection->document_count(),
        " documents; bulk import loads only into a new or empty collection"));
  }

  v1::ImportHeader header;
  header.set_collection(name);
  header.set_shingle_seed(text::ShingleParams().seed);
  header.set_minhash_seed(sketch::kMinHashSeed);
  if (from_audit) {
    *header.mutable_params() = ParamsOf(audit_dir->params);
    header.set_fingerprint_version(audit_dir->fingerprint_version);
  } else {
    *header.mutable_params() = collection->params();
    header.set_fingerprint_version(sketch::kFingerprintVersion);
  }
  absl::StatusOr<std::unique_ptr<Client::ImportStream>> stream =
      (*client)->BeginImport(header);
  if (!stream.ok()) return stream.status();
  Sender sender(stream->get(), batch, env, show);
  Skipped skipped;
  if (from_audit) {
    s = SendAudit(sources[0], *audit_dir, survivors_only, &sender, &skipped);
  } else {
    corpus::ReaderOptions ro;
    if (args.Has("id-field")) ro.id_field = args.Value("id-field");
    if (args.Has("text-field")) ro.text_field = args.Value("text-field");
    ro.skip_bad = args.Flag("skip-bad");
    s = SendCorpus(sources, ro, PipelineOf(collection->params()), threads,
                   batch, &sender, &skipped);
  }
  if (s.ok()) s = sender.Flush(/*force=*/true);
  if (!s.ok()) return s;  // the stream is cancelled: nothing is stored
  if (show) *env->err << "\nimport  committing...\n" << std::flush;
  absl::StatusOr<v1::ImportResponse> r = (*stream)->Commit();
  if (!r.ok()) return r.status();
  const double secs = absl::ToDoubleSeconds(absl::Now() - sender.start());
  if (args.Flag("json")) {
    // The server's ImportResponse, and what the client left out.
    google::protobuf::util::JsonPrintOptions o;
    o.preserve_proto_field_names = true;
    o.always_print_primitive_fields = true;
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(*r, &json, o);
    json.pop_back();  // the closing brace
    *env->out << json
              << absl::StrFormat(
                     ",\"not_kept\":%d,\"unreadable\":%d,\"seconds\":%.3f}\n",
                     skipped.not_kept, skipped.bad, secs);
    return absl::OkStatus();
  }
  if (args.Flag("quiet")) return absl::OkStatus();
  *env->out << absl::StrFormat(
      "imported %s documents into %s in %.1f s (%.0f docs/s; the server "
      "wrote %.1f MB of tables in %.1f s and ingested them in %.2f s)\n",
      WithCommas(r->documents()), name, secs,
      secs > 0 ? r->documents() / secs : 0.0, r->file_bytes() / 1e6,
      r->write_seconds(), r->ingest_seconds());
  if (r->duplicate_ids() > 0) {
    *env->out << "skipped " << WithCommas(r->duplicate_ids())
              << " documents whose id came earlier\n";
  }
  if (skipped.not_kept > 0) {
    *env->out << "left out " << WithCommas(skipped.not_kept)
              << " duplicates the audit did not keep\n";
  }
  if (skipped.bad > 0) {
    *env->out << "left out " << WithCommas(skipped.bad)
              << " unreadable documents\n";
  }
  return absl::OkStatus();
}

}  // namespace neardup::client
