#include "service/audit/marker.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "service/audit/files.h"

namespace neardup::audit {

void Marker::Add(std::string_view key, std::string_view value) {
  std::string v(value);
  for (char& c : v) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  entries_.emplace_back(std::string(key), std::move(v));
}

void Marker::Add(std::string_view key, uint64_t value) {
  Add(key, absl::StrCat(value));
}

void Marker::AddDouble(std::string_view key, double value) {
  Add(key, absl::StrCat(value));
}

std::string Marker::Get(std::string_view key, std::string_view fallback) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return v;
  }
  return std::string(fallback);
}

uint64_t Marker::Int(std::string_view key) const {
  uint64_t v = 0;
  return absl::SimpleAtoi(Get(key), &v) ? v : 0;
}

double Marker::Double(std::string_view key) const {
  double v = 0;
  return absl::SimpleAtod(Get(key), &v) ? v : 0;
}

std::vector<std::string> Marker::All(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : entries_) {
    if (k == key) out.push_back(v);
  }
  return out;
}

absl::Status Marker::Write(const std::string& path) const {
  std::string text;
  for (const auto& [k, v] : entries_) absl::StrAppend(&text, k, " ", v, "\n");
  return WriteFileAtomically(path, text);
}

absl::StatusOr<std::optional<Marker>> Marker::Read(const std::string& path) {
  if (!FileExists(path)) return std::optional<Marker>();
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  Marker m;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    if (space == absl::string_view::npos) {
      m.entries_.emplace_back(std::string(line), "");
    } else {
      m.entries_.emplace_back(std::string(line.substr(0, space)),
                              std::string(line.substr(space + 1)));
    }
  }
  return std::optional<Marker>(std::move(m));
}

}  // namespace neardup::audit
