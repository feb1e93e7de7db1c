#include "service/text/offset_map.h"

#include <algorithm>

#include "service/common/check.h"

namespace neardup::text {

void OffsetMap::AddCopy(uint32_t out, uint32_t src, uint32_t len) {
  if (len == 0) return;
  if (!pieces_.empty()) {
    Piece& last = pieces_.back();
    if (last.copy && last.out + last.out_len == out &&
        last.src + last.src_len == src) {
      last.out_len += len;
      last.src_len += len;
      return;
    }
  }
  pieces_.push_back({out, len, src, len, true});
}

void OffsetMap::AddReplacement(uint32_t out, uint32_t out_len, uint32_t src,
                               uint32_t src_len) {
  if (out_len == 0) return;
  pieces_.push_back({out, out_len, src, src_len, false});
}

void OffsetMap::AppendShiftedTo(uint32_t shift, OffsetMap* dst) const {
  for (Piece p : pieces_) {
    p.out += shift;
    dst->pieces_.push_back(p);
  }
}

const OffsetMap::Piece& OffsetMap::Find(uint32_t out) const {
  NEARDUP_CHECK(!pieces_.empty());
  // Last piece starting at or before `out`.
  auto it = std::upper_bound(
      pieces_.begin(), pieces_.end(), out,
      [](uint32_t value, const Piece& p) { return value < p.out; });
  NEARDUP_CHECK(it != pieces_.begin());
  return *(it - 1);
}

uint32_t OffsetMap::SourceStart(uint32_t out) const {
  return StartIn(Find(out), out);
}

uint32_t OffsetMap::SourceEnd(uint32_t out_end) const {
  NEARDUP_CHECK(out_end > 0);
  return EndIn(Find(out_end - 1), out_end);
}

const OffsetMap::Piece& OffsetMap::Cursor::Find(uint32_t out) {
  const std::vector<Piece>& pieces = map_.pieces_;
  for (size_t i = last_; i < last_ + 2 && i < pieces.size(); ++i) {
    if (pieces[i].out <= out &&
        (i + 1 == pieces.size() || pieces[i + 1].out > out)) {
      last_ = i;
      return pieces[i];
    }
  }
  const Piece& p = map_.Find(out);
  last_ = static_cast<size_t>(&p - pieces.data());
  return p;
}

uint32_t OffsetMap::Cursor::SourceStart(uint32_t out) {
  return StartIn(Find(out), out);
}

uint32_t OffsetMap::Cursor::SourceEnd(uint32_t out_end) {
  NEARDUP_CHECK(out_end > 0);
  return EndIn(Find(out_end - 1), out_end);
}

}  // namespace neardup::text
