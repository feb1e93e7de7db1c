// Sequential reading of corpus files, plain or compressed: a ByteStream
// gives the decompressed bytes of a file (gzip, including the series of
// gzip members that .warc.gz files are, or zstd, including concatenated
// frames) or of standard input, and a LineReader on top reads lines and
// exact byte counts with the offset of each in the decompressed data.
//
// Errors name the file and what is wrong: a truncated or damaged
// compressed stream is DATA_LOSS ("x.jsonl.gz: truncated gzip data after
// 1048576 bytes"), a missing file NOT_FOUND.
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(auto in, ByteStream::Open("a.jsonl.gz"));
//   LineReader lines(std::move(in));
//   std::string line;
//   while (true) {
//     NEARDUP_ASSIGN_OR_RETURN(bool more, lines.ReadLine(&line));
//     if (!more) break;
//   }
//
// Not thread-safe: one reader per thread.

#ifndef NEARDUP_SERVICE_CORPUS_STREAM_H_
#define NEARDUP_SERVICE_CORPUS_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace neardup::corpus {

enum class Compression { kNone, kGzip, kZstd };

// The compression a file name announces: ".gz" gzip, ".zst" zstd.
Compression CompressionOf(std::string_view path);

class ByteStream {
 public:
  // Opens `path` ("-": standard input) with `compression`. NOT_FOUND or
  // PERMISSION_DENIED naming the path when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<ByteStream>> Open(
      const std::string& path, Compression compression);

  virtual ~ByteStream() = default;

  // Reads up to `n` decompressed bytes into `buf`; returns how many, 0 at
  // the end. DATA_LOSS for damaged or truncated compressed data.
  virtual absl::StatusOr<size_t> Read(char* buf, size_t n) = 0;

  // Bytes read from the file so far (compressed), for progress.
  virtual uint64_t file_position() const = 0;

  // Skips the next `n` decompressed bytes: a seek in a plain file, reading
  // and dropping them otherwise. DATA_LOSS if the data ends first.
  virtual absl::Status Skip(uint64_t n);

  const std::string& path() const { return path_; }

 protected:
  explicit ByteStream(std::string path) : path_(std::move(path)) {}

 private:
  const std::string path_;
};

// Reads all of `path` (decompressed as its name says). Errors: Open's and
// Read's, and INVALID_ARGUMENT if it holds more than `max_bytes`.
absl::StatusOr<std::string> ReadWhole(const std::string& path,
                                      size_t max_bytes);

class LineReader {
 public:
  // `position`: the offset in the decompressed data where `in` stands.
  explicit LineReader(std::unique_ptr<ByteStream> in, uint64_t position = 0);

  // Longest line ReadLine accepts.
  static constexpr size_t kMaxLineBytes = size_t{256} << 20;

  // Reads the next line (without its "\n" or "\r\n") into `line`: true,
  // or false at the end of the data. A last line without "\n" counts.
  // INVALID_ARGUMENT for a line over kMaxLineBytes.
  absl::StatusOr<bool> ReadLine(std::string* line);

  // Reads exactly `n` bytes into `out`; false if the data ends first
  // (`out` then holds what there was).
  absl::StatusOr<bool> ReadExact(size_t n, std::string* out);

  // Skips exactly `n` bytes without keeping them; false if the data ends
  // first.
  absl::StatusOr<bool> Discard(uint64_t n);

  // Offset in the decompressed data of the next byte to be read.
  uint64_t position() const { return position_; }
  uint64_t file_position() const { return in_->file_position(); }
  const std::string& path() const { return in_->path(); }

 private:
  // Refills the buffer; false at the end of the data.
  absl::StatusOr<bool> Fill();

  std::unique_ptr<ByteStream> in_;
  std::string buf_;
  size_t begin_ = 0, end_ = 0;  // unread bytes: buf_[begin_, end_)
  uint64_t position_ = 0;
  bool eof_ = false;
};

}  // namespace neardup::corpus

#endif  // NEARDUP_SERVICE_CORPUS_STREAM_H_
