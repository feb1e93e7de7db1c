#include "service/api/grpc_status.h"

namespace neardup::api {
namespace {

// Characters that end a path inside a message.
bool EndsPath(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\'' || c == '"' ||
         c == ',' || c == ';' || c == ')' || c == ']';
}

}  // namespace

std::string RedactPaths(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  size_t i = 0;
  while (i < message.size()) {
    const bool starts_word = i == 0 || EndsPath(message[i - 1]) ||
                             message[i - 1] == ':' || message[i - 1] == '(' ||
                             message[i - 1] == '[' || message[i - 1] == '=';
    if (message[i] != '/' || !starts_word) {
      out.push_back(message[i++]);
      continue;
    }
    size_t end = i;
    while (end < message.size() && !EndsPath(message[end])) ++end;
    // A trailing ':' belongs to the sentence ("file /a/b: error").
    size_t stop = end;
    while (stop > i + 1 && message[stop - 1] == ':') --stop;
    const std::string_view word = message.substr(i, stop - i);
    const size_t last = word.rfind('/');
    if (last == 0) {  // "/x": one component, not a path to hide
      out.append(word);
    } else if (last + 1 == word.size()) {  // a directory: "/a/b/"
      const size_t before = word.rfind('/', last - 1);
      out.append(word.substr(before + 1));
    } else {
      out.append(word.substr(last + 1));
    }
    out.append(message.substr(stop, end - stop));
    i = end;
  }
  return out;
}

}  // namespace neardup::api
