#include "service/audit/files.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/common/status_macros.h"

namespace neardup::audit {
namespace {

constexpr size_t kWriteBuffer = 1 << 20;

absl::Status Errno(const std::string& what, const std::string& path) {
  const int e = errno;
  const std::string message =
      absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(e));
  if (e == ENOENT) return absl::NotFoundError(message);
  if (e == ENOSPC) return absl::ResourceExhaustedError(message);
  return absl::DataLossError(message);
}

absl::Status WriteAll(int fd, const char* p, size_t n,
                      const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path,
                                 std::string_view data) {
  NEARDUP_ASSIGN_OR_RETURN(FileWriter w, FileWriter::Create(path));
  NEARDUP_RETURN_IF_ERROR(w.Append(data));
  return w.Close();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  NEARDUP_ASSIGN_OR_RETURN(RandomAccessFile f, RandomAccessFile::Open(path));
  std::string out(f.size(), '\0');
  NEARDUP_RETURN_IF_ERROR(f.ReadAt(0, out.size(), out.data()));
  return out;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

absl::Status RemoveAll(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) {
    return absl::DataLossError(
        absl::StrCat("cannot remove ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create directory ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

uint64_t PeakMemoryBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view v = line;
    if (absl::ConsumePrefix(&v, "VmHWM:")) {
      v = absl::StripAsciiWhitespace(v);
      v = absl::StripSuffix(v, " kB");
      uint64_t kb = 0;
      if (absl::SimpleAtoi(v, &kb)) return kb * 1024;
    }
  }
  return 0;
}

void ResetPeakMemory() {
  // "5" resets the peak resident set size (Linux 4.0 and later).
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

absl::StatusOr<RandomAccessFile> RandomAccessFile::Open(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    absl::Status s = Errno("stat", path);
    ::close(fd);
    return s;
  }
  return RandomAccessFile(path, fd, static_cast<uint64_t>(st.st_size));
}

RandomAccessFile::RandomAccessFile(RandomAccessFile&& o) noexcept
    : path_(std::move(o.path_)), fd_(o.fd_), size_(o.size_) {
  o.fd_ = -1;
}

RandomAccessFile& RandomAccessFile::operator=(RandomAccessFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    size_ = o.size_;
    o.fd_ = -1;
  }
  return *this;
}

RandomAccessFile::~RandomAccessFile() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status RandomAccessFile::ReadAt(uint64_t offset, size_t n,
                                      void* out) const {
  char* p = static_cast<char*>(out);
  while (n > 0) {
    const ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno("read", path_);
    }
    if (r == 0) {
      return absl::DataLossError(
          absl::StrCat(path_, " is shorter than expected (offset ", offset,
                       "): the audit directory is damaged"));
    }
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return absl::OkStatus();
}

std::string TemporaryName(const std::string& path) {
  // Host, process and a random start: processes of one id on two machines
  // (containers) writing one shared directory still differ.
  static const std::string* const self = [] {
    char host[256] = {0};
    if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
    std::random_device random;
    return new std::string(absl::StrCat(host, ".", ::getpid(), ".",
                                        absl::Hex(random(), absl::kZeroPad8)));
  }();
  static std::atomic<uint64_t> next{0};
  return absl::StrCat(path, ".tmp.", *self, ".", next.fetch_add(1));
}

absl::StatusOr<FileWriter> FileWriter::Create(const std::string& path) {
  std::string tmp = TemporaryName(path);
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", tmp);
  return FileWriter(path, std::move(tmp), fd);
}

FileWriter::FileWriter(FileWriter&& o) noexcept
    : path_(std::move(o.path_)),
      tmp_(std::move(o.tmp_)),
      fd_(o.fd_),
      buf_(std::move(o.buf_)),
      size_(o.size_) {
  o.fd_ = -1;
}

FileWriter& FileWriter::operator=(FileWriter&& o) noexcept {
  if (this != &o) {
    Abandon();
    path_ = std::move(o.path_);
    tmp_ = std::move(o.tmp_);
    fd_ = o.fd_;
    buf_ = std::move(o.buf_);
    size_ = o.size_;
    o.fd_ = -1;
  }
  return *this;
}

FileWriter::~FileWriter() { Abandon(); }

void FileWriter::Abandon() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_.c_str());
}

absl::Status FileWriter::Append(const void* data, size_t n) {
  if (n == 0) return absl::OkStatus();
  buf_.append(static_cast<const char*>(data), n);
  size_ += n;
  if (buf_.size() >= kWriteBuffer) return Flush();
  return absl::OkStatus();
}

absl::Status FileWriter::Flush() {
  if (fd_ < 0) return absl::FailedPreconditionError("file is closed");
  absl::Status s = WriteAll(fd_, buf_.data(), buf_.size(), path_);
  buf_.clear();
  return s;
}

absl::Status FileWriter::Close() {
  if (fd_ < 0) return absl::OkStatus();
  absl::Status s = Flush();
  if (::close(fd_) != 0 && s.ok()) s = Errno("close", tmp_);
  fd_ = -1;
  if (s.ok() && std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    s = Errno("rename to", path_);
  }
  if (!s.ok()) ::unlink(tmp_.c_str());
  return s;
}

absl::StatusOr<MappedWords> MappedWords::Map(const std::string& path, int fd,
                                             size_t bytes, bool writable) {
  MappedWords m;
  m.path_ = path;
  m.bytes_ = std::max<size_t>(bytes, 4);  // mmap takes no empty mapping
  void* p = ::mmap(nullptr, m.bytes_, PROT_READ | (writable ? PROT_WRITE : 0),
                   MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return Errno("map", path);
  m.data_ = static_cast<uint32_t*>(p);
  return m;
}

absl::StatusOr<MappedWords> MappedWords::Create(const std::string& path,
                                                uint64_t n) {
  const int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", path);
  const size_t bytes = std::max<size_t>(n * 4, 4);
  if (::ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
    absl::Status s = Errno("size", path);
    ::close(fd);
    return s;
  }
  return Map(path, fd, bytes, true);
}

absl::StatusOr<MappedWords> MappedWords::Open(const std::string& path,
                                              uint64_t n) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < n * 4) {
    ::close(fd);
    return absl::DataLossError(absl::StrCat(path, " holds fewer than ", n,
                                            " values: the audit directory is "
                                            "damaged"));
  }
  return Map(path, fd, static_cast<size_t>(st.st_size), false);
}

MappedWords::MappedWords(MappedWords&& o) noexcept
    : path_(std::move(o.path_)),
      data_(std::exchange(o.data_, nullptr)),
      bytes_(o.bytes_) {}

MappedWords::~MappedWords() {
  if (data_ != nullptr) ::munmap(data_, bytes_);
}

absl::Status MappedWords::Sync() const {
  if (::msync(data_, bytes_, MS_SYNC) != 0) return Errno("write", path_);
  return absl::OkStatus();
}

}  // namespace neardup::audit
