#include "service/corpus/warc.h"

#include <zlib.h>

#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/common/status_macros.h"

namespace neardup::corpus {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Splits "Name: value" into a lower-case name and a trimmed value; false
// if the line has no colon.
bool SplitField(std::string_view line, std::string* name, std::string* value) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  *name = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(AbslView(line.substr(0, colon))));
  *value =
      std::string(absl::StripAsciiWhitespace(AbslView(line.substr(colon + 1))));
  return true;
}

// Up to 40 bytes of `s`, printable, for an error message.
std::string Excerpt(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

// Inflates gzip, zlib or raw deflate data.
absl::StatusOr<std::string> Inflate(std::string_view data, bool raw,
                                    size_t max_bytes) {
  z_stream z;
  std::memset(&z, 0, sizeof(z));
  if (inflateInit2(&z, raw ? -MAX_WBITS : 32 + MAX_WBITS) != Z_OK) {
    return absl::InternalError("zlib initialisation failed");
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[1 << 16];
  int r = Z_OK;
  while (r == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&z);
      return absl::InvalidArgumentError(
          absl::StrCat("body inflates to more than ", max_bytes, " bytes"));
    }
    if (r == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated: keep it
  }
  inflateEnd(&z);
  if (r != Z_STREAM_END && r != Z_BUF_ERROR) {
    return absl::InvalidArgumentError("body does not inflate");
  }
  return out;
}

// Decodes a chunked HTTP body.
absl::StatusOr<std::string> Dechunk(std::string_view body) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t eol = body.find('\n', pos);
    if (eol == std::string_view::npos) {
      return absl::InvalidArgumentError("chunked body without a last chunk");
    }
    std::string_view size_line = body.substr(pos, eol - pos);
    size_line = size_line.substr(0, size_line.find(';'));
    uint64_t size = 0;
    if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(AbslView(size_line)),
                             &size)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad chunk size \"", Excerpt(size_line), "\" in chunked body"));
    }
    pos = eol + 1;
    if (size == 0) return out;
    if (size > body.size() - pos) {
      return absl::InvalidArgumentError("chunk runs past the end of the body");
    }
    out.append(body.substr(pos, size));
    pos += size;
    if (pos < body.size() && body[pos] == '\r') ++pos;
    if (pos < body.size() && body[pos] == '\n') ++pos;
  }
}

}  // namespace

void ParseContentType(std::string_view value, std::string* media_type,
                      std::string* charset) {
  const size_t semi = value.find(';');
  *media_type = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(AbslView(value.substr(0, semi))));
  charset->clear();
  if (semi == std::string_view::npos) return;
  const std::string_view params = value.substr(semi + 1);
  // Lower-casing keeps positions: find the name there, take the value
  // from the original.
  const size_t at = absl::AsciiStrToLower(AbslView(params)).find("charset=");
  if (at == std::string::npos) return;
  std::string_view c = params.substr(at + 8);
  c = c.substr(0, c.find_first_of("; "));
  if (c.size() >= 2 && c.front() == '"' && c.back() == '"') {
    c = c.substr(1, c.size() - 2);
  }
  *charset = std::string(c);
}

