// Traditional -> Simplified Chinese folding of single characters, so that
// the same text in either script gives the same tokens.
//
// The table comes from OpenCC's t2s conversion (Debian's libopencc, data in
// /usr/share/opencc), applied to every Han code point on its own, and is
// built once, on first use (about 0.1 s). Character by character, so that
// every token keeps its own offsets; context-dependent phrase choices of
// OpenCC (rare, e.g. 乾 in 乾淨 vs 乾隆) take the default.

#ifndef NEARDUP_SERVICE_TEXT_FOLD_H_
#define NEARDUP_SERVICE_TEXT_FOLD_H_

#include "absl/status/status.h"

namespace neardup::text {

// Loads the folding table if it is not loaded yet. Returns FAILED_PRECONDITION
// if OpenCC or its t2s data cannot be loaded. Thread-safe.
absl::Status LoadTraditionalFolding();

// Returns the Simplified form of `cp`, or `cp` itself when it has none
// (or is no Traditional character). REQUIRES: LoadTraditionalFolding() OK.
char32_t FoldTraditional(char32_t cp);

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_FOLD_H_
