// WARC (ISO 28500, versions 1.0 and 1.1) records and the HTTP responses
// inside them: the parts of the format a corpus reader needs.
//
// A record is a version line ("WARC/1.1"), named fields up to a blank
// line, a block of exactly Content-Length bytes, and two line breaks. A
// response record's block is the HTTP response as received: status line,
// headers, body (possibly chunked, possibly gzip- or deflate-encoded).

#ifndef NEARDUP_SERVICE_CORPUS_WARC_H_
#define NEARDUP_SERVICE_CORPUS_WARC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "service/corpus/stream.h"

namespace neardup::corpus {

struct WarcRecord {
  uint64_t offset = 0;       // of its version line in the data
  std::string type;          // WARC-Type, lower case ("response")
  std::string target_uri;    // WARC-Target-URI, without <>
  std::string content_type;  // Content-Type of the block
  std::string block;
  // The block was longer than the limit: skipped, `block` is empty.
  bool oversized = false;
  uint64_t length = 0;  // Content-Length
};

// Reads the record that starts at the next non-blank line of `in`: true,
// or false at the end of the data. DATA_LOSS naming the file, `number`
// (the record's, from 1) and the byte offset when the data is not a WARC
// record there (a wrong Content-Length of the record before shows up so)
// or a block runs past the end of the file. A block over `max_block`
// bytes is skipped, not read (`oversized`).
absl::StatusOr<bool> ReadWarcRecord(LineReader* in, uint64_t number,
                                    uint64_t max_block, WarcRecord* record);

// Splits a Content-Type value into its lower-case media type and its
// charset parameter (unquoted; "" if none).
void ParseContentType(std::string_view value, std::string* media_type,
                      std::string* charset);

struct HttpResponse {
  int status = 0;
  std::string media_type;  // lower case, "" if no Content-Type
  std::string charset;
  std::string body;  // de-chunked and decompressed
};

// Parses an HTTP/1.x response. INVALID_ARGUMENT naming what is wrong: no
// status line, bad chunked encoding, a body that does not inflate, or a
// Content-Encoding other than gzip, deflate or identity.
absl::StatusOr<HttpResponse> ParseHttpResponse(std::string_view block,
                                               size_t max_body_bytes);

}  // namespace neardup::corpus

#endif  // NEARDUP_SERVICE_CORPUS_WARC_H_
