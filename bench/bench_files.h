// Small helpers shared by the benchmark programs.

#ifndef NEARDUP_BENCH_BENCH_FILES_H_
#define NEARDUP_BENCH_BENCH_FILES_H_

#include <fstream>
#include <iterator>
#include <string>

namespace neardup::bench {

// Returns the whole file at `path`, or "" if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

// Returns `relative` as a path under the repository root.
inline std::string Source(const std::string& relative) {
  return std::string(NEARDUP_SOURCE_DIR) + "/" + relative;
}

}  // namespace neardup::bench

#endif  // NEARDUP_BENCH_BENCH_FILES_H_
