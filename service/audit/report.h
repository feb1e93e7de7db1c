// An audit's outputs, written the same way for a local audit and for the
// audit of a stored collection (whose clusters reach the CLI over gRPC):
//
//   clusters.jsonl   one line per cluster of two or more documents
//   duplicates.tsv   one line per document not kept
//   summary.json     counts, parameters, and the run's seconds and memory
//   report.html      one self-contained page to read (docs/API.md)
//
// Every file but summary.json's "run" object depends only on the corpus
// and the parameters: byte-identical across runs, resumed runs and thread
// counts.
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(ReportWriter w, ReportWriter::Create(dir));
//   for (...) NEARDUP_RETURN_IF_ERROR(w.Add(cluster));
//   std::vector<SideBySide> views = ...;  // for w.Largest()
//   NEARDUP_RETURN_IF_ERROR(w.Finish(summary, views));

#ifndef NEARDUP_SERVICE_AUDIT_REPORT_H_
#define NEARDUP_SERVICE_AUDIT_REPORT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/audit/files.h"
#include "service/report/passages_html.h"

namespace neardup::audit {

struct MemberView {
  std::string id;
  uint64_t doc = 0;    // its number in the audit (not written out)
  uint64_t words = 0;  // tokens, after repeats are collapsed
  uint64_t bytes = 0;
  // To the representative (1 for the representative itself).
  double jaccard = 1;
  double containment = 1;          // of the member in the representative
  double reverse_containment = 1;  // of the representative in the member
  bool exact = false;              // the same normalized text
};

struct ClusterView {
  uint64_t number = 0;  // from 1, in survivor order of representatives
  MemberView representative;
  std::vector<MemberView> members;  // in survivor order
};

// The report's side-by-side view of one of the largest clusters: its
// representative and its least similar member, passages highlighted.
struct SideBySide {
  uint64_t cluster = 0;
  std::string representative_text;  // bytes as read
  std::string member_text;
  std::string member_id;
  std::vector<report::ByteRange> representative_ranges;  // passage i
  std::vector<report::ByteRange> member_ranges;
};

struct StageRun {
  std::string name;
  double seconds = 0;
  uint64_t peak_memory_bytes = 0;
  bool resumed = false;  // done by an earlier run
};

struct AuditSummary {
  std::string params_json;  // ParamsJson
  // What was audited: input paths as given, or a collection's name.
  std::vector<std::string> inputs;
  std::string collection;
  uint64_t documents = 0;      // read, bad ones included
  uint64_t bad_documents = 0;  // skipped with --skip-bad
  uint64_t damaged_files = 0;  // ended early with --skip-bad
  uint64_t ignored_records = 0;
  uint64_t bytes = 0;
  std::vector<std::string> problems;  // the first few
  uint64_t candidate_pairs = 0;
  uint64_t verified_pairs = 0;
  uint64_t exact_duplicates = 0;  // not kept: same text as representative
  uint64_t near_duplicates = 0;   // not kept: within the threshold
  uint64_t clusters = 0;
  uint64_t largest_cluster = 0;
  bool with_components = false;
  uint64_t components = 0;
  uint64_t largest_component = 0;
  // The run: not part of the result.
  int threads = 0;
  uint64_t memory_limit = 0;
  std::vector<StageRun> stages;
  double seconds = 0;
};

// The summary as JSON (one object, keys in a fixed order, "run" last).
std::string SummaryJson(const AuditSummary& s);

// Writes summary.json into `dir`.
absl::Status WriteSummary(const std::string& dir, const AuditSummary& s);

// The largest clusters of a stream: most members first, then the earlier
// number; the ones the report shows.
class LargestClusters {
 public:
  static constexpr size_t kShown = 20;

  void Offer(const ClusterView& c);
  const std::vector<ClusterView>& clusters() const { return largest_; }

  // The member of `c` least similar to its representative (lowest
  // Jaccard, the first of equals).
  static const MemberView& LeastSimilar(const ClusterView& c);

 private:
  std::vector<ClusterView> largest_;  // sorted, at most kShown
};

class ReportWriter {
 public:
  // Members listed per cluster shown.
  static constexpr size_t kShownMembers = 100;

  // Starts writing the outputs into `dir` (under temporary names until
  // Finish).
  static absl::StatusOr<std::unique_ptr<ReportWriter>> Create(
      const std::string& dir);

  // Adds the next cluster (numbers must increase).
  absl::Status Add(const ClusterView& cluster);

  // The largest clusters so far: the ones the report shows.
  const std::vector<ClusterView>& Largest() const {
    return largest_.clusters();
  }

  // Writes report.html (the summary without its run, and `views` of some
  // of the largest clusters) and puts clusters.jsonl and duplicates.tsv in
  // place. summary.json is WriteSummary's.
  absl::Status Finish(const AuditSummary& summary,
                      const std::vector<SideBySide>& views);

 private:
  ReportWriter(std::string dir, FileWriter clusters, FileWriter duplicates)
      : dir_(std::move(dir)),
        clusters_(std::move(clusters)),
        duplicates_(std::move(duplicates)) {}

  std::string dir_;
  FileWriter clusters_;
  FileWriter duplicates_;
  std::map<uint64_t, uint64_t> sizes_;  // cluster size -> clusters
  LargestClusters largest_;
};

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_REPORT_H_
