#include "service/audit/bucket.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "service/audit/files.h"
#include "service/audit/sorter.h"
#include "service/common/status_macros.h"

namespace neardup::audit {
namespace {

constexpr uint32_t kNoRank = UINT32_MAX;

struct RankKey {
  uint32_t tokens;
  uint32_t bytes;
  uint32_t id_rank;  // place in the order of ids (IdRanks)
  uint32_t doc;
};

// Reads a file from the start through a buffer, in pieces of any size.
class ByteReader {
 public:
  explicit ByteReader(const RandomAccessFile* file) : file_(file) {}
  // Reads exactly `n` bytes into `out`: true, or false at the end.
  absl::StatusOr<bool> Read(size_t n, char* out) {
    while (n > 0) {
      if (begin_ == buf_.size()) {
        const uint64_t left = file_->size() - pos_;
        if (left == 0) return false;
        buf_.resize(std::min<uint64_t>(left, 1 << 16));
        NEARDUP_RETURN_IF_ERROR(file_->ReadAt(pos_, buf_.size(), buf_.data()));
        pos_ += buf_.size();
        begin_ = 0;
      }
      const size_t take = std::min(n, buf_.size() - begin_);
      std::memcpy(out, buf_.data() + begin_, take);
      begin_ += take;
      out += take;
      n -= take;
    }
    return true;
  }

