#include "service/audit/cluster.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "service/audit/bucket.h"
#include "service/audit/files.h"
#include "service/audit/verify.h"
#include "service/common/status_macros.h"

namespace neardup::audit {
namespace {

// The edges of all parts, in order, one at a time with a look-ahead.
class EdgeStream {
 public:
  static absl::StatusOr<EdgeStream> Open(const std::string& dir,
                                         uint32_t parts) {
    EdgeStream s;
    for (uint32_t p = 0; p < parts; ++p) {
      NEARDUP_ASSIGN_OR_RETURN(RandomAccessFile f,
                               RandomAccessFile::Open(EdgePartPath(dir, p)));
      s.files_.push_back(std::move(f));
    }
    NEARDUP_RETURN_IF_ERROR(s.Advance());
    return s;
  }
  // The next edge, if any.
  const std::optional<Edge>& peek() const { return next_; }
  absl::Status Advance() {
    next_.reset();
    while (part_ < files_.size()) {
      if (!reader_.has_value()) {
        reader_.emplace(&files_[part_], 0, files_[part_].size(), 8192);
      }
      Edge e;
      NEARDUP_ASSIGN_OR_RETURN(bool more, reader_->Next(&e));
      if (more) {
        next_ = e;
        return absl::OkStatus();
      }
      reader_.reset();
      ++part_;
    }
    return absl::OkStatus();
  }

