// The release of this build: the project version in the top-level
// CMakeLists.txt, passed to every file as NEARDUP_VERSION.
//
// Example:
//   std::printf("neardupd %s\n", neardup::kVersion);

#ifndef NEARDUP_SERVICE_COMMON_VERSION_H_
#define NEARDUP_SERVICE_COMMON_VERSION_H_

#ifndef NEARDUP_VERSION
#error "NEARDUP_VERSION is defined by the top-level CMakeLists.txt"
#endif

namespace neardup {

inline constexpr char kVersion[] = NEARDUP_VERSION;

}  // namespace neardup

#endif  // NEARDUP_SERVICE_COMMON_VERSION_H_
