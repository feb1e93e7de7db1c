#include "service/audit/stars.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "service/audit/bucket.h"
#include "service/audit/files.h"
#include "service/audit/verify.h"
#include "service/common/status_macros.h"

namespace neardup::audit {
namespace {

// splitmix64's finalizer: a bijection that spreads ranks over partitions.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t Pack(uint32_t u, uint32_t v) { return (uint64_t{u} << 32) | v; }

std::string PairFile(const std::string& dir, uint32_t round, uint32_t from,
                     uint32_t to) {
  return absl::StrFormat("%s/from-%05u-to-%05u.bin", StarRoundDir(dir, round),
                         from, to);
}

// One writer per partition of the next round, for one task.
class PairWriters {
 public:
  static absl::StatusOr<PairWriters> Open(const std::string& dir,
                                          uint32_t round, uint32_t from,
                                          uint32_t partitions) {
    NEARDUP_RETURN_IF_ERROR(MakeDirs(StarRoundDir(dir, round)));
    PairWriters w;
    w.partitions_ = partitions;
    for (uint32_t t = 0; t < partitions; ++t) {
      NEARDUP_ASSIGN_OR_RETURN(
          FileWriter f, FileWriter::Create(PairFile(dir, round, from, t)));
      w.files_.push_back(std::move(f));
    }
    return w;
  }
  // The undirected edge {x, y}, x != y: both of its pairs.
  absl::Status Edge(uint32_t x, uint32_t y) {
    NEARDUP_RETURN_IF_ERROR(
        files_[PartitionOf(x, partitions_)].AppendRecord(Pack(x, y)));
    return files_[PartitionOf(y, partitions_)].AppendRecord(Pack(y, x));
  }
  absl::Status Close() {
    for (FileWriter& f : files_) NEARDUP_RETURN_IF_ERROR(f.Close());
    return absl::OkStatus();
  }

 private:
  uint32_t partitions_ = 1;
  std::vector<FileWriter> files_;
};

// The stats of a round's task, or nullopt if it has not run.
absl::StatusOr<std::optional<Marker>> RoundMarker(const std::string& dir,
                                                  uint32_t round,
                                                  uint32_t partition) {
  return Marker::Read(StarRoundMarker(dir, round, partition));
}

}  // namespace

uint32_t PartitionOf(uint32_t node, uint32_t partitions) {
  return static_cast<uint32_t>(Mix(node) % partitions);
}

std::string StarRoundDir(const std::string& dir, uint32_t round) {
  return absl::StrFormat("%s/cluster-parts/round-%03u", dir, round);
}

std::string StarRoundMarker(const std::string& dir, uint32_t round,
                            uint32_t partition) {
  return absl::StrFormat("%s/%05u.done", StarRoundDir(dir, round), partition);
}

std::string StarInputMarker(const std::string& dir, uint32_t source) {
  return absl::StrFormat("%s/from-%05u.done", StarRoundDir(dir, 0), source);
}

absl::Status StarInput(const std::string& dir, uint32_t source,
                       uint32_t edge_parts, uint32_t partitions) {
  NEARDUP_ASSIGN_OR_RETURN(PairWriters out,
                           PairWriters::Open(dir, 0, source, partitions));
  if (source < edge_parts) {
    NEARDUP_ASSIGN_OR_RETURN(RandomAccessFile f,
                             RandomAccessFile::Open(EdgePartPath(dir, source)));
    RecordReader<Edge> edges(&f, 0, f.size(), 8192);
    Edge e;
    while (true) {
      NEARDUP_ASSIGN_OR_RETURN(bool more, edges.Next(&e));
      if (!more) break;
      if (e.a != e.b) NEARDUP_RETURN_IF_ERROR(out.Edge(e.a, e.b));
    }
  } else {
    NEARDUP_ASSIGN_OR_RETURN(RandomAccessFile f,
                             RandomAccessFile::Open(dir + "/bucket/exact.bin"));
    RecordReader<ExactPair> pairs(&f, 0, f.size(), 8192);
    ExactPair p;
    while (true) {
      NEARDUP_ASSIGN_OR_RETURN(bool more, pairs.Next(&p));
      if (!more) break;
      if (p.head != p.member) {
        NEARDUP_RETURN_IF_ERROR(out.Edge(p.head, p.member));
      }
    }
  }
  return out.Close();
}

absl::Status StarRound(const std::string& dir, uint32_t round,
                       uint32_t partition, uint32_t sources,
                       uint32_t partitions, Marker* stats) {
  std::vector<uint64_t> pairs;
  for (uint32_t s = 0; s < sources; ++s) {
    NEARDUP_ASSIGN_OR_RETURN(
        std::vector<uint64_t> some,
        ReadVector<uint64_t>(PairFile(dir, round, s, partition)));
    pairs.insert(pairs.end(), some.begin(), some.end());
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  uint64_t checksum = 0;
  for (uint64_t p : pairs) checksum += Mix(p);
  NEARDUP_ASSIGN_OR_RETURN(
      PairWriters out,
      PairWriters::Open(dir, round + 1, partition, partitions));
  const bool large = round % 2 == 0;
  for (size_t i = 0; i < pairs.size();) {
    const uint32_t u = static_cast<uint32_t>(pairs[i] >> 32);
    size_t j = i;
    while (j < pairs.size() && (pairs[j] >> 32) == u) ++j;
    // Γ(u) is pairs[i, j), ascending.
    const uint32_t smallest = static_cast<uint32_t>(pairs[i]);
    const uint32_t m = std::min(u, smallest);
    for (size_t k = i; k < j; ++k) {
      const uint32_t v = static_cast<uint32_t>(pairs[k]);
      if (large ? v > u : v < u) {
        if (v != m) NEARDUP_RETURN_IF_ERROR(out.Edge(v, m));
      }
    }
    if (!large && u != m) NEARDUP_RETURN_IF_ERROR(out.Edge(u, m));
    i = j;
  }
  NEARDUP_RETURN_IF_ERROR(out.Close());
  stats->Add("pairs", pairs.size());
  stats->Add("checksum", checksum);
  return absl::OkStatus();
}

absl::StatusOr<bool> StarConverged(const std::string& dir, uint32_t round,
                                   uint32_t partitions) {
  auto totals =
      [&](uint32_t r) -> absl::StatusOr<std::pair<uint64_t, uint64_t>> {
    uint64_t pairs = 0, checksum = 0;
    for (uint32_t t = 0; t < partitions; ++t) {
      NEARDUP_ASSIGN_OR_RETURN(std::optional<Marker> m, RoundMarker(dir, r, t));
      if (!m.has_value()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "component round ", r, " partition ", t, " is not done yet"));
      }
      pairs += m->Int("pairs");
      checksum += m->Int("checksum");
    }
    return std::make_pair(pairs, checksum);
  };
  NEARDUP_ASSIGN_OR_RETURN(auto now, totals(round));
  if (now.first == 0) return true;
  if (round % 2 != 0 || round < 2) return false;
  NEARDUP_ASSIGN_OR_RETURN(auto before, totals(round - 2));
  return now == before;
}