 private:
  const RandomAccessFile* file_;
  std::vector<char> buf_;
  size_t begin_ = 0;
  uint64_t pos_ = 0;
};

// Returns every document's place in the order of ids (ties by number): each
// chunk's ids are sorted and written as a run of (doc, length, id) under
// `dir`, and the runs are merged. Reads every id once, in order.
absl::StatusOr<std::vector<uint32_t>> IdRanks(const StageContext& ctx,
                                              const SignedCorpus& corpus,
                                              const std::string& dir) {
  const size_t chunks = corpus.chunks().size();
  std::vector<absl::Status> failed(chunks);
  ParallelFor(ctx.executor, chunks, [&](size_t c) {
    failed[c] = [&]() -> absl::Status {
      const SignedCorpus::Chunk& chunk = corpus.chunks()[c];
      NEARDUP_ASSIGN_OR_RETURN(
          std::string ids,
          ReadFile(
              ChunkPath(ctx.dir + "/sign", static_cast<uint32_t>(c), "ids")));
      std::vector<DocRecord> docs(chunk.docs);
      NEARDUP_RETURN_IF_ERROR(chunk.docs_file.ReadAt(
          0, docs.size() * sizeof(DocRecord), docs.data()));
      std::vector<std::pair<std::string_view, uint32_t>> sorted;
      sorted.reserve(docs.size());
      for (size_t i = 0; i < docs.size(); ++i) {
        if (docs[i].id_offset + docs[i].id_bytes > ids.size()) {
          return absl::DataLossError(
              absl::StrCat("chunk ", c, ": ids file is short"));
        }
        sorted.emplace_back(
            std::string_view(ids).substr(docs[i].id_offset, docs[i].id_bytes),
            static_cast<uint32_t>(chunk.first + i));
      }
      std::sort(sorted.begin(), sorted.end());
      NEARDUP_ASSIGN_OR_RETURN(
          FileWriter out, FileWriter::Create(absl::StrCat(dir, "/ids-", c)));
      for (const auto& [id, doc] : sorted) {
        const uint32_t len = static_cast<uint32_t>(id.size());
        NEARDUP_RETURN_IF_ERROR(out.AppendRecord(doc));
        NEARDUP_RETURN_IF_ERROR(out.AppendRecord(len));
        NEARDUP_RETURN_IF_ERROR(out.Append(id));
      }
      return out.Close();
    }();
  });
  for (const absl::Status& s : failed) NEARDUP_RETURN_IF_ERROR(s);

  struct Head {
    std::string id;
    uint32_t doc;
    size_t run;
  };
  auto after = [](const Head& x, const Head& y) {
    return x.id != y.id ? x.id > y.id : x.doc > y.doc;
  };
  std::priority_queue<Head, std::vector<Head>, decltype(after)> heap(after);
  std::vector<RandomAccessFile> files(chunks);
  std::vector<ByteReader> readers;
  readers.reserve(chunks);
  auto next = [&](size_t run) -> absl::Status {
    Head h;
    h.run = run;
    uint32_t len;
    NEARDUP_ASSIGN_OR_RETURN(
        bool more, readers[run].Read(4, reinterpret_cast<char*>(&h.doc)));
    if (!more) return absl::OkStatus();
    NEARDUP_ASSIGN_OR_RETURN(
        more, readers[run].Read(4, reinterpret_cast<char*>(&len)));
    h.id.resize(len);
    if (more) {
      NEARDUP_ASSIGN_OR_RETURN(more, readers[run].Read(len, h.id.data()));
    }
    if (!more) return absl::DataLossError("truncated id run");
    heap.push(std::move(h));
    return absl::OkStatus();
  };
  for (size_t c = 0; c < chunks; ++c) {
    NEARDUP_ASSIGN_OR_RETURN(
        files[c], RandomAccessFile::Open(absl::StrCat(dir, "/ids-", c)));
    readers.emplace_back(&files[c]);
    NEARDUP_RETURN_IF_ERROR(next(c));
  }
  std::vector<uint32_t> rank(corpus.documents());
  uint32_t r = 0;
  while (!heap.empty()) {
    const size_t run = heap.top().run;
    rank[heap.top().doc] = r++;
    heap.pop();
    NEARDUP_RETURN_IF_ERROR(next(run));
  }
  for (size_t c = 0; c < chunks; ++c) {
    NEARDUP_RETURN_IF_ERROR(RemoveAll(absl::StrCat(dir, "/ids-", c)));
  }
  return rank;
}

// Sorts `keys` (one per good document) into survivor order.
void SortByKeep(Keep keep, std::vector<RankKey>* keys) {
  switch (keep) {
    case Keep::kFirst:
      return;  // already in input order
    case Keep::kId:
      std::sort(keys->begin(), keys->end(),
                [](const RankKey& x, const RankKey& y) {
                  return x.id_rank < y.id_rank;
                });
      return;
    case Keep::kLongest:
      break;
  }
  std::sort(keys->begin(), keys->end(), [](const RankKey& x, const RankKey& y) {
    if (x.tokens != y.tokens) return x.tokens > y.tokens;
    if (x.bytes != y.bytes) return x.bytes > y.bytes;
    return x.id_rank < y.id_rank;
  });
}

// A k-way merge of one sorted run per chunk; entries number documents
// within their chunk, and come out numbered in the corpus (plus the
// chunk's first).
template <typename T, typename Less>
class Merger {
 public:
  Merger(const std::vector<const RandomAccessFile*>& files,
         const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
         std::vector<uint64_t> firsts, Less less)
      : firsts_(std::move(firsts)), heap_(Greater{less}) {
    readers_.reserve(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      readers_.emplace_back(files[i], ranges[i].first, ranges[i].second, 4096);
    }
  }
  absl::Status Start() {
    for (size_t i = 0; i < readers_.size(); ++i) {
      NEARDUP_RETURN_IF_ERROR(Advance(i));
    }
    return absl::OkStatus();
  }
  // The next record in order: true, or false at the end.
  absl::StatusOr<bool> Next(T* out) {
    if (heap_.empty()) return false;
    const auto [value, i] = heap_.top();
    heap_.pop();
    *out = value;
    NEARDUP_RETURN_IF_ERROR(Advance(i));
    return true;
  }

