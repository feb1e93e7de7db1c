// Bearer tokens and what each may do: the server's access rules.
//
// A token file has one token per line:
//
//   # name     token                              grants
//   crawler    7f3c0a9e41b2d58e6a1f0c93b7d2e4a5   write:pages read:*
//   editors    d41d8cd98f00b204e9800998ecf8427e   read:news-*
//   ops        0c2f6b1e9a7d4c3b8e5f1a2d6c9b0e7f   admin:*
//
// A grant is SCOPE:COLLECTIONS. The scopes are read (Check, Get, Search,
// GetCollection, Audit, and seeing the collection in ListCollections),
// write (read, plus Add, CheckAndAdd, CheckAndAddBatch, Delete, Import)
// and admin (write, plus CreateCollection and DropCollection). COLLECTIONS
// is a name, a prefix ending in '*' ("news-*"), or '*' for all. Repeats
// and Compare touch no collection: any known token may call them. Names
// are for logs; tokens are at least 16 characters of [A-Za-z0-9._~+/=-]
// and unique.
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(TokenTable table, TokenTable::Load(path));
//   const Principal* who = table.Find(token);
//   if (who == nullptr || !who->Allows("pages", Scope::kWrite)) { ... }
//
// Immutable after loading, so thread-safe.

#ifndef NEARDUP_SERVICE_AUTH_TOKENS_H_
#define NEARDUP_SERVICE_AUTH_TOKENS_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace neardup::auth {

// Each scope includes the ones before it.
enum class Scope { kRead = 1, kWrite = 2, kAdmin = 3 };

// "read", "write", "admin".
const char* ScopeName(Scope scope);

struct Grant {
  Scope scope = Scope::kRead;
  std::string collections;  // a name, "prefix*" or "*"
};

struct Principal {
  std::string name;
  std::vector<Grant> grants;

  // True if a grant of `scope` or more covers `collection`.
  bool Allows(std::string_view collection, Scope scope) const;
};

class TokenTable {
 public:
  // Parses a token file's text. INVALID_ARGUMENT naming the line for a
  // malformed line, an unknown scope, a short or repeated token.
  static absl::StatusOr<TokenTable> Parse(std::string_view text);
  // Reads and parses `path`: NOT_FOUND if it cannot be read.
  static absl::StatusOr<TokenTable> Load(const std::string& path);

  // Returns who holds `token`, or null for an unknown token.
  const Principal* Find(std::string_view token) const;

  size_t size() const { return principals_.size(); }

 private:
  std::unordered_map<std::string, Principal> principals_;  // by token
};

}  // namespace neardup::auth

#endif  // NEARDUP_SERVICE_AUTH_TOKENS_H_
