// OffsetMap: where each byte of a derived text came from in its source.
//
// A derived text (HTML stripped of tags, entities decoded) is built by
// appending pieces. A piece is either copied verbatim from the source
// (linear: derived byte t + i came from source byte s + i) or produced from
// a source range as a whole (an entity "&amp;" -> "&", a CR LF -> LF): all
// its bytes map to that whole range. Inserted separators map to nothing and
// must not be asked about.

#ifndef NEARDUP_SERVICE_TEXT_OFFSET_MAP_H_
#define NEARDUP_SERVICE_TEXT_OFFSET_MAP_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace neardup::text {

// Not thread-safe for writing; const methods may be called concurrently.
class OffsetMap {
 public:
  // Records that derived bytes [out, out + len) are source bytes
  // [src, src + len), copied. Merges with a preceding adjacent copy.
  void AddCopy(uint32_t out, uint32_t src, uint32_t len);

  // Records that derived bytes [out, out + out_len) stand for source bytes
  // [src, src + src_len) as a whole.
  void AddReplacement(uint32_t out, uint32_t out_len, uint32_t src,
                      uint32_t src_len);

  // Returns the source offset where derived byte `out` starts.
  // REQUIRES: `out` lies in a recorded piece.
  uint32_t SourceStart(uint32_t out) const;

  // Returns the source offset just past derived byte `out_end - 1`.
  // REQUIRES: `out_end - 1` lies in a recorded piece.
  uint32_t SourceEnd(uint32_t out_end) const;

  // Appends this map's pieces to `dst`, with derived offsets moved by
  // `shift` (used to concatenate texts).
  void AppendShiftedTo(uint32_t shift, OffsetMap* dst) const;

  size_t pieces() const { return pieces_.size(); }

  class Cursor;  // below

 private:
  struct Piece {
    uint32_t out;
    uint32_t out_len;
    uint32_t src;
    uint32_t src_len;
    bool copy;
  };
  // Returns the piece containing derived byte `out`.
  const Piece& Find(uint32_t out) const;
  // Where derived byte `out` starts, and where derived bytes ending at
  // `out_end` end, in the source, given the piece that holds them.
  static uint32_t StartIn(const Piece& p, uint32_t out) {
    return p.copy ? p.src + std::min(out - p.out, p.src_len) : p.src;
  }
  static uint32_t EndIn(const Piece& p, uint32_t out_end) {
    return p.copy ? p.src + std::min(out_end - p.out, p.src_len)
                  : p.src + p.src_len;
  }

  std::vector<Piece> pieces_;  // ascending `out`, not overlapping
};

// Answers SourceStart and SourceEnd like the map does, faster when asked
// about ascending offsets (the tokens of a text, in order): it looks
// first at the piece of the last answer and the next one. Any order
// works. The map must outlive the cursor and not change while it is
// used. Not thread-safe (one cursor per thread).
class OffsetMap::Cursor {
 public:
  explicit Cursor(const OffsetMap& map) : map_(map) {}
  uint32_t SourceStart(uint32_t out);
  uint32_t SourceEnd(uint32_t out_end);

 private:
  const Piece& Find(uint32_t out);
  const OffsetMap& map_;
  size_t last_ = 0;
};

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_OFFSET_MAP_H_