 private:
  using Head = std::pair<T, size_t>;
  struct Greater {
    Less less;
    bool operator()(const Head& x, const Head& y) const {
      return less(y.first, x.first);
    }
  };
  absl::Status Advance(size_t i) {
    T v;
    NEARDUP_ASSIGN_OR_RETURN(bool more, readers_[i].Next(&v));
    if (more) {
      v.doc = static_cast<uint32_t>(v.doc + firsts_[i]);
      heap_.push({v, i});
    }
    return absl::OkStatus();
  }
  std::vector<uint64_t> firsts_;
  std::vector<RecordReader<T>> readers_;
  std::priority_queue<Head, std::vector<Head>, Greater> heap_;
};

// The first entry at or after `begin` of the sorted run [begin, end) of
// `file` whose key is at least `key` (end if none): a binary search.
absl::StatusOr<uint64_t> LowerBound(const RandomAccessFile& file,
                                    uint64_t begin, uint64_t end,
                                    uint64_t key) {
  uint64_t lo = 0, hi = (end - begin) / sizeof(BandEntry);
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    BandEntry e;
    NEARDUP_RETURN_IF_ERROR(
        file.ReadAt(begin + mid * sizeof(BandEntry), sizeof(e), &e));
    if (e.key < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return begin + lo * sizeof(BandEntry);
}

}  // namespace

absl::StatusOr<Ranking> RankDocuments(const StageContext& ctx,
                                      const SignedCorpus& corpus,
                                      const std::string& dir, Marker* stats) {
  // 1. Rank.
  std::vector<uint32_t> id_rank;
  if (ctx.params.keep != Keep::kFirst) {
    NEARDUP_ASSIGN_OR_RETURN(id_rank, IdRanks(ctx, corpus, dir));
  }
  std::vector<RankKey> keys;
  for (const SignedCorpus::Chunk& c : corpus.chunks()) {
    RecordReader<DocRecord> docs(&c.docs_file, 0, c.docs_file.size());
    DocRecord r;
    for (uint64_t doc = c.first;; ++doc) {
      NEARDUP_ASSIGN_OR_RETURN(bool more, docs.Next(&r));
      if (!more) break;
      if (r.flags & kBadDocument) continue;
      keys.push_back({r.tokens,
                      static_cast<uint32_t>(
                          std::min<uint64_t>(r.content_bytes, UINT32_MAX)),
                      id_rank.empty() ? 0 : id_rank[doc],
                      static_cast<uint32_t>(doc)});
    }
  }
  id_rank = std::vector<uint32_t>();
  SortByKeep(ctx.params.keep, &keys);
  std::vector<uint32_t> order(keys.size());
  Ranking ranking;
  ranking.rank_of.assign(corpus.documents(), kNoRank);
  for (size_t i = 0; i < keys.size(); ++i) {
    order[i] = keys[i].doc;
    ranking.rank_of[keys[i].doc] = static_cast<uint32_t>(i);
  }
  keys = std::vector<RankKey>();
  NEARDUP_RETURN_IF_ERROR(WriteVector(dir + "/order.bin", order));

  // 2. Exact duplicates.
  std::vector<const RandomAccessFile*> files;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::vector<uint64_t> firsts;
  for (const SignedCorpus::Chunk& c : corpus.chunks()) {
    files.push_back(&c.digests_file);
    ranges.emplace_back(0, c.digests_file.size());
    firsts.push_back(c.first);
  }
  auto digest_less = [](const DigestEntry& x, const DigestEntry& y) {
    if (x.low != y.low) return x.low < y.low;
    if (x.high != y.high) return x.high < y.high;
    return x.doc < y.doc;
  };
  Merger<DigestEntry, decltype(digest_less)> digests(files, ranges, firsts,
                                                     digest_less);
  NEARDUP_RETURN_IF_ERROR(digests.Start());
  ranking.follower.assign(order.size(), false);
  std::vector<ExactPair> exact;
  uint64_t exact_groups = 0;
  std::vector<uint32_t> group;
  auto close_group = [&] {
    if (group.size() > 1) {
      std::sort(group.begin(), group.end());
      ++exact_groups;
      for (size_t i = 1; i < group.size(); ++i) {
        exact.push_back({group[0], group[i]});
        ranking.follower[group[i]] = true;
      }
    }
    group.clear();
  };
  DigestEntry d, prev{};
  while (true) {
    NEARDUP_ASSIGN_OR_RETURN(bool more, digests.Next(&d));
    if (!more) break;
    if (!group.empty() && (d.low != prev.low || d.high != prev.high)) {
      close_group();
    }
    group.push_back(ranking.rank_of[d.doc]);
    prev = d;
  }
  close_group();
  std::sort(exact.begin(), exact.end(),
            [](const ExactPair& x, const ExactPair& y) {
              return x.head != y.head ? x.head < y.head : x.member < y.member;
            });
  NEARDUP_RETURN_IF_ERROR(WriteVector(dir + "/exact.bin", exact));
  stats->Add("ranked", order.size());
  stats->Add("exact_groups", exact_groups);
  stats->Add("exact_duplicates", exact.size());
  return ranking;
}

absl::StatusOr<Ranking> ReadRanking(const std::string& dir,
                                    uint64_t documents) {
  NEARDUP_ASSIGN_OR_RETURN(std::vector<uint32_t> order,
                           ReadVector<uint32_t>(dir + "/order.bin"));
  NEARDUP_ASSIGN_OR_RETURN(std::vector<ExactPair> exact,
                           ReadVector<ExactPair>(dir + "/exact.bin"));
  Ranking ranking;
  ranking.rank_of.assign(documents, kNoRank);
  for (size_t r = 0; r < order.size(); ++r) {
    if (order[r] >= documents) {
      return absl::DataLossError(absl::StrCat(dir, "/order.bin names document ",
                                              order[r], " of ", documents));
    }
    ranking.rank_of[order[r]] = static_cast<uint32_t>(r);
  }
  ranking.follower.assign(order.size(), false);
  for (const ExactPair& p : exact) {
    if (p.member >= order.size()) {
      return absl::DataLossError(dir + "/exact.bin names an unknown rank");
    }
    ranking.follower[p.member] = true;
  }
  return ranking;
}

absl::StatusOr<BandRuns> BucketBand(const StageContext& ctx,
                                    const SignedCorpus& corpus,
                                    const Ranking& ranking, uint32_t band,
                                    uint64_t key_lo, uint64_t key_hi,
                                    const std::string& prefix,
                                    size_t budget_values) {
  std::vector<std::pair<uint64_t, uint64_t>> band_ranges;
  std::vector<const RandomAccessFile*> band_files;
  std::vector<uint64_t> firsts;
  for (const SignedCorpus::Chunk& c : corpus.chunks()) {
    const uint64_t size = c.good * sizeof(BandEntry);
    uint64_t begin = band * size, end = (band + 1) * size;
    if (key_lo > 0) {
      NEARDUP_ASSIGN_OR_RETURN(begin,
                               LowerBound(c.bands_file, begin, end, key_lo));
    }
    if (key_hi < UINT64_MAX) {
      NEARDUP_ASSIGN_OR_RETURN(
          end, LowerBound(c.bands_file, begin, end, key_hi + 1));
    }
    band_ranges.emplace_back(begin, end);
    band_files.push_back(&c.bands_file);
    firsts.push_back(c.first);
  }
  auto less = [](const BandEntry& x, const BandEntry& y) {
    return x.key != y.key ? x.key < y.key : x.doc < y.doc;
  };
  Merger<BandEntry, decltype(less)> merger(band_files, band_ranges, firsts,
                                           less);
  NEARDUP_RETURN_IF_ERROR(merger.Start());
  RunWriter pairs(prefix, budget_values);
  // A bucket's documents; ranks looked up only for buckets of two or more
  // (most are single: one random access per document saved).
  std::vector<uint32_t> bucket;
  BandRuns out;
  auto emit = [&]() -> absl::Status {
    if (bucket.size() > 1) {
      size_t heads = 0;
      for (uint32_t d : bucket) {
        const uint32_t r = ranking.rank_of[d];
        if (!ranking.follower[r]) bucket[heads++] = r;
      }
      bucket.resize(heads);
      std::sort(bucket.begin(), bucket.end());
      out.largest_bucket = std::max<uint64_t>(out.largest_bucket, heads);
      for (size_t j = 1; j < bucket.size(); ++j) {
        for (size_t i = 0; i < j && i < kBucketFanout; ++i) {
          NEARDUP_RETURN_IF_ERROR(
              pairs.Add((uint64_t{bucket[i]} << 32) | bucket[j]));
        }
      }
    }
    bucket.clear();
    return absl::OkStatus();
  };
  BandEntry e;
  uint64_t key = 0;
  bool any = false;
  while (true) {
    NEARDUP_ASSIGN_OR_RETURN(bool more, merger.Next(&e));
    if (!more) break;
    if (any && e.key != key) NEARDUP_RETURN_IF_ERROR(emit());
    key = e.key;
    any = true;
    bucket.push_back(e.doc);
  }
  NEARDUP_RETURN_IF_ERROR(emit());
  NEARDUP_ASSIGN_OR_RETURN(out.runs, pairs.Finish());
  NEARDUP_RETURN_IF_ERROR(ctx.CheckCancelled());
  return out;
}

size_t PairBudget(const StageContext& ctx) {
  return std::max<uint64_t>(
      ctx.memory_limit / 4 / sizeof(uint64_t) / std::max(ctx.threads, 1),
      1 << 16);
}

absl::Status Bucket(const StageContext& ctx, const SignedCorpus& corpus,
                    Marker* stats) {
  const std::string dir = ctx.dir + "/bucket";
  NEARDUP_RETURN_IF_ERROR(RemoveAll(dir));
  NEARDUP_RETURN_IF_ERROR(MakeDirs(dir));
  ProgressReporter progress(ctx, "bucket", "bands");
  NEARDUP_ASSIGN_OR_RETURN(const Ranking ranking,
                           RankDocuments(ctx, corpus, dir, stats));

  // 3. Candidates, band by band, bands in parallel.
  const sketch::LshParams lsh = corpus.lsh();
  const size_t budget_values = PairBudget(ctx);
  absl::Mutex mu;
  absl::Status failed;
  std::vector<std::string> runs;
  uint64_t largest_bucket = 0;
  std::atomic<uint64_t> bands_done{0};
  ParallelFor(ctx.executor, lsh.bands, [&](size_t band) {
    absl::StatusOr<BandRuns> r = BucketBand(
        ctx, corpus, ranking, static_cast<uint32_t>(band), 0, UINT64_MAX,
        absl::StrCat(dir, "/band-", band), budget_values);
    const uint64_t done = bands_done.fetch_add(1) + 1;
    absl::MutexLock lock(&mu);
    if (!r.ok()) {
      if (failed.ok()) failed = r.status();
    } else {
      runs.insert(runs.end(), r->runs.begin(), r->runs.end());
      largest_bucket = std::max(largest_bucket, r->largest_bucket);
    }
    progress.Update(done, lsh.bands);
    CrashPoint("bucket", done);
  });
  NEARDUP_RETURN_IF_ERROR(failed);
  std::sort(runs.begin(), runs.end());  // the merge does not care; tidy
  NEARDUP_ASSIGN_OR_RETURN(uint64_t candidates,
                           MergeRuns(runs, dir + "/candidates.bin"));
  for (const std::string& r : runs) NEARDUP_RETURN_IF_ERROR(RemoveAll(r));
  progress.Finish(lsh.bands);

  stats->Add("candidate_pairs", candidates);
  stats->Add("largest_bucket", largest_bucket);
  return absl::OkStatus();
}

}  // namespace neardup::audit
