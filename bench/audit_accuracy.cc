// Accuracy of `neardup audit` on a corpus of this machine's files (by
// default every /usr/share/doc/*/copyright: licence texts, many of them
// near copies of each other), against the truth: the exact Jaccard
// similarity of every pair's shingle sets (the same shingles the audit
// fingerprints), computed here.
//
//   build/release/bench/audit_accuracy --threshold 0.8
//
// Reports, for the clusters the audit finds:
//   recall   share of pairs with exact Jaccard >= --pair_jaccard (0.8)
//            that end in one cluster
//   loose    share of cluster members whose exact Jaccard to their
//            representative is below --loose (0.5)
//   below    share of members below the audit threshold itself

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "service/audit/audit.h"
#include "service/engine/pipeline.h"
#include "service/text/shingle.h"

ABSL_FLAG(std::string, pattern, "/usr/share/doc/*/copyright",
          "files to audit: DIR/*/NAME (each DIR/x/NAME that exists)");
ABSL_FLAG(double, threshold, 0.8, "audit threshold");
ABSL_FLAG(bool, exact, false, "audit with exact verification");
ABSL_FLAG(double, pair_jaccard, 0.8, "pairs this alike must share a cluster");
ABSL_FLAG(double, loose, 0.5, "members less alike to their representative");
ABSL_FLAG(std::string, out, "/tmp/neardup_audit_accuracy", "audit directory");

namespace neardup::bench {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Files(const std::string& pattern) {
  // DIR/*/NAME only: enough for /usr/share/doc/*/copyright.
  const size_t star = pattern.find("/*/");
  std::vector<std::string> out;
  if (star == std::string::npos) return out;
  const std::string dir = pattern.substr(0, star);
  const std::string name = pattern.substr(star + 3);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const fs::path p = e.path() / name;
    if (fs::is_regular_file(p, ec) && fs::file_size(p, ec) > 0) {
      out.push_back(p.string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

int Run() {
  const std::vector<std::string> files = Files(absl::GetFlag(FLAGS_pattern));
  if (files.size() < 10) {
    std::fprintf(stderr, "audit_accuracy: fewer than 10 files match %s\n",
                 absl::GetFlag(FLAGS_pattern).c_str());
    return 1;
  }
  audit::AuditOptions o;
  o.inputs = files;
  o.out_dir = absl::GetFlag(FLAGS_out);
  o.params.threshold = absl::GetFlag(FLAGS_threshold);
  o.params.exact = absl::GetFlag(FLAGS_exact);
  o.reader.skip_bad = true;  // a binary or empty file is not a text
  fs::remove_all(o.out_dir);
  absl::StatusOr<audit::AuditSummary> s = audit::RunAudit(o);
  if (!s.ok()) {
    std::fprintf(stderr, "audit: %s\n", s.status().ToString().c_str());
    return 1;
  }

  // Truth: exact shingle sets of every document, as the audit reads them.
  engine::PipelineParams pp = o.params.pipeline;
  pp.keep_shingle_set = true;
  const engine::Pipeline pipeline(pp);
  std::vector<std::vector<uint64_t>> sets(files.size());
  std::vector<bool> good(files.size(), false);
  for (size_t i = 0; i < files.size(); ++i) {
    std::ifstream in(files[i], std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), {});
    absl::StatusOr<engine::PreparedText> p =
        pipeline.Prepare(content, text::InputOptions());
    if (!p.ok()) continue;
    sets[i] = std::move(p->shingle_set);
    good[i] = true;
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < files.size(); ++i) index[files[i]] = i;

  // The clusters: member -> cluster, and (representative, member) pairs.
  std::map<size_t, int> cluster_of;
  std::vector<std::pair<size_t, size_t>> members;
  {
    std::ifstream in(o.out_dir + "/clusters.jsonl");
    const std::regex id("\"id\":\"([^\"]*)\"");
    std::string line;
    int c = 0;
    while (std::getline(in, line)) {
      ++c;
      std::vector<size_t> ids;
      for (auto it = std::sregex_iterator(line.begin(), line.end(), id);
           it != std::sregex_iterator(); ++it) {
        ids.push_back(index.at((*it)[1]));
      }
      for (size_t i = 0; i < ids.size(); ++i) {
        cluster_of[ids[i]] = c;
        if (i > 0) members.emplace_back(ids[0], ids[i]);
      }
    }
  }
  const double pair_jaccard = absl::GetFlag(FLAGS_pair_jaccard);
  uint64_t pairs = 0, together = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!good[i]) continue;
    for (size_t j = i + 1; j < files.size(); ++j) {
      if (!good[j]) continue;
      if (text::SetJaccard(sets[i], sets[j]) < pair_jaccard) continue;
      ++pairs;
      auto a = cluster_of.find(i), b = cluster_of.find(j);
      together += a != cluster_of.end() && b != cluster_of.end() &&
                  a->second == b->second;
    }
  }
  const double loose = absl::GetFlag(FLAGS_loose);
  uint64_t loose_n = 0, below = 0;
  for (const auto& [rep, m] : members) {
    const double j = text::SetJaccard(sets[rep], sets[m]);
    loose_n += j < loose;
    below += j < o.params.threshold - 1e-9;
  }
  std::printf(
      "%zu files, %llu documents, threshold %.2f%s: %llu clusters, %zu "
      "members\n"
      "recall: %llu of %llu pairs with exact Jaccard >= %.2f in one cluster "
      "(%.1f%%)\n"
      "loose:  %llu of %zu members below %.2f to their representative "
      "(%.2f%%)\n"
      "below:  %llu of %zu members below the threshold (%.2f%%)\n"
      "audit: %.2f s\n",
      files.size(), static_cast<unsigned long long>(s->documents),
      o.params.threshold, o.params.exact ? ", exact" : "",
      static_cast<unsigned long long>(s->clusters), members.size(),
      static_cast<unsigned long long>(together),
      static_cast<unsigned long long>(pairs), pair_jaccard,
      pairs ? 100.0 * together / pairs : 100.0,
      static_cast<unsigned long long>(loose_n), members.size(), loose,
      members.empty() ? 0.0 : 100.0 * loose_n / members.size(),
      static_cast<unsigned long long>(below), members.size(),
      members.empty() ? 0.0 : 100.0 * below / members.size(), s->seconds);
  return 0;
}

}  // namespace
}  // namespace neardup::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return neardup::bench::Run();
}