absl::Status StarLabels(const std::string& dir, uint32_t round,
                        uint32_t sources, uint32_t partitions, uint32_t n) {
  const std::string final_path = dir + "/cluster-parts/labels.bin";
  // Written under a name of its own, renamed when whole.
  const std::string path = TemporaryName(final_path);
  absl::Status written = [&]() -> absl::Status {
    NEARDUP_ASSIGN_OR_RETURN(MappedWords labels, MappedWords::Create(path, n));
    uint32_t* label = labels.data();
    for (uint32_t r = 0; r < n; ++r) label[r] = r;
    // In the final stars every pair (u, v) with v < u names u's centre.
    for (uint32_t t = 0; t < partitions; ++t) {
      for (uint32_t s = 0; s < sources; ++s) {
        NEARDUP_ASSIGN_OR_RETURN(
            RandomAccessFile f,
            RandomAccessFile::Open(PairFile(dir, round, s, t)));
        RecordReader<uint64_t> pairs(&f, 0, f.size(), 8192);
        uint64_t p;
        while (true) {
          NEARDUP_ASSIGN_OR_RETURN(bool more, pairs.Next(&p));
          if (!more) break;
          const uint32_t u = static_cast<uint32_t>(p >> 32);
          const uint32_t v = static_cast<uint32_t>(p);
          if (u >= n || v >= n) {
            return absl::DataLossError(absl::StrCat("component pair (", u, ", ",
                                                    v, ") past rank ", n));
          }
          if (v < u) label[u] = std::min(label[u], v);
        }
      }
    }
    return labels.Sync();
  }();
  if (written.ok() && std::rename(path.c_str(), final_path.c_str()) != 0) {
    written =
        absl::InternalError(absl::StrCat("cannot rename to ", final_path));
  }
  if (!written.ok()) ::unlink(path.c_str());
  return written;
}

}  // namespace neardup::audit