 private:
  std::vector<RandomAccessFile> files_;
  size_t part_ = 0;
  std::optional<RecordReader<Edge>> reader_;
  std::optional<Edge> next_;
};

// The exact copies of `head`: a range of `exact` (sorted by head).
std::pair<const ExactPair*, const ExactPair*> CopiesOf(
    const std::vector<ExactPair>& exact, uint32_t head) {
  auto lo = std::lower_bound(
      exact.begin(), exact.end(), head,
      [](const ExactPair& p, uint32_t h) { return p.head < h; });
  auto hi = std::upper_bound(
      lo, exact.end(), head,
      [](uint32_t h, const ExactPair& p) { return h < p.head; });
  return {exact.data() + (lo - exact.begin()),
          exact.data() + (hi - exact.begin())};
}

uint32_t Find(std::vector<uint32_t>& parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

// The smaller rank becomes the root: a component's root is its first.
void Union(std::vector<uint32_t>& parent, uint32_t a, uint32_t b) {
  a = Find(parent, a);
  b = Find(parent, b);
  if (a == b) return;
  if (a < b) {
    parent[b] = a;
  } else {
    parent[a] = b;
  }
}

absl::Status WriteComponents(const StageContext& ctx, uint32_t edge_parts,
                             uint32_t n, const std::vector<ExactPair>& exact,
                             Marker* stats) {
  NEARDUP_ASSIGN_OR_RETURN(std::vector<uint32_t> parent,
                           ComponentLabels(ctx.dir, edge_parts, n, exact));
  // Members by root, roots in rank order: counting sort.
  std::vector<uint32_t> start(n + 1, 0);
  for (uint32_t r = 0; r < n; ++r) ++start[parent[r] + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<uint32_t> members(n);
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (uint32_t r = 0; r < n; ++r) members[fill[parent[r]]++] = r;
  }
  NEARDUP_ASSIGN_OR_RETURN(
      FileWriter out, FileWriter::Create(ctx.dir + "/cluster/components.bin"));
  uint64_t components = 0, largest = 0;
  for (uint32_t root = 0; root < n; ++root) {
    const uint32_t size = start[root + 1] - start[root];
    if (size < 2) continue;
    ++components;
    largest = std::max<uint64_t>(largest, size);
    NEARDUP_RETURN_IF_ERROR(out.AppendRecord(ClusterHeader{root, size - 1}));
    for (uint32_t i = start[root] + 1; i < start[root + 1]; ++i) {
      NEARDUP_RETURN_IF_ERROR(
          out.AppendRecord(ClusterMember{members[i], 0, 0, 0, 0}));
    }
  }
  NEARDUP_RETURN_IF_ERROR(out.Close());
  stats->Add("components", components);
  stats->Add("largest_component", largest);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StarStats> StarClusters(
    const StageContext& ctx, uint32_t edge_parts, uint32_t n,
    const std::vector<ExactPair>& exact,
    const std::function<bool(uint32_t)>& in_group, FileWriter* out) {
  NEARDUP_ASSIGN_OR_RETURN(EdgeStream edges,
                           EdgeStream::Open(ctx.dir, edge_parts));
  ProgressReporter progress(ctx, "cluster", "documents");
  auto next_edge = [&]() -> absl::Status {
    NEARDUP_RETURN_IF_ERROR(edges.Advance());
    while (in_group && edges.peek().has_value() && !in_group(edges.peek()->a)) {
      NEARDUP_RETURN_IF_ERROR(edges.Advance());
    }
    return absl::OkStatus();
  };
  if (in_group && edges.peek().has_value() && !in_group(edges.peek()->a)) {
    NEARDUP_RETURN_IF_ERROR(next_edge());
  }
  std::vector<bool> assigned(n, false);
  std::vector<ClusterMember> members;
  std::vector<Edge> group;
  size_t next_exact = 0;  // the exact-pair list is walked by head too
  StarStats st;
  uint64_t steps = 0;
  while (edges.peek().has_value() || next_exact < exact.size()) {
    // The next head with edges or exact copies, in rank order.
    uint32_t r = UINT32_MAX;
    if (edges.peek().has_value()) r = edges.peek()->a;
    if (next_exact < exact.size()) r = std::min(r, exact[next_exact].head);
    group.clear();
    while (edges.peek().has_value() && edges.peek()->a == r) {
      group.push_back(*edges.peek());
      NEARDUP_RETURN_IF_ERROR(next_edge());
    }
    while (next_exact < exact.size() && exact[next_exact].head == r) {
      ++next_exact;
    }
    if (++steps % 65536 == 0) NEARDUP_RETURN_IF_ERROR(ctx.CheckCancelled());
    if (assigned[r]) continue;  // taken by a better-ranked representative
    members.clear();
    for (const Edge& e : group) {
      if (assigned[e.b]) continue;
      assigned[e.b] = true;
      const ClusterMember m{e.b, e.jaccard, e.containment,
                            e.reverse_containment, 0};
      members.push_back(m);
      // Its exact copies have its signature: the same scores.
      const auto [lo, hi] = CopiesOf(exact, e.b);
      for (const ExactPair* p = lo; p != hi; ++p) {
        members.push_back(
            {p->member, m.jaccard, m.containment, m.reverse_containment, 0});
      }
    }
    st.near_duplicates += members.size();
    const auto [lo, hi] = CopiesOf(exact, r);
    for (const ExactPair* p = lo; p != hi; ++p) {
      members.push_back({p->member, 1, 1, 1, 1});
      ++st.exact_duplicates;
    }
    if (members.empty()) continue;
    std::sort(members.begin(), members.end(),
              [](const ClusterMember& x, const ClusterMember& y) {
                return x.rank < y.rank;
              });
    NEARDUP_RETURN_IF_ERROR(out->AppendRecord(
        ClusterHeader{r, static_cast<uint32_t>(members.size())}));
    NEARDUP_RETURN_IF_ERROR(
        out->Append(members.data(), members.size() * sizeof(ClusterMember)));
    ++st.clusters;
    st.largest_cluster =
        std::max<uint64_t>(st.largest_cluster, members.size() + 1);
    progress.Update(r, n);
    CrashPoint("cluster", st.clusters);
  }
  progress.Finish(n);
  return st;
}

absl::Status WriteComponentRecords(
    std::vector<std::pair<uint32_t, uint32_t>> label_rank, FileWriter* out,
    uint64_t* components, uint64_t* largest) {
  std::sort(label_rank.begin(), label_rank.end());
  label_rank.erase(std::unique(label_rank.begin(), label_rank.end()),
                   label_rank.end());
  for (size_t i = 0; i < label_rank.size();) {
    size_t j = i;
    while (j < label_rank.size() &&
           label_rank[j].first == label_rank[i].first) {
      ++j;
    }
    const uint32_t root = label_rank[i].first;
    if (j - i >= 2) {
      if (label_rank[i].second != root) {
        return absl::DataLossError(
            absl::StrCat("component ", root, " does not hold its own label"));
      }
      ++*components;
      *largest = std::max<uint64_t>(*largest, j - i);
      NEARDUP_RETURN_IF_ERROR(out->AppendRecord(
          ClusterHeader{root, static_cast<uint32_t>(j - i - 1)}));
      for (size_t k = i + 1; k < j; ++k) {
        NEARDUP_RETURN_IF_ERROR(
            out->AppendRecord(ClusterMember{label_rank[k].second, 0, 0, 0, 0}));
      }
    }
    i = j;
  }
  return absl::OkStatus();
}

absl::Status Cluster(const StageContext& ctx, uint32_t edge_parts,
                     Marker* stats) {
  const std::string dir = ctx.dir + "/cluster";
  NEARDUP_RETURN_IF_ERROR(RemoveAll(dir));
  NEARDUP_RETURN_IF_ERROR(MakeDirs(dir));
  NEARDUP_ASSIGN_OR_RETURN(std::vector<uint32_t> order,
                           ReadVector<uint32_t>(ctx.dir + "/bucket/order.bin"));
  NEARDUP_ASSIGN_OR_RETURN(
      std::vector<ExactPair> exact,
      ReadVector<ExactPair>(ctx.dir + "/bucket/exact.bin"));
  const uint32_t n = static_cast<uint32_t>(order.size());
  order = std::vector<uint32_t>();
  NEARDUP_ASSIGN_OR_RETURN(FileWriter out,
                           FileWriter::Create(dir + "/clusters.bin"));
  NEARDUP_ASSIGN_OR_RETURN(StarStats st,
                           StarClusters(ctx, edge_parts, n, exact, {}, &out));
  NEARDUP_RETURN_IF_ERROR(out.Close());
  AddStarStats(st, stats);
  if (ctx.params.components) {
    NEARDUP_RETURN_IF_ERROR(WriteComponents(ctx, edge_parts, n, exact, stats));
  }
  return absl::OkStatus();
}

void AddStarStats(const StarStats& st, Marker* stats) {
  stats->Add("clusters", st.clusters);
  stats->Add("largest_cluster", st.largest_cluster);
  stats->Add("exact_duplicates", st.exact_duplicates);
  stats->Add("near_duplicates", st.near_duplicates);
}

absl::StatusOr<std::vector<uint32_t>> ComponentLabels(
    const std::string& dir, uint32_t edge_parts, uint32_t n,
    const std::vector<ExactPair>& exact) {
  std::vector<uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  NEARDUP_ASSIGN_OR_RETURN(EdgeStream edges, EdgeStream::Open(dir, edge_parts));
  while (edges.peek().has_value()) {
    Union(parent, edges.peek()->a, edges.peek()->b);
    NEARDUP_RETURN_IF_ERROR(edges.Advance());
  }
  for (const ExactPair& p : exact) Union(parent, p.head, p.member);
  for (uint32_t r = 0; r < n; ++r) parent[r] = Find(parent, r);
  return parent;
}

}  // namespace neardup::audit
