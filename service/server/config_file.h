// neardupd's configuration file: TOML (toml++, Debian's
// libtomlplusplus-dev) whose keys are the names of neardupd's flags, at
// the top level, with values of the flag's type. A flag given on the
// command line overrides the file.
//
//   # /etc/neardup/neardupd.toml
//   db = "/var/lib/neardup/data"
//   listen = "0.0.0.0:50051"
//   token_file = "/etc/neardup/tokens"
//   metrics_listen = "127.0.0.1:9464"
//   threads = 4
//   sync = true
//
// Example:
//   absl::ParseCommandLine(argc, argv);
//   NEARDUP_RETURN_IF_ERROR(ApplyConfigFile(path, FlagsGiven(argc, argv)));

#ifndef NEARDUP_SERVICE_SERVER_CONFIG_FILE_H_
#define NEARDUP_SERVICE_SERVER_CONFIG_FILE_H_

#include <set>
#include <string>

#include "absl/status/status.h"

namespace neardup::server {

// The names of the flags on a command line ("--db=x", "--db x", "--sync",
// "--nosync" all name their flag).
std::set<std::string> FlagsGiven(int argc, char** argv);

// Sets every flag the TOML file at `path` names, except those in `given`.
// INVALID_ARGUMENT naming the file and the key for a syntax error, a key
// that is no flag, a table or array, or a value the flag does not accept
// (a string for a number...); NOT_FOUND if the file cannot be read.
absl::Status ApplyConfigFile(const std::string& path,
                             const std::set<std::string>& given);

}  // namespace neardup::server

#endif  // NEARDUP_SERVICE_SERVER_CONFIG_FILE_H_
