#include "service/text/fold.h"

#include <opencc/opencc.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "service/common/check.h"
#include "service/text/utf8.h"

namespace neardup::text {
namespace {

// Dense table for the main CJK blocks, hash map for the rest.
constexpr char32_t kDenseBegin = 0x3400, kDenseEnd = 0xA000;

struct FoldTable {
  absl::Status status;
  std::vector<char32_t> dense;  // index cp - kDenseBegin; 0 = no change
  absl::flat_hash_map<char32_t, char32_t> sparse;
};

bool IsHan(char32_t cp) {
  return (cp >= 0x3400 && cp < 0xA000) || (cp >= 0xF900 && cp < 0xFB00) ||
         (cp >= 0x20000 && cp < 0x2FA20);
}

FoldTable* BuildTable() {
  auto* table = new FoldTable();
  opencc_t cc = opencc_open("t2s.json");
  if (cc == reinterpret_cast<opencc_t>(-1)) {
    table->status = absl::FailedPreconditionError(absl::StrCat(
        "Traditional-to-Simplified folding unavailable: cannot load OpenCC "
        "t2s.json: ",
        opencc_error()));
    return table;
  }
  // Every Han code point on its own line: OpenCC converts each alone.
  std::vector<char32_t> cps;
  std::string input;
  for (char32_t cp = 0x3400; cp < 0x2FA20; ++cp) {
    if (!IsHan(cp)) continue;
    cps.push_back(cp);
    AppendUtf8(cp, &input);
    input.push_back('\n');
  }
  char* converted = opencc_convert_utf8(cc, input.data(), input.size());
  const std::string output = converted != nullptr ? converted : "";
  if (converted != nullptr) opencc_convert_utf8_free(converted);
  opencc_close(cc);

  table->dense.assign(kDenseEnd - kDenseBegin, 0);
  size_t line = 0, pos = 0;
  while (pos < output.size() && line < cps.size()) {
    const size_t nl = output.find('\n', pos);
    const std::string_view piece(
        output.data() + pos,
        (nl == std::string::npos ? output.size() : nl) - pos);
    char32_t cp;
    const size_t len = piece.empty() ? 0 : DecodeUtf8(piece, 0, &cp);
    // Only one-to-one results keep offsets exact; others are left alone.
    if (len > 0 && len == piece.size() && cp != cps[line]) {
      if (cps[line] >= kDenseBegin && cps[line] < kDenseEnd) {
        table->dense[cps[line] - kDenseBegin] = cp;
      } else {
        table->sparse[cps[line]] = cp;
      }
    }
    ++line;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  if (line != cps.size()) {
    table->status = absl::InternalError(
        absl::StrCat("OpenCC t2s returned ", line, " lines for ", cps.size(),
                     " characters"));
  }
  return table;
}

const FoldTable& Table() {
  static const FoldTable* table = BuildTable();
  return *table;
}

}  // namespace

absl::Status LoadTraditionalFolding() { return Table().status; }

char32_t FoldTraditional(char32_t cp) {
  const FoldTable& t = Table();
  if (cp >= kDenseBegin && cp < kDenseEnd) {
    const char32_t folded = t.dense[cp - kDenseBegin];
    return folded != 0 ? folded : cp;
  }
  if (t.sparse.empty()) return cp;
  auto it = t.sparse.find(cp);
  return it == t.sparse.end() ? cp : it->second;
}

}  // namespace neardup::text
