#include "service/audit/signed.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "service/audit/marker.h"
#include "service/common/status_macros.h"

namespace neardup::audit {
namespace {

// Problem messages a chunk marker keeps.
constexpr size_t kMaxChunkProblems = 10;

}  // namespace

std::string ChunkPath(const std::string& dir, uint32_t index,
                      const std::string& suffix) {
  return absl::StrFormat("%s/chunk-%06u.%s", dir, index, suffix);
}

absl::Status WriteChunk(const std::string& dir, uint32_t index, uint64_t first,
                        absl::Span<const SignedDocument> docs,
                        const std::vector<std::string>& bad_problems,
                        sketch::LshParams lsh, bool with_shingles,
                        Executor* executor) {
  // Documents are numbered (and ranked) in 32 bits.
  if (first + docs.size() >= UINT32_MAX) {
    return absl::ResourceExhaustedError(
        absl::StrCat("an audit takes at most ", UINT32_MAX - 1,
                     " documents; split the corpus"));
  }
  std::vector<DocRecord> records(docs.size());
  std::string ids;
  NEARDUP_ASSIGN_OR_RETURN(FileWriter sketch,
                           FileWriter::Create(ChunkPath(dir, index, "sketch")));
  std::vector<uint32_t> good;  // positions in `docs` of good documents
  uint64_t bytes = 0, bad = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    const SignedDocument& d = docs[i];
    DocRecord& r = records[i];
    r.offset = d.offset;
    r.line = d.line;
    r.source = d.source;
    r.id_offset = ids.size();
    r.id_bytes = static_cast<uint32_t>(d.id.size());
    ids += d.id;
    r.content_bytes = d.content_bytes;
    bytes += d.content_bytes;
    if (d.bad) {
      r.flags = kBadDocument;
      ++bad;
      continue;
    }
    r.tokens =
        static_cast<uint32_t>(std::min<uint64_t>(d.fp.token_count, UINT32_MAX));
    // With exact sets, the count read back must be that of the set written
    // (a stored fingerprint may come from an older analysis of the text).
    r.shingles = static_cast<uint32_t>(std::min<uint64_t>(
        with_shingles ? d.shingle_set.size() : d.fp.shingle_count, UINT32_MAX));
    r.bottom_k = static_cast<uint16_t>(d.fp.bottom_k.size());
    r.digest_low = d.fp.digest.low;
    r.digest_high = d.fp.digest.high;
    r.simhash = d.fp.simhash;
    r.repeated_fraction = d.repeated_fraction;
    r.sketch_offset = sketch.size();
    NEARDUP_RETURN_IF_ERROR(
        sketch.Append(d.fp.minhash.data(), d.fp.minhash.size() * 4));
    NEARDUP_RETURN_IF_ERROR(
        sketch.Append(d.fp.bottom_k.data(), d.fp.bottom_k.size() * 4));
    if (with_shingles) {
      NEARDUP_RETURN_IF_ERROR(
          sketch.Append(d.shingle_set.data(), d.shingle_set.size() * 8));
    }
    good.push_back(static_cast<uint32_t>(i));
  }
  NEARDUP_RETURN_IF_ERROR(sketch.Close());
  NEARDUP_RETURN_IF_ERROR(WriteVector(ChunkPath(dir, index, "docs"), records));
  NEARDUP_RETURN_IF_ERROR(
      WriteFileAtomically(ChunkPath(dir, index, "ids"), ids));

  // The band keys of every good document, then one sorted run per band;
  // both in parallel.
  std::vector<uint64_t> keys(good.size() * lsh.bands);
  ParallelFor(executor, good.size(), [&](size_t g) {
    const std::vector<uint64_t> k =
        sketch::BandKeys(docs[good[g]].fp.minhash, lsh);
    std::copy(k.begin(), k.end(), keys.begin() + g * lsh.bands);
  });
  std::vector<std::vector<BandEntry>> bands(lsh.bands);
  ParallelFor(executor, lsh.bands, [&](size_t b) {
    std::vector<BandEntry>& run = bands[b];
    run.reserve(good.size());
    for (size_t g = 0; g < good.size(); ++g) {
      run.push_back({keys[g * lsh.bands + b], good[g]});
    }
    std::sort(run.begin(), run.end(),
              [](const BandEntry& x, const BandEntry& y) {
                return x.key != y.key ? x.key < y.key : x.doc < y.doc;
              });
  });
  {
    NEARDUP_ASSIGN_OR_RETURN(
        FileWriter out, FileWriter::Create(ChunkPath(dir, index, "bands")));
    for (const auto& run : bands) {
      NEARDUP_RETURN_IF_ERROR(
          out.Append(run.data(), run.size() * sizeof(BandEntry)));
    }
    NEARDUP_RETURN_IF_ERROR(out.Close());
  }
  std::vector<DigestEntry> digests;
  digests.reserve(good.size());
  for (uint32_t i : good) {
    digests.push_back({docs[i].fp.digest.low, docs[i].fp.digest.high, i});
  }
  std::sort(digests.begin(), digests.end(),
            [](const DigestEntry& x, const DigestEntry& y) {
              if (x.low != y.low) return x.low < y.low;
              if (x.high != y.high) return x.high < y.high;
              return x.doc < y.doc;
            });
  NEARDUP_RETURN_IF_ERROR(
      WriteVector(ChunkPath(dir, index, "digests"), digests));

