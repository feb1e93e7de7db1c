#include "service/audit/sorter.h"

#include <algorithm>
#include <queue>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/audit/files.h"
#include "service/common/status_macros.h"

namespace neardup::audit {

RunWriter::RunWriter(std::string prefix, size_t max_values)
    : prefix_(std::move(prefix)),
      max_values_(std::max<size_t>(max_values, 1)) {}

absl::Status RunWriter::Spill() {
  if (buffer_.empty()) return absl::OkStatus();
  std::sort(buffer_.begin(), buffer_.end());
  buffer_.erase(std::unique(buffer_.begin(), buffer_.end()), buffer_.end());
  const std::string path = absl::StrCat(prefix_, "-", runs_.size(), ".run");
  NEARDUP_RETURN_IF_ERROR(WriteVector(path, buffer_));
  runs_.push_back(path);
  buffer_.clear();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> RunWriter::Finish() {
  NEARDUP_RETURN_IF_ERROR(Spill());
  buffer_.shrink_to_fit();
  return runs_;
}

namespace {

// Merges `runs` (at most kFanIn of them) into `out` in one pass.
absl::StatusOr<uint64_t> MergeOnce(const std::vector<std::string>& runs,
                                   const std::string& out) {
  std::vector<RandomAccessFile> files;
  std::vector<RecordReader<uint64_t>> readers;
  files.reserve(runs.size());
  readers.reserve(runs.size());
  for (const std::string& r : runs) {
    NEARDUP_ASSIGN_OR_RETURN(RandomAccessFile f, RandomAccessFile::Open(r));
    files.push_back(std::move(f));
  }
  using Head = std::pair<uint64_t, size_t>;  // value, run
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heap;
  for (size_t i = 0; i < files.size(); ++i) {
    readers.emplace_back(&files[i], 0, files[i].size(), 8192);
    uint64_t v;
    NEARDUP_ASSIGN_OR_RETURN(bool more, readers[i].Next(&v));
    if (more) heap.push({v, i});
  }
  NEARDUP_ASSIGN_OR_RETURN(FileWriter w, FileWriter::Create(out));
  uint64_t count = 0;
  bool any = false;
  uint64_t last = 0;
  while (!heap.empty()) {
    const auto [v, i] = heap.top();
    heap.pop();
    if (!any || v != last) {
      NEARDUP_RETURN_IF_ERROR(w.AppendRecord(v));
      ++count;
      last = v;
      any = true;
    }
    uint64_t next;
    NEARDUP_ASSIGN_OR_RETURN(bool more, readers[i].Next(&next));
    if (more) heap.push({next, i});
  }
  NEARDUP_RETURN_IF_ERROR(w.Close());  // renames: `out` is whole or absent
  return count;
}

}  // namespace

absl::StatusOr<uint64_t> MergeRuns(const std::vector<std::string>& runs,
                                   const std::string& out) {
  // Passes of at most kFanIn runs each, so that open files and buffers
  // stay bounded however many runs there are.
  std::vector<std::string> current = runs;
  std::vector<std::string> scratch;  // intermediate runs, removed after
  for (int pass = 0; current.size() > kFanIn; ++pass) {
    std::vector<std::string> next;
    for (size_t g = 0; g < current.size(); g += kFanIn) {
      const std::vector<std::string> group(
          current.begin() + g,
          current.begin() + std::min(current.size(), g + kFanIn));
      const std::string path =
          absl::StrCat(out, ".pass", pass, "-", next.size());
      NEARDUP_RETURN_IF_ERROR(MergeOnce(group, path).status());
      next.push_back(path);
      scratch.push_back(path);
    }
    current = std::move(next);
  }
  absl::StatusOr<uint64_t> count = MergeOnce(current, out);
  for (const std::string& s : scratch) RemoveAll(s).IgnoreError();  // scratch
  return count;
}

}  // namespace neardup::audit
