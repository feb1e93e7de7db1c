// Process-wide resource limits.
//
// Example:
//   const uint64_t files = RaiseOpenFileLimit();  // at start, before serving
//
// Thread-safe (the kernel serialises the calls); meant for start-up.

#ifndef NEARDUP_SERVICE_COMMON_PROCESS_LIMITS_H_
#define NEARDUP_SERVICE_COMMON_PROCESS_LIMITS_H_

#include <cstdint>

namespace neardup {

// Raises this process's soft limit of open files to its hard limit (best
// effort) and returns the soft limit in force afterwards. A server whose
// connections, RocksDB table files and audit chunks share the default
// 1,024 descriptors runs out of them long before it runs out of anything
// else: gRPC then stops accepting connections until the process restarts.
uint64_t RaiseOpenFileLimit();

// Returns the soft limit of open files.
uint64_t OpenFileLimit();

// Returns how many file descriptors this process has open (entries of
// /proc/self/fd), or 0 if that cannot be read.
uint64_t OpenFileCount();

}  // namespace neardup

#endif  // NEARDUP_SERVICE_COMMON_PROCESS_LIMITS_H_
