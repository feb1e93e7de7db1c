#include "service/replication/position.h"

#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace neardup::replication {

std::string FormatPosition(const Position& p) {
  return absl::StrCat(p.epoch, ":", p.sequence);
}

std::optional<Position> ParsePosition(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  Position p;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), colon), &p.epoch) ||
      !absl::SimpleAtoi(
          absl::string_view(text.data() + colon + 1, text.size() - colon - 1),
          &p.sequence) ||
      p.epoch < 0) {
    return std::nullopt;
  }
  return p;
}

}  // namespace neardup::replication
