#include "service/corpus/stream.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/common/status_macros.h"

namespace neardup::corpus {
namespace {

constexpr size_t kBufferBytes = 1 << 20;

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Raw bytes of a file descriptor.
class FileInput {
 public:
  FileInput(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~FileInput() {
    if (owned_) close(fd_);
  }
  FileInput(const FileInput&) = delete;
  FileInput& operator=(const FileInput&) = delete;

  absl::StatusOr<size_t> Read(const std::string& path, char* buf, size_t n) {
    while (true) {
      const ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) {
        position_ += static_cast<uint64_t>(got);
        return static_cast<size_t>(got);
      }
      if (errno == EINTR) continue;
      return absl::DataLossError(
          absl::StrCat(path, ": read error: ", std::strerror(errno)));
    }
  }
  uint64_t position() const { return position_; }

  // Seeks `n` bytes forward; false if the file cannot seek (a pipe).
  bool Seek(uint64_t n) {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) < 0) return false;
    position_ += n;
    return true;
  }

 private:
  const int fd_;
  const bool owned_;
  uint64_t position_ = 0;
};

class PlainStream : public ByteStream {
 public:
  PlainStream(std::string path, int fd, bool owned)
      : ByteStream(std::move(path)), file_(fd, owned) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    return file_.Read(path(), buf, n);
  }
  uint64_t file_position() const override { return file_.position(); }
  absl::Status Skip(uint64_t n) override {
    if (file_.Seek(n)) return absl::OkStatus();
    return ByteStream::Skip(n);
  }

 private:
  FileInput file_;
};

// gzip, member after member (a .warc.gz is one member per record).
class GzipStream : public ByteStream {
 public:
  GzipStream(std::string path, int fd, bool owned)
      : ByteStream(std::move(path)), file_(fd, owned), in_(kBufferBytes) {
    std::memset(&z_, 0, sizeof(z_));
    ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;  // gzip only
  }
  ~GzipStream() override { inflateEnd(&z_); }

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (!ok_) return absl::InternalError("zlib initialisation failed");
    if (done_ || n == 0) return 0;
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out == n) {
      if (z_.avail_in == 0) {
        NEARDUP_ASSIGN_OR_RETURN(size_t got,
                                 file_.Read(path(), in_.data(), in_.size()));
        if (got == 0) {
          if (member_started_) {
            return absl::DataLossError(
                absl::StrCat(path(), ": truncated gzip data after ", out_total_,
                             " bytes of content"));
          }
          done_ = true;  // the end, between members
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(got);
      }
      member_started_ = true;
      const int r = inflate(&z_, Z_NO_FLUSH);
      if (r == Z_STREAM_END) {
        // Another member may follow.
        member_started_ = false;
        if (inflateReset(&z_) != Z_OK) {
          return absl::InternalError("zlib reset failed");
        }
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        return absl::DataLossError(absl::StrCat(
            path(), ": damaged gzip data after ", out_total_,
            " bytes of content: ", z_.msg != nullptr ? z_.msg : "error ",
            z_.msg != nullptr ? "" : absl::StrCat(r)));
      }
    }
    const size_t produced = n - z_.avail_out;
    out_total_ += produced;
    return produced;
  }
  uint64_t file_position() const override { return file_.position(); }

 private:
  FileInput file_;
  std::vector<char> in_;
  z_stream z_;
  bool ok_ = false;
  bool done_ = false;
  bool member_started_ = false;
  uint64_t out_total_ = 0;
};

// zstd, frame after frame.
class ZstdStream : public ByteStream {
 public:
  ZstdStream(std::string path, int fd, bool owned)
      : ByteStream(std::move(path)),
        file_(fd, owned),
        in_(ZSTD_DStreamInSize()),
        d_(ZSTD_createDCtx()) {}
  ~ZstdStream() override { ZSTD_freeDCtx(d_); }

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (d_ == nullptr) return absl::InternalError("zstd initialisation failed");
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0 && !done_ && n > 0) {
      if (input_.pos == input_.size) {
        NEARDUP_ASSIGN_OR_RETURN(size_t got,
                                 file_.Read(path(), in_.data(), in_.size()));
        if (got == 0) {
          if (pending_ == 0) {  // the end, between frames
            done_ = true;
            break;
          }
          // Inside a frame: the decoder may still hold output of what it
          // has read (a caller that asked for fewer bytes, as Skip does),
          // which is content like any other; then the frame is cut short.
          ZSTD_inBuffer none{nullptr, 0, 0};
          pending_ = ZSTD_decompressStream(d_, &out, &none);
          if (!ZSTD_isError(pending_) && out.pos > 0) break;
          return absl::DataLossError(
              absl::StrCat(path(), ": truncated zstd data after ", out_total_,
                           " bytes of content"));
        }
        input_ = {in_.data(), got, 0};
      }
      pending_ = ZSTD_decompressStream(d_, &out, &input_);
      if (ZSTD_isError(pending_)) {
        return absl::DataLossError(
            absl::StrCat(path(), ": damaged zstd data after ", out_total_,
                         " bytes of content: ", ZSTD_getErrorName(pending_)));
      }
    }
    out_total_ += out.pos;
    return out.pos;
  }
  uint64_t file_position() const override { return file_.position(); }

 private:
  FileInput file_;
  std::vector<char> in_;
  ZSTD_DCtx* d_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  size_t pending_ = 0;  // 0: at a frame boundary
  bool done_ = false;
  uint64_t out_total_ = 0;
};

}  // namespace

