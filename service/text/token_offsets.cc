#include "service/text/token_offsets.h"

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "service/common/check.h"

namespace neardup::text {
namespace {

// Layout: varint token count, then per token whose prediction misses:
// varint (tokens skipped since the previous entry), and four zigzag
// varints: the misses of byte_start, byte_end, cp_start, cp_end.

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::optional<uint64_t> GetVarint(std::string_view* in) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto b = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    v |= uint64_t(b & 0x7F) << shift;
    if (b < 0x80) return v;
  }
  return std::nullopt;
}

uint64_t ZigZag(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
int64_t UnZigZag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

// Predicts each token's source offsets from the previous token's and the
// derived distances.
class Predictor {
 public:
  // The four predictions for `d`, given the source offsets already known
  // for this token (filled in order: byte_start, then byte_end, ...).
  int64_t ByteStart(const Token& d) const {
    return int64_t(src_byte_end_) + (int64_t(d.byte_start) - der_byte_end_);
  }
  static int64_t ByteEnd(const Token& d, int64_t byte_start) {
    return byte_start + (int64_t(d.byte_end) - d.byte_start);
  }
  int64_t CpStart(const Token& d) const {
    return int64_t(src_cp_end_) + (int64_t(d.cp_start) - der_cp_end_);
  }
  static int64_t CpEnd(const Token& d, int64_t cp_start) {
    return cp_start + (int64_t(d.cp_end) - d.cp_start);
  }
  void Advance(const Token& d, const Token& s) {
    der_byte_end_ = d.byte_end;
    der_cp_end_ = d.cp_end;
    src_byte_end_ = s.byte_end;
    src_cp_end_ = s.cp_end;
  }

 private:
  int64_t der_byte_end_ = 0, der_cp_end_ = 0;
  int64_t src_byte_end_ = 0, src_cp_end_ = 0;
};

bool FitsOffset(int64_t v) { return v >= 0 && v <= int64_t(UINT32_MAX); }

}  // namespace

std::string EncodeTokenOffsets(absl::Span<const Token> derived,
                               absl::Span<const Token> source) {
  NEARDUP_CHECK(derived.size() == source.size());
  std::string out;
  PutVarint(derived.size(), &out);
  Predictor p;
  size_t skipped = 0;
  for (size_t i = 0; i < derived.size(); ++i) {
    const Token& d = derived[i];
    const Token& s = source[i];
    const int64_t miss[4] = {
        int64_t(s.byte_start) - p.ByteStart(d),
        int64_t(s.byte_end) - Predictor::ByteEnd(d, s.byte_start),
        int64_t(s.cp_start) - p.CpStart(d),
        int64_t(s.cp_end) - Predictor::CpEnd(d, s.cp_start)};
    p.Advance(d, s);
    if (miss[0] == 0 && miss[1] == 0 && miss[2] == 0 && miss[3] == 0) {
      ++skipped;
      continue;
    }
    PutVarint(skipped, &out);
    for (int64_t m : miss) PutVarint(ZigZag(m), &out);
    skipped = 0;
  }
  return out;
}

absl::Status ApplyTokenOffsets(std::string_view table,
                               absl::Span<Token> tokens) {
  auto malformed = [&](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("token offset table (", table.size(), " bytes, ",
                     tokens.size(), " tokens): ", why));
  };
  std::string_view in = table;
  const std::optional<uint64_t> count = GetVarint(&in);
  if (!count.has_value()) return malformed(std::string("no token count"));
  if (*count != tokens.size()) {
    return malformed(absl::StrCat("written for ", *count, " tokens"));
  }
  constexpr uint64_t kNone = UINT64_MAX;
  // The index of the token the next entry is for (kNone: no more entries).
  auto next_entry = [&](uint64_t after) -> absl::StatusOr<uint64_t> {
    if (in.empty()) return kNone;
    const std::optional<uint64_t> skip = GetVarint(&in);
    if (!skip.has_value()) return malformed(std::string("cut short"));
    if (*skip >= tokens.size() - after) {
      return malformed(std::string("entries past the last token"));
    }
    return after + *skip;
  };
  absl::StatusOr<uint64_t> entry = next_entry(0);
  if (!entry.ok()) return entry.status();
  Predictor p;
  for (size_t i = 0; i < tokens.size(); ++i) {
    Token& t = tokens[i];
    const Token d = t;
    int64_t miss[4] = {0, 0, 0, 0};
    if (*entry == i) {
      for (int64_t& m : miss) {
        const std::optional<uint64_t> v = GetVarint(&in);
        if (!v.has_value()) return malformed(std::string("cut short"));
        m = UnZigZag(*v);
      }
      entry = next_entry(i + 1);
      if (!entry.ok()) return entry.status();
    }
    const int64_t byte_start = p.ByteStart(d) + miss[0];
    const int64_t byte_end = Predictor::ByteEnd(d, byte_start) + miss[1];
    const int64_t cp_start = p.CpStart(d) + miss[2];
    const int64_t cp_end = Predictor::CpEnd(d, cp_start) + miss[3];
    if (!FitsOffset(byte_start) || !FitsOffset(byte_end) ||
        !FitsOffset(cp_start) || !FitsOffset(cp_end)) {
      return malformed(std::string("offset out of range"));
    }
    t.byte_start = uint32_t(byte_start);
    t.byte_end = uint32_t(byte_end);
    t.cp_start = uint32_t(cp_start);
    t.cp_end = uint32_t(cp_end);
    p.Advance(d, t);
  }
  if (*entry != kNone) {
    return malformed(std::string("entries past the last token"));
  }
  return absl::OkStatus();
}

}  // namespace neardup::text
