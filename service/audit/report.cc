#include "service/audit/report.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "service/common/status_macros.h"
#include "service/report/text_format.h"
#include "service/text/utf8.h"

namespace neardup::audit {
namespace {

using report::JsonString;
using report::WithCommas;

// A score with four decimals: the same text for the same float.
std::string Score(double x) { return absl::StrFormat("%.4f", x); }

// A field of duplicates.tsv: tabs, line breaks and backslashes escaped.
std::string TsvField(std::string_view raw) {
  const std::string s = text::ReplaceInvalidUtf8(raw);
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string MemberJson(const MemberView& m, bool scores) {
  std::string out =
      absl::StrCat("{\"id\":", JsonString(m.id), ",\"words\":", m.words,
                   ",\"bytes\":", m.bytes);
  if (scores) {
    absl::StrAppend(&out, ",\"jaccard\":", Score(m.jaccard),
                    ",\"containment\":", Score(m.containment),
                    ",\"reverse_containment\":", Score(m.reverse_containment),
                    ",\"exact\":", m.exact ? "true" : "false");
  }
  return out + "}";
}

std::string Escaped(std::string_view s) {
  std::string out;
  report::AppendEscaped(s, &out);
  return out;
}

// The buckets of the size histogram: [lo, hi] sizes.
struct SizeBucket {
  uint64_t lo, hi;
};
constexpr SizeBucket kSizeBuckets[] = {
    {2, 2},   {3, 3},   {4, 4},    {5, 5},      {6, 10},
    {11, 20}, {21, 50}, {51, 100}, {101, 1000}, {1001, UINT64_MAX}};

std::string BucketLabel(const SizeBucket& b) {
  if (b.lo == b.hi) return absl::StrCat(b.lo);
  if (b.hi == UINT64_MAX) return absl::StrCat(b.lo, "+");
  return absl::StrCat(b.lo, "-", b.hi);
}

// An inline SVG bar chart of cluster sizes. Each bar is a <rect
// class="bar"> with data-sizes and data-clusters.
std::string Histogram(const std::map<uint64_t, uint64_t>& sizes) {
  std::vector<uint64_t> counts;
  uint64_t most = 1;
  for (const SizeBucket& b : kSizeBuckets) {
    uint64_t n = 0;
    for (auto it = sizes.lower_bound(b.lo);
         it != sizes.end() && it->first <= b.hi; ++it) {
      n += it->second;
    }
    counts.push_back(n);
    most = std::max(most, n);
  }
  constexpr int kBarWidth = 56, kHeight = 160, kTop = 20, kBottom = 40;
  const int width = static_cast<int>(counts.size()) * kBarWidth + 20;
  std::string svg = absl::StrFormat(
      "<svg class=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"clusters by "
      "size\">\n",
      width, kHeight + kTop + kBottom);
  for (size_t i = 0; i < counts.size(); ++i) {
    const int h =
        counts[i] == 0
            ? 0
            : std::max<int>(1, static_cast<int>(kHeight * counts[i] / most));
    const int x = 10 + static_cast<int>(i) * kBarWidth;
    const std::string label = BucketLabel(kSizeBuckets[i]);
    absl::StrAppendFormat(
        &svg,
        "<rect class=\"bar\" data-sizes=\"%s\" data-clusters=\"%d\" x=\"%d\" "
        "y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#4a7ab5\"/>\n"
        "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d"
        "</text>\n<text x=\"%d\" y=\"%d\" font-size=\"11\" "
        "text-anchor=\"middle\">%s</text>\n",
        label, counts[i], x, kTop + kHeight - h, kBarWidth - 8, h,
        x + (kBarWidth - 8) / 2, kTop + kHeight - h - 4, counts[i],
        x + (kBarWidth - 8) / 2, kTop + kHeight + 16, label);
  }
  absl::StrAppendFormat(&svg,
                        "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
                        "text-anchor=\"middle\">documents per cluster</text>\n"
                        "</svg>\n",
                        width / 2, kTop + kHeight + 34);
  return svg;
}

std::string MemberRow(const MemberView& m, bool representative) {
  if (representative) {
    return absl::StrCat("<tr class=\"representative\"><td>", Escaped(m.id),
                        "</td><td>", WithCommas(m.words), "</td><td>",
                        WithCommas(m.bytes),
                        "</td><td colspan=\"4\">kept</td></tr>\n");
  }
  return absl::StrCat("<tr class=\"member\"><td>", Escaped(m.id), "</td><td>",
                      WithCommas(m.words), "</td><td>", WithCommas(m.bytes),
                      "</td><td>", Score(m.jaccard), "</td><td>",
                      Score(m.containment), "</td><td>",
                      Score(m.reverse_containment), "</td><td>",
                      m.exact ? "exact" : "near", "</td></tr>\n");
}

}  // namespace

std::string SummaryJson(const AuditSummary& s) {
  std::string out = absl::StrCat("{\n  \"parameters\": ", s.params_json, ",\n");
  if (!s.collection.empty()) {
    absl::StrAppend(&out, "  \"collection\": ", JsonString(s.collection),
                    ",\n");
  } else {
    absl::StrAppend(&out, "  \"inputs\": [");
    for (size_t i = 0; i < s.inputs.size(); ++i) {
      absl::StrAppend(&out, i ? ", " : "", JsonString(s.inputs[i]));
    }
    absl::StrAppend(&out, "],\n");
  }
  absl::StrAppend(&out, "  \"documents\": ", s.documents,
                  ",\n  \"bad_documents\": ", s.bad_documents,
                  ",\n  \"damaged_files\": ", s.damaged_files,
                  ",\n  \"ignored_records\": ", s.ignored_records,
                  ",\n  \"bytes\": ", s.bytes, ",\n  \"problems\": [");
  for (size_t i = 0; i < s.problems.size(); ++i) {
    absl::StrAppend(&out, i ? ", " : "", JsonString(s.problems[i]));
  }
  const uint64_t kept =
      s.documents - s.bad_documents - s.exact_duplicates - s.near_duplicates;
  absl::StrAppend(&out, "],\n  \"candidate_pairs\": ", s.candidate_pairs,
                  ",\n  \"verified_pairs\": ", s.verified_pairs,
                  ",\n  \"clusters\": ", s.clusters,
                  ",\n  \"largest_cluster\": ", s.largest_cluster,
                  ",\n  \"exact_duplicates\": ", s.exact_duplicates,
                  ",\n  \"near_duplicates\": ", s.near_duplicates,
                  ",\n  \"kept\": ", kept, ",\n");
  if (s.with_components) {
    absl::StrAppend(&out, "  \"components\": ", s.components,
                    ",\n  \"largest_component\": ", s.largest_component, ",\n");
  }
  absl::StrAppend(&out, "  \"run\": {\"threads\": ", s.threads,
                  ", \"memory_limit\": ", s.memory_limit,
                  ", \"seconds\": ", absl::StrFormat("%.3f", s.seconds),
                  ", \"stages\": [");
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const StageRun& r = s.stages[i];
    absl::StrAppendFormat(
        &out,
        "%s{\"stage\": \"%s\", \"seconds\": %.3f, \"peak_memory_mb\": %.1f, "
        "\"resumed\": %s}",
        i ? ", " : "", r.name, r.seconds, r.peak_memory_bytes / 1048576.0,
        r.resumed ? "true" : "false");
  }
  absl::StrAppend(&out, "]}\n}\n");
  return out;
}

absl::StatusOr<std::unique_ptr<ReportWriter>> ReportWriter::Create(
    const std::string& dir) {
  NEARDUP_ASSIGN_OR_RETURN(FileWriter clusters,
                           FileWriter::Create(dir + "/clusters.jsonl.tmp"));
  NEARDUP_ASSIGN_OR_RETURN(FileWriter duplicates,
                           FileWriter::Create(dir + "/duplicates.tsv.tmp"));
  NEARDUP_RETURN_IF_ERROR(duplicates.Append(
      "id\tduplicate_of\tcluster\tjaccard\tcontainment\treverse_containment"
      "\texact\n"));
  return std::unique_ptr<ReportWriter>(
      new ReportWriter(dir, std::move(clusters), std::move(duplicates)));
}

absl::Status ReportWriter::Add(const ClusterView& c) {
  std::string line = absl::StrCat(
      "{\"cluster\":", c.number, ",\"size\":", c.members.size() + 1,
      ",\"representative\":", MemberJson(c.representative, false),
      ",\"members\":[");
  for (size_t i = 0; i < c.members.size(); ++i) {
    absl::StrAppend(&line, i ? "," : "", MemberJson(c.members[i], true));
  }
  absl::StrAppend(&line, "]}\n");
  NEARDUP_RETURN_IF_ERROR(clusters_.Append(line));
  const std::string rep = TsvField(c.representative.id);
  for (const MemberView& m : c.members) {
    NEARDUP_RETURN_IF_ERROR(duplicates_.Append(absl::StrCat(
        TsvField(m.id), "\t", rep, "\t", c.number, "\t", Score(m.jaccard), "\t",
        Score(m.containment), "\t", Score(m.reverse_containment), "\t",
        m.exact ? "exact" : "near", "\n")));
  }
  ++sizes_[c.members.size() + 1];
  largest_.Offer(c);
  return absl::OkStatus();
}

void LargestClusters::Offer(const ClusterView& c) {
  auto before = [](const ClusterView& x, const ClusterView& y) {
    return x.members.size() != y.members.size()
               ? x.members.size() > y.members.size()
               : x.number < y.number;
  };
  if (largest_.size() < kShown || before(c, largest_.back())) {
    largest_.insert(
        std::upper_bound(largest_.begin(), largest_.end(), c, before), c);
    if (largest_.size() > kShown) largest_.pop_back();
  }
}

const MemberView& LargestClusters::LeastSimilar(const ClusterView& c) {
  const MemberView* least = &c.members.front();
  for (const MemberView& m : c.members) {
    if (m.jaccard < least->jaccard) least = &m;
  }
  return *least;
}

absl::Status ReportWriter::Finish(const AuditSummary& s,
                                  const std::vector<SideBySide>& views) {
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
      "<title>neardup audit</title><style>\n"
      "body{font-family:sans-serif;margin:1em 2em;max-width:110em}\n"
      "table{border-collapse:collapse;margin:0.5em 0}\n"
      "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
      "tr.representative{font-weight:bold;background:#eef4ff}\n"
      "section.cluster{margin:2em 0;border-top:2px solid #888}\n",
      report::PassagesCss(), "</style></head><body>\n<h1>neardup audit</h1>\n");
  const uint64_t kept =
      s.documents - s.bad_documents - s.exact_duplicates - s.near_duplicates;
  absl::StrAppend(&html, "<table id=\"summary\">\n");
  auto row = [&](const std::string& name, const std::string& key,
                 const std::string& value) {
    absl::StrAppend(&html, "<tr><th>", name, "</th><td data-key=\"", key, "\">",
                    Escaped(value), "</td></tr>\n");
  };
  if (!s.collection.empty()) row("collection", "collection", s.collection);
  row("documents", "documents", WithCommas(s.documents));
  row("bytes", "bytes", WithCommas(s.bytes));
  row("clusters", "clusters", WithCommas(s.clusters));
  row("largest cluster", "largest_cluster", WithCommas(s.largest_cluster));
  row("exact duplicates", "exact_duplicates", WithCommas(s.exact_duplicates));
  row("near duplicates", "near_duplicates", WithCommas(s.near_duplicates));
  row("documents kept", "kept", WithCommas(kept));
  if (s.bad_documents > 0 || s.damaged_files > 0) {
    row("skipped (unreadable)", "bad_documents", WithCommas(s.bad_documents));
    row("damaged files", "damaged_files", WithCommas(s.damaged_files));
  }
  if (s.with_components) {
    row("connected components", "components", WithCommas(s.components));
    row("largest component", "largest_component",
        WithCommas(s.largest_component));
  }
  row("parameters", "parameters", s.params_json);
  absl::StrAppend(&html, "</table>\n<h2>Clusters by size</h2>\n",
                  Histogram(sizes_));
  if (!Largest().empty()) {
    absl::StrAppend(&html, "<h2>The ", Largest().size(),
                    " largest clusters</h2>\n");
  }
  for (const ClusterView& c : Largest()) {
    absl::StrAppend(&html, "<section class=\"cluster\" data-cluster=\"",
                    c.number, "\" data-size=\"", c.members.size() + 1,
                    "\">\n<h3>Cluster ", c.number, ": ", c.members.size() + 1,
                    " documents</h3>\n<table class=\"members\"><tr><th>id"
                    "</th><th>words</th><th>bytes</th><th>jaccard</th><th>"
                    "contained</th><th>contains</th><th></th></tr>\n",
                    MemberRow(c.representative, true));
    for (size_t i = 0; i < c.members.size() && i < kShownMembers; ++i) {
      html += MemberRow(c.members[i], false);
    }
    absl::StrAppend(&html, "</table>\n");
    if (c.members.size() > kShownMembers) {
      absl::StrAppend(&html, "<p>and ", c.members.size() - kShownMembers,
                      " more in clusters.jsonl</p>\n");
    }
    for (const SideBySide& v : views) {
      if (v.cluster != c.number) continue;
      absl::StrAppend(
          &html, "<h4>The representative beside its least similar member (",
          Escaped(v.member_id), ")</h4>\n",
          report::PassagesSection(
              {c.representative.id, v.representative_text,
               v.representative_ranges},
              {{v.member_id, v.member_text, v.member_ranges}}));
    }
    absl::StrAppend(&html, "</section>\n");
  }
  absl::StrAppend(&html, "</body></html>\n");

  NEARDUP_RETURN_IF_ERROR(clusters_.Close());
  NEARDUP_RETURN_IF_ERROR(duplicates_.Close());
  NEARDUP_RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/report.html", html));
  for (const char* name : {"clusters.jsonl", "duplicates.tsv"}) {
    const std::string to = absl::StrCat(dir_, "/", name);
    if (std::rename((to + ".tmp").c_str(), to.c_str()) != 0) {
      return absl::DataLossError(absl::StrCat("cannot rename to ", to));
    }
  }
  return absl::OkStatus();
}

absl::Status WriteSummary(const std::string& dir, const AuditSummary& s) {
  return WriteFileAtomically(dir + "/summary.json", SummaryJson(s));
}

}  // namespace neardup::audit
