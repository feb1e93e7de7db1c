#include "service/auth/tokens.h"

#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace neardup::auth {
namespace {

constexpr size_t kMinTokenBytes = 16;

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' ||
         c == '+' || c == '/' || c == '=' || c == '-';
}

absl::Status LineError(size_t line, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("token file line ", line, ": ",
                   absl::string_view(what.data(), what.size())));
}

}  // namespace

const char* ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kRead:
      return "read";
    case Scope::kWrite:
      return "write";
    case Scope::kAdmin:
      return "admin";
  }
  return "?";
}

bool Principal::Allows(std::string_view collection, Scope scope) const {
  const absl::string_view name(collection.data(), collection.size());
  for (const Grant& g : grants) {
    if (static_cast<int>(g.scope) < static_cast<int>(scope)) continue;
    if (g.collections == "*") return true;
    if (absl::EndsWith(g.collections, "*")) {
      const absl::string_view prefix(g.collections.data(),
                                     g.collections.size() - 1);
      if (absl::StartsWith(name, prefix)) return true;
    } else if (g.collections == name) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<TokenTable> TokenTable::Parse(std::string_view text) {
  TokenTable table;
  size_t number = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++number;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    if (fields.size() < 3) {
      return LineError(number, "expected NAME TOKEN SCOPE:COLLECTIONS...");
    }
    const std::string token(fields[1]);
    if (token.size() < kMinTokenBytes) {
      return LineError(
          number, absl::StrCat("the token of ", fields[0], " is shorter than ",
                               kMinTokenBytes, " characters"));
    }
    for (char c : token) {
      if (!IsTokenChar(c)) {
        return LineError(number, absl::StrCat("the token of ", fields[0],
                                              " has a character outside "
                                              "[A-Za-z0-9._~+/=-]"));
      }
    }
    Principal who;
    who.name = std::string(fields[0]);
    for (size_t i = 2; i < fields.size(); ++i) {
      const size_t colon = fields[i].find(':');
      if (colon == absl::string_view::npos || colon + 1 == fields[i].size()) {
        return LineError(number, absl::StrCat("grant ", fields[i],
                                              " is not SCOPE:COLLECTIONS"));
      }
      const absl::string_view scope = fields[i].substr(0, colon);
      Grant g;
      if (scope == "read") {
        g.scope = Scope::kRead;
      } else if (scope == "write") {
        g.scope = Scope::kWrite;
      } else if (scope == "admin") {
        g.scope = Scope::kAdmin;
      } else {
        return LineError(number, absl::StrCat("unknown scope ", scope,
                                              " (read, write or admin)"));
      }
      g.collections = std::string(fields[i].substr(colon + 1));
      who.grants.push_back(std::move(g));
    }
    if (!table.principals_.emplace(token, std::move(who)).second) {
      return LineError(number, "the same token appears twice");
    }
  }
  return table;
}

absl::StatusOr<TokenTable> TokenTable::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read token file ", path));
  }
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  absl::StatusOr<TokenTable> table = Parse(text);
  if (!table.ok()) {
    return absl::Status(table.status().code(),
                        absl::StrCat(path, ": ", table.status().message()));
  }
  return table;
}

const Principal* TokenTable::Find(std::string_view token) const {
  auto it = principals_.find(std::string(token));
  return it == principals_.end() ? nullptr : &it->second;
}

}  // namespace neardup::auth
