// Files of an audit directory: whole-file and positional reads and writes
// with errors that name the file, buffered sequential readers and writers
// of fixed-size records, atomic replacement (write, then rename), and the
// peak memory of the process.
//
// Records are written in the machine's byte order: an audit directory is
// read back by the program that wrote it, not carried between machines.

#ifndef NEARDUP_SERVICE_AUDIT_FILES_H_
#define NEARDUP_SERVICE_AUDIT_FILES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace neardup::audit {

// Writes `data` to `path` through a temporary file of its own and a
// rename (FileWriter), so that `path` holds either its old content or all
// of `data`.
absl::Status WriteFileAtomically(const std::string& path,
                                 std::string_view data);

// A name beside `path` that no other writer uses:
// PATH.tmp.HOST.PID.RANDOM.N.
std::string TemporaryName(const std::string& path);

// Returns the content of `path`; NOT_FOUND if it does not exist.
absl::StatusOr<std::string> ReadFile(const std::string& path);

bool FileExists(const std::string& path);

// Removes `path` and everything under it; OK if it does not exist.
absl::Status RemoveAll(const std::string& path);

// Creates directory `path` and its parents.
absl::Status MakeDirs(const std::string& path);

// The process's peak resident memory since the last ResetPeakMemory, in
// bytes (VmHWM; 0 where /proc does not say).
uint64_t PeakMemoryBytes();
// Starts a new peak (Linux: /proc/self/clear_refs); harmless where absent.
void ResetPeakMemory();

// A file opened for positional reads.
class RandomAccessFile {
 public:
  static absl::StatusOr<RandomAccessFile> Open(const std::string& path);
  RandomAccessFile() = default;  // not open: size 0, reads fail
  RandomAccessFile(RandomAccessFile&& o) noexcept;
  RandomAccessFile& operator=(RandomAccessFile&& o) noexcept;
  ~RandomAccessFile();
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  // Reads exactly `n` bytes at `offset`; DATA_LOSS if the file is shorter.
  absl::Status ReadAt(uint64_t offset, size_t n, void* out) const;
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  RandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// A file of uint32 values mapped into memory: created (and sized) for
// writing, or opened for reading. Writes reach the file by Sync (or when
// the mapping goes). Large arrays the page cache can hold for a task that
// need not (component labels).
class MappedWords {
 public:
  // Creates (or truncates) `path` to `n` values, writable.
  static absl::StatusOr<MappedWords> Create(const std::string& path,
                                            uint64_t n);
  // Opens `path`, which must hold at least `n` values, read-only;
  // DATA_LOSS if it is shorter.
  static absl::StatusOr<MappedWords> Open(const std::string& path, uint64_t n);
  MappedWords() = default;
  MappedWords(MappedWords&& o) noexcept;
  MappedWords& operator=(MappedWords&&) = delete;
  ~MappedWords();

  uint32_t operator[](uint64_t i) const { return data_[i]; }
  uint32_t* data() { return data_; }  // writable only when created
  absl::Status Sync() const;

 private:
  static absl::StatusOr<MappedWords> Map(const std::string& path, int fd,
                                         size_t bytes, bool writable);
  std::string path_;
  uint32_t* data_ = nullptr;
  size_t bytes_ = 0;
};

// Writes a new file through a buffer, under a temporary name of its own
// (TemporaryName) until Close renames it to PATH: PATH holds either what
// it held or everything written, even when two processes write it at
// once (a task run twice) or one dies midway. Destroyed before Close, the
// writer removes its temporary file and PATH is unchanged.
class FileWriter {
 public:
  static absl::StatusOr<FileWriter> Create(const std::string& path);
  FileWriter(FileWriter&& o) noexcept;
  FileWriter& operator=(FileWriter&& o) noexcept;
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  absl::Status Append(const void* data, size_t n);
  absl::Status Append(std::string_view s) { return Append(s.data(), s.size()); }
  template <typename T>
  absl::Status AppendRecord(const T& r) {
    static_assert(std::is_trivially_copyable_v<T>);
    return Append(&r, sizeof(T));
  }
  // Bytes appended so far.
  uint64_t size() const { return size_; }
  // Flushes and renames the file to its path.
  absl::Status Close();

 private:
  FileWriter(std::string path, std::string tmp, int fd)
      : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd) {}
  absl::Status Flush();
  void Abandon();  // closes and removes the temporary file, if open
  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  std::string buf_;
  uint64_t size_ = 0;
};

// Reads fixed-size records of type T from [begin, end) of a file, in
// order, through a buffer.
template <typename T>
class RecordReader {
 public:
  static_assert(std::is_trivially_copyable_v<T>);
  RecordReader(const RandomAccessFile* file, uint64_t begin, uint64_t end,
               size_t buffer_records = 4096)
      : file_(file), pos_(begin), end_(end), cap_(buffer_records) {}

  // Reads the next record into `r`: true, or false at the end.
  absl::StatusOr<bool> Next(T* r) {
    if (i_ == buf_.size()) {
      const uint64_t left = (end_ - pos_) / sizeof(T);
      if (left == 0) return false;
      buf_.resize(std::min<uint64_t>(left, cap_));
      absl::Status s =
          file_->ReadAt(pos_, buf_.size() * sizeof(T), buf_.data());
      if (!s.ok()) return s;
      pos_ += buf_.size() * sizeof(T);
      i_ = 0;
    }
    *r = buf_[i_++];
    return true;
  }

 private:
  const RandomAccessFile* file_;
  uint64_t pos_, end_;
  size_t cap_;
  std::vector<T> buf_;
  size_t i_ = 0;
};

// Writes `v` as the whole content of `path` (atomically).
template <typename T>
absl::Status WriteVector(const std::string& path, const std::vector<T>& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  return WriteFileAtomically(
      path, std::string_view(reinterpret_cast<const char*>(v.data()),
                             v.size() * sizeof(T)));
}

// Reads a file of records of type T; DATA_LOSS if its size is not a
// multiple of sizeof(T).
template <typename T>
absl::StatusOr<std::vector<T>> ReadVector(const std::string& path) {
  static_assert(std::is_trivially_copyable_v<T>);
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() % sizeof(T) != 0) {
    return absl::DataLossError(path +
                               ": size is not a whole number of records");
  }
  std::vector<T> v(bytes->size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), bytes->data(), bytes->size());
  return v;
}

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_FILES_H_