absl::StatusOr<bool> ReadWarcRecord(LineReader* in, uint64_t number,
                                    uint64_t max_block, WarcRecord* record) {
  std::string line;
  uint64_t offset;
  do {
    offset = in->position();
    NEARDUP_ASSIGN_OR_RETURN(bool more, in->ReadLine(&line));
    if (!more) return false;
  } while (absl::StripAsciiWhitespace(line).empty());
  const std::string where =
      absl::StrCat(in->path(), ": record ", number, " at byte offset ", offset);
  if (!absl::StartsWith(line, "WARC/")) {
    return absl::DataLossError(absl::StrCat(
        where, ": expected a WARC version line (\"WARC/1.1\"), found \"",
        Excerpt(line),
        "\" (the Content-Length of the record before is wrong, or this is "
        "not a WARC file)"));
  }
  *record = WarcRecord();
  record->offset = offset;
  std::string name, value;
  int64_t length = -1;
  while (true) {
    NEARDUP_ASSIGN_OR_RETURN(bool more, in->ReadLine(&line));
    if (!more) {
      return absl::DataLossError(
          absl::StrCat(where, ": the file ends inside the record's header"));
    }
    if (line.empty()) break;
    if (!SplitField(line, &name, &value)) continue;  // lenient: not a field
    if (name == "warc-type") {
      record->type = absl::AsciiStrToLower(value);
    } else if (name == "warc-target-uri") {
      record->target_uri =
          std::string(absl::StripSuffix(absl::StripPrefix(value, "<"), ">"));
    } else if (name == "content-type") {
      record->content_type = value;
    } else if (name == "content-length") {
      if (!absl::SimpleAtoi(value, &length) || length < 0) {
        return absl::DataLossError(absl::StrCat(
            where, ": bad Content-Length \"", Excerpt(value), "\""));
      }
    }
  }
  if (length < 0) {
    return absl::DataLossError(
        absl::StrCat(where, ": the record has no Content-Length"));
  }
  record->length = static_cast<uint64_t>(length);
  bool whole;
  if (record->length > max_block) {
    // Not held in memory: a wrong Content-Length could be the rest of a
    // huge file.
    record->oversized = true;
    NEARDUP_ASSIGN_OR_RETURN(whole, in->Discard(record->length));
  } else {
    NEARDUP_ASSIGN_OR_RETURN(
        whole, in->ReadExact(static_cast<size_t>(length), &record->block));
  }
  if (!whole) {
    return absl::DataLossError(absl::StrCat(
        where, ": Content-Length ", length, " runs past the end of the file (",
        record->block.size(), " bytes left)"));
  }
  return true;
}

absl::StatusOr<HttpResponse> ParseHttpResponse(std::string_view block,
                                               size_t max_body_bytes) {
  HttpResponse r;
  size_t pos = block.find('\n');
  std::string_view status_line = block.substr(0, pos);
  if (!absl::StartsWith(AbslView(status_line), "HTTP/") ||
      pos == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("no HTTP status line: \"", Excerpt(status_line), "\""));
  }
  const size_t space = status_line.find(' ');
  if (space == std::string_view::npos ||
      !absl::SimpleAtoi(AbslView(status_line.substr(space + 1, 3)),
                        &r.status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad HTTP status line: \"", Excerpt(status_line), "\""));
  }
  bool chunked = false;
  std::string encoding;
  std::string name, value;
  ++pos;
  while (pos < block.size()) {
    size_t eol = block.find('\n', pos);
    if (eol == std::string_view::npos) eol = block.size();
    std::string_view line = block.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = std::min(eol + 1, block.size());
    if (line.empty()) break;
    if (!SplitField(line, &name, &value)) continue;
    if (name == "content-type") {
      ParseContentType(value, &r.media_type, &r.charset);
    } else if (name == "transfer-encoding") {
      chunked = absl::StrContains(absl::AsciiStrToLower(value), "chunked");
    } else if (name == "content-encoding") {
      encoding = absl::AsciiStrToLower(value);
    }
  }
  std::string body(block.substr(pos));
  if (chunked) {
    NEARDUP_ASSIGN_OR_RETURN(body, Dechunk(body));
  }
  if (encoding == "gzip" || encoding == "x-gzip") {
    NEARDUP_ASSIGN_OR_RETURN(body, Inflate(body, false, max_body_bytes));
  } else if (encoding == "deflate") {
    absl::StatusOr<std::string> z = Inflate(body, false, max_body_bytes);
    if (!z.ok()) z = Inflate(body, true, max_body_bytes);
    NEARDUP_ASSIGN_OR_RETURN(body, std::move(z));
  } else if (!encoding.empty() && encoding != "identity") {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported Content-Encoding: ", encoding));
  }
  r.body = std::move(body);
  return r;
}

}  // namespace neardup::corpus