absl::Status ByteStream::Skip(uint64_t n) {
  std::vector<char> buf(1 << 16);
  while (n > 0) {
    NEARDUP_ASSIGN_OR_RETURN(
        size_t got, Read(buf.data(), std::min<uint64_t>(n, buf.size())));
    if (got == 0) {
      return absl::DataLossError(
          absl::StrCat(path(), ": the data ends before the offset sought"));
    }
    n -= got;
  }
  return absl::OkStatus();
}

Compression CompressionOf(std::string_view path) {
  const std::string lower = absl::AsciiStrToLower(AbslView(path));
  if (absl::EndsWith(lower, ".gz")) return Compression::kGzip;
  if (absl::EndsWith(lower, ".zst")) return Compression::kZstd;
  return Compression::kNone;
}

absl::StatusOr<std::unique_ptr<ByteStream>> ByteStream::Open(
    const std::string& path, Compression compression) {
  int fd = 0;
  const bool owned = path != "-";
  if (owned) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int e = errno;
      const std::string message =
          absl::StrCat("cannot open ", path, ": ", std::strerror(e));
      if (e == ENOENT) return absl::NotFoundError(message);
      if (e == EACCES) return absl::PermissionDeniedError(message);
      return absl::FailedPreconditionError(message);
    }
  }
  switch (compression) {
    case Compression::kGzip:
      return std::unique_ptr<ByteStream>(new GzipStream(path, fd, owned));
    case Compression::kZstd:
      return std::unique_ptr<ByteStream>(new ZstdStream(path, fd, owned));
    case Compression::kNone:
      break;
  }
  return std::unique_ptr<ByteStream>(new PlainStream(path, fd, owned));
}

absl::StatusOr<std::string> ReadWhole(const std::string& path,
                                      size_t max_bytes) {
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<ByteStream> in,
                           ByteStream::Open(path, CompressionOf(path)));
  std::string out;
  char buf[1 << 16];
  while (true) {
    NEARDUP_ASSIGN_OR_RETURN(size_t got, in->Read(buf, sizeof(buf)));
    if (got == 0) break;
    if (out.size() + got > max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": document is over the limit of ", max_bytes, " bytes"));
    }
    out.append(buf, got);
  }
  return out;
}

LineReader::LineReader(std::unique_ptr<ByteStream> in, uint64_t position)
    : in_(std::move(in)), buf_(kBufferBytes, '\0'), position_(position) {}

absl::StatusOr<bool> LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  NEARDUP_ASSIGN_OR_RETURN(size_t got,
                           in_->Read(buf_.data() + end_, buf_.size() - end_));
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

absl::StatusOr<bool> LineReader::ReadLine(std::string* line) {
  line->clear();
  size_t scanned = begin_;
  while (true) {
    const void* nl = std::memchr(buf_.data() + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      const size_t at = static_cast<const char*>(nl) - buf_.data();
      size_t stop = at;
      if (stop > begin_ && buf_[stop - 1] == '\r') --stop;
      line->assign(buf_.data() + begin_, stop - begin_);
      position_ += at + 1 - begin_;
      begin_ = at + 1;
      return true;
    }
    const size_t seen = end_ - begin_;
    if (seen > kMaxLineBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path(), ": line at byte offset ", position_,
                       " is longer than ", kMaxLineBytes, " bytes"));
    }
    NEARDUP_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) {
      if (end_ == begin_) return false;
      line->assign(buf_.data() + begin_, end_ - begin_);
      position_ += end_ - begin_;
      begin_ = end_;
      return true;
    }
    scanned = begin_ + seen;
  }
}

absl::StatusOr<bool> LineReader::Discard(uint64_t n) {
  while (n > 0) {
    if (begin_ == end_) {
      NEARDUP_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return false;
    }
    const size_t take =
        static_cast<size_t>(std::min<uint64_t>(n, end_ - begin_));
    begin_ += take;
    position_ += take;
    n -= take;
  }
  return true;
}

absl::StatusOr<bool> LineReader::ReadExact(size_t n, std::string* out) {
  out->clear();
  while (out->size() < n) {
    if (begin_ == end_) {
      NEARDUP_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return false;
    }
    const size_t take = std::min(n - out->size(), end_ - begin_);
    out->append(buf_.data() + begin_, take);
    begin_ += take;
    position_ += take;
  }
  return true;
}

}  // namespace neardup::corpus
