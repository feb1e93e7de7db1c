// The `neardup` command-line interface, as a library so tests can run it
// in-process as well as through the binary.
//
//   neardup [--server ADDR] [--json] [--timeout SECONDS] COMMAND ...
//
// Exit status: 0 on success, 1 when the server (or a file) reports an
// error, with the message on stderr, 2 on a usage error. See Usage() for
// the commands.

#ifndef NEARDUP_CLIENT_CLI_H_
#define NEARDUP_CLIENT_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace neardup::client {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Returns the help text.
std::string Usage();

// Runs one CLI invocation. `args` excludes the program name. Normal output
// goes to `out` (with --json: exactly one JSON object and a newline);
// errors and usage messages go to `err`. Returns the exit status.
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err);

}  // namespace neardup::client

#endif  // NEARDUP_CLIENT_CLI_H_
