#include "service/server/config_file.h"

#include <filesystem>
#include <string_view>
#include <system_error>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "toml++/toml.h"

namespace neardup::server {
namespace {

// The value of `node` as a flag would be written, or false for a table,
// an array or a date.
bool AsFlagText(const toml::node& node, std::string* out) {
  if (auto s = node.value_exact<std::string>()) {
    *out = *s;
  } else if (auto b = node.value_exact<bool>()) {
    *out = *b ? "true" : "false";
  } else if (auto i = node.value_exact<int64_t>()) {
    *out = absl::StrCat(*i);
  } else if (auto d = node.value_exact<double>()) {
    *out = absl::StrCat(*d);
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::set<std::string> FlagsGiven(int argc, char** argv) {
  std::set<std::string> given;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-') continue;
    a.remove_prefix(a[1] == '-' ? 2 : 1);
    a = a.substr(0, a.find('='));
    given.emplace(a);
    if (a.substr(0, 2) == "no") given.emplace(a.substr(2));
  }
  return given;
}

absl::Status ApplyConfigFile(const std::string& path,
                             const std::set<std::string>& given) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the configuration file ", path));
  }
  // Debian's toml++ reports syntax errors as exceptions.
  toml::table parsed;
  try {
    parsed = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ":", e.source().begin.line, ": ", std::string(e.description())));
  }
  for (const auto& [key, node] : parsed) {
    const std::string name(key.str());
    if (name == "config") {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": a configuration file cannot name another"));
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", name,
                       " is not a neardupd flag (neardupd --help lists them)"));
    }
    if (given.count(name) > 0) continue;  // the command line wins
    std::string text;
    if (!AsFlagText(node, &text)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": ", name, " must be a string, number or boolean"));
    }
    std::string error;
    if (!flag->ParseFrom(text, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", name, ": ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace neardup::server