  Marker m;
  m.Add("first", first);
  m.Add("docs", docs.size());
  m.Add("bad", bad);
  m.Add("bytes", bytes);
  for (size_t i = 0; i < bad_problems.size() && i < kMaxChunkProblems; ++i) {
    m.Add("problem", bad_problems[i]);
  }
  return m.Write(ChunkPath(dir, index, "done"));
}

absl::StatusOr<uint32_t> CompleteChunks(const std::string& dir) {
  uint32_t n = 0;
  while (FileExists(ChunkPath(dir, n, "done"))) ++n;
  return n;
}

absl::StatusOr<std::unique_ptr<SignedCorpus>> SignedCorpus::Open(
    const std::string& dir, uint32_t num_perm, sketch::LshParams lsh,
    bool with_shingles) {
  std::unique_ptr<SignedCorpus> c(new SignedCorpus());
  c->num_perm_ = num_perm;
  c->lsh_ = lsh;
  c->with_shingles_ = with_shingles;
  NEARDUP_ASSIGN_OR_RETURN(uint32_t n, CompleteChunks(dir));
  for (uint32_t i = 0; i < n; ++i) {
    NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> m,
                             Marker::Read(ChunkPath(dir, i, "done")));
    Chunk chunk;
    chunk.first = m->Int("first");
    chunk.docs = m->Int("docs");
    chunk.good = chunk.docs - m->Int("bad");
    if (chunk.first != c->documents_) {
      return absl::DataLossError(
          absl::StrCat(ChunkPath(dir, i, "done"), ": chunk starts at document ",
                       chunk.first, ", expected ", c->documents_));
    }
    NEARDUP_ASSIGN_OR_RETURN(chunk.docs_file,
                             RandomAccessFile::Open(ChunkPath(dir, i, "docs")));
    NEARDUP_ASSIGN_OR_RETURN(chunk.ids_file,
                             RandomAccessFile::Open(ChunkPath(dir, i, "ids")));
    NEARDUP_ASSIGN_OR_RETURN(
        chunk.sketch_file, RandomAccessFile::Open(ChunkPath(dir, i, "sketch")));
    NEARDUP_ASSIGN_OR_RETURN(
        chunk.bands_file, RandomAccessFile::Open(ChunkPath(dir, i, "bands")));
    NEARDUP_ASSIGN_OR_RETURN(
        chunk.digests_file,
        RandomAccessFile::Open(ChunkPath(dir, i, "digests")));
    if (chunk.docs_file.size() != chunk.docs * sizeof(DocRecord) ||
        chunk.bands_file.size() != chunk.good * lsh.bands * sizeof(BandEntry) ||
        chunk.digests_file.size() != chunk.good * sizeof(DigestEntry)) {
      return absl::DataLossError(absl::StrCat(
          "chunk ", i, " of ", dir,
          " has files of the wrong size: the audit directory is damaged or "
          "was written with other parameters"));
    }
    c->documents_ += chunk.docs;
    c->chunks_.push_back(std::move(chunk));
  }
  return c;
}

const SignedCorpus::Chunk& SignedCorpus::ChunkOf(uint64_t doc) const {
  auto it =
      std::upper_bound(chunks_.begin(), chunks_.end(), doc,
                       [](uint64_t d, const Chunk& c) { return d < c.first; });
  return *(it - 1);
}

absl::StatusOr<DocRecord> SignedCorpus::Doc(uint64_t doc) const {
  if (doc >= documents_) {
    return absl::InternalError(absl::StrCat("no document ", doc));
  }
  const Chunk& c = ChunkOf(doc);
  DocRecord r;
  NEARDUP_RETURN_IF_ERROR(
      c.docs_file.ReadAt((doc - c.first) * sizeof(DocRecord), sizeof(r), &r));
  return r;
}

absl::StatusOr<std::string> SignedCorpus::Id(uint64_t doc,
                                             const DocRecord& rec) const {
  std::string id(rec.id_bytes, '\0');
  NEARDUP_RETURN_IF_ERROR(
      ChunkOf(doc).ids_file.ReadAt(rec.id_offset, id.size(), id.data()));
  return id;
}

absl::Status SignedCorpus::ReadSketch(uint64_t doc, const DocRecord& rec,
                                      Sketch* out) const {
  const size_t ints = num_perm_ + rec.bottom_k;
  const size_t shingles = with_shingles_ ? rec.shingles : 0;
  std::vector<char> buf(ints * 4 + shingles * 8);
  NEARDUP_RETURN_IF_ERROR(ChunkOf(doc).sketch_file.ReadAt(
      rec.sketch_offset, buf.size(), buf.data()));
  out->minhash.resize(num_perm_);
  out->bottom_k.resize(rec.bottom_k);
  out->shingle_set.resize(shingles);
  std::memcpy(out->minhash.data(), buf.data(), num_perm_ * 4);
  if (rec.bottom_k > 0) {
    std::memcpy(out->bottom_k.data(), buf.data() + num_perm_ * 4,
                rec.bottom_k * 4);
  }
  if (shingles > 0) {
    std::memcpy(out->shingle_set.data(), buf.data() + ints * 4, shingles * 8);
  }
  return absl::OkStatus();
}

}  // namespace neardup::audit
