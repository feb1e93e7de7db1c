// The CLI's command-line arguments: positional arguments, options with
// values ("--top-k 5", "--top-k=5", "-c NAME") and flags ("--json"),
// checked against the options each command accepts.

#ifndef NEARDUP_CLIENT_ARGS_H_
#define NEARDUP_CLIENT_ARGS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace neardup::client {

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;
  std::set<std::string> flags;

  bool Flag(const std::string& name) const { return flags.count(name) > 0; }
  bool Has(const std::string& name) const { return values.count(name) > 0; }
  // Returns the last value of option `name`, or `fallback`.
  std::string Value(const std::string& name,
                    const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second.back();
  }
};

// Parses `argv` (without the program name). INVALID_ARGUMENT for an
// unknown option, a flag given a value, or an option without one.
absl::StatusOr<Args> Parse(const std::vector<std::string>& argv);

// OK if only options in `allowed` (and the global ones: server, json,
// timeout, help) are given; INVALID_ARGUMENT naming the first other.
absl::Status AllowOnly(const Args& args, const std::string& command,
                       std::set<std::string> allowed);

// Parses option `name`'s value `s`; INVALID_ARGUMENT naming the option.
absl::StatusOr<double> ParseDouble(const std::string& name,
                                   const std::string& s);
absl::StatusOr<uint32_t> ParseUint(const std::string& name,
                                   const std::string& s);
// A size in bytes: digits with an optional K, M, G or T (powers of 1024),
// "1.5G" allowed.
absl::StatusOr<uint64_t> ParseBytes(const std::string& name,
                                    const std::string& s);

}  // namespace neardup::client

#endif  // NEARDUP_CLIENT_ARGS_H_
