// Minimal leveled logging to stderr for the api/ and server/ layers
// (libraries return errors and do not log). Debian 12's Abseil has no
// absl/log. Each line: "<level> <UTC time> <file>:<line>] <message>", with
// control characters in the message escaped (\n, \x1b, ...), so text from
// clients cannot forge a line.
//
// Example:
//   NEARDUP_LOG(kInfo, absl::StrCat("listening on ", addr));
//
// Thread-safe: each line is written with a single write(2).

#ifndef NEARDUP_SERVICE_COMMON_LOGGING_H_
#define NEARDUP_SERVICE_COMMON_LOGGING_H_

#include <string>
#include <string_view>

namespace neardup {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Sets the lowest level that is printed. Default kInfo.
void SetMinLogLevel(LogLevel level);

// Returns true if `level` is printed.
bool LogEnabled(LogLevel level);

// Appends `message` to `out` with control characters escaped (\n, \r,
// \t, \xNN): a document id or client text with a newline in it cannot
// start a line of its own and pass for a line of the server's.
void AppendEscapedForLog(std::string_view message, std::string* out);

// Writes one log line. Prefer the NEARDUP_LOG macro.
void LogLine(LogLevel level, const char* file, int line,
             std::string_view message);

}  // namespace neardup

// Logs `message` (anything convertible to std::string_view) at
// LogLevel::`level`; the message is not evaluated when the level is off.
#define NEARDUP_LOG(level, message)                                      \
  do {                                                                   \
    if (::neardup::LogEnabled(::neardup::LogLevel::level)) {             \
      ::neardup::LogLine(::neardup::LogLevel::level, __FILE__, __LINE__, \
                         (message));                                     \
    }                                                                    \
  } while (0)

#endif  // NEARDUP_SERVICE_COMMON_LOGGING_H_
