// Small text formats the outputs people and programs read share: JSON
// string literals and numbers with thousands separators.

#ifndef NEARDUP_SERVICE_REPORT_TEXT_FORMAT_H_
#define NEARDUP_SERVICE_REPORT_TEXT_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace neardup::report {

// Returns `raw` as a JSON string literal, quotes included; bytes that are
// not UTF-8 become U+FFFD, control characters are escaped.
std::string JsonString(std::string_view raw);

// Returns `n` in decimal with a comma every three digits: "1,234,567".
std::string WithCommas(uint64_t n);

}  // namespace neardup::report

#endif  // NEARDUP_SERVICE_REPORT_TEXT_FORMAT_H_
