#include "client/args.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace neardup::client {
namespace {

// Options that take a value; everything else starting with "--" is a flag.
const std::set<std::string>& ValueOptions() {
  static const auto* options = new std::set<std::string>{"server",
                                                         "etcd",
                                                         "group",
                                                         "collection",
                                                         "id",
                                                         "threshold",
                                                         "top-k",
                                                         "num-perm",
                                                         "word-shingle",
                                                         "char-shingle",
                                                         "meta",
                                                         "timeout",
                                                         "token-file",
                                                         "tls-ca",
                                                         "tls-cert",
                                                         "tls-key",
                                                         "content-type",
                                                         "charset",
                                                         "simhash-distance",
                                                         "html",
                                                         "passage-max-docs",
                                                         "out",
                                                         "threads",
                                                         "memory-limit",
                                                         "keep",
                                                         "id-field",
                                                         "text-field",
                                                         "progress",
                                                         "batch"};
  return *options;
}
const std::set<std::string>& FlagOptions() {
  static const auto* flags =
      new std::set<std::string>{"json",        "add",
                                "upsert",      "help",
                                "version",     "tls",
                                "verify",      "lenient",
                                "whole-page",  "no-fold-traditional",
                                "sync",        "collapsed",
                                "passages",    "keep-repeats",
                                "containment", "exact",
                                "components",  "skip-bad",
                                "quiet",       "survivors-only",
                                "fingerprint"};
  return *flags;
}

}  // namespace

absl::StatusOr<Args> Parse(const std::vector<std::string>& argv) {
  Args args;
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a == "-" || a.size() < 2 || a[0] != '-') {
      args.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string name, value;
    bool has_value = false;
    if (a == "-c") {
      name = "collection";
    } else if (a == "-h") {
      name = "help";
    } else if (a.rfind("--", 0) == 0) {
      name = a.substr(2);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option: ", a));
    }
    if (FlagOptions().count(name)) {
      if (has_value) {
        return absl::InvalidArgumentError(
            absl::StrCat("option --", name, " takes no value"));
      }
      args.flags.insert(name);
    } else if (ValueOptions().count(name)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("option ", a, " needs a value"));
        }
        value = argv[++i];
      }
      args.values[name].push_back(value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option: ", a));
    }
  }
  return args;
}

absl::Status AllowOnly(const Args& args, const std::string& command,
                       std::set<std::string> allowed) {
  allowed.insert({"server", "etcd", "json", "timeout", "help", "version",
                  "token-file", "tls", "tls-ca", "tls-cert", "tls-key"});
  for (const auto& [name, v] : args.values) {
    if (!allowed.count(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("option --", name, " does not apply to ", command));
    }
  }
  for (const auto& name : args.flags) {
    if (!allowed.count(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("option --", name, " does not apply to ", command));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ParseDouble(const std::string& name,
                                   const std::string& s) {
  double v;
  if (!absl::SimpleAtod(s, &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " needs a number: ", s));
  }
  return v;
}

absl::StatusOr<uint32_t> ParseUint(const std::string& name,
                                   const std::string& s) {
  uint32_t v;
  if (!absl::SimpleAtoi(s, &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " needs a non-negative integer: ", s));
  }
  return v;
}

absl::StatusOr<uint64_t> ParseBytes(const std::string& name,
                                    const std::string& s) {
  std::string digits = s;
  double scale = 1;
  if (!digits.empty()) {
    const char unit = absl::ascii_toupper(digits.back());
    const double units[] = {1024.0, 1048576.0, 1073741824.0, 1099511627776.0};
    const char* const names = "KMGT";
    for (int i = 0; i < 4; ++i) {
      if (unit == names[i]) {
        scale = units[i];
        digits.pop_back();
      }
    }
  }
  double v;
  if (!absl::SimpleAtod(digits, &v) || !(v >= 0) || v * scale > 1e18) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " needs a size such as 512M or 2G: ", s));
  }
  return static_cast<uint64_t>(v * scale);
}

}  // namespace neardup::client
