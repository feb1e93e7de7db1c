#include "service/common/process_limits.h"

#include <dirent.h>
#include <sys/resource.h>

namespace neardup {

uint64_t RaiseOpenFileLimit() {
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);  // best effort: the old limit may do
  }
  return OpenFileLimit();
}

uint64_t OpenFileLimit() {
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
  return static_cast<uint64_t>(r.rlim_cur);
}

uint64_t OpenFileCount() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  uint64_t n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n > 0 ? n - 1 : 0;  // not the directory's own descriptor
}

}  // namespace neardup
