// Reading a corpus: the documents of files, directories (recursively, in
// name order), JSON Lines (plain, .gz or .zst, or standard input) and WARC
// files (.warc, .warc.gz), mixed freely, in a fixed order.
//
//   a file               one document; its id is its path as given
//                        (a .gz or .zst file is decompressed first)
//   *.jsonl, *.ndjson    one JSON object per line: `id_field` (a string or
//   (.gz, .zst), "-"     an integer) and `text_field` (a string); blank
//                        lines are skipped
//   *.warc, *.warc.gz    response records (HTTP headers stripped, charset
//                        from their Content-Type, chunked and gzip bodies
//                        decoded, 2xx only) and resource records of HTML
//                        or plain text; id = WARC-Target-URI
//
// A document that cannot be read (a JSON line that is not an object or
// lacks a field, a WARC record without a target URI, an unreadable file)
// comes back with `problem` set, naming the file and line or offset: the
// caller decides whether that stops it. Damage that loses the thread of
// a file (truncated or corrupt compressed data, a WARC record whose
// Content-Length is wrong) is an error from Next; with `skip_bad` it ends
// that file instead, counted in problems().
//
// Example:
//   NEARDUP_ASSIGN_OR_RETURN(auto reader, Reader::Open({"crawl/"}, {}));
//   Document doc;
//   while (true) {
//     NEARDUP_ASSIGN_OR_RETURN(bool more, reader->Next(&doc));
//     if (!more) break;
//     if (!doc.problem.ok()) return doc.problem;
//     Use(doc.id, doc.content);
//   }
//
// Not thread-safe.

#ifndef NEARDUP_SERVICE_CORPUS_READER_H_
#define NEARDUP_SERVICE_CORPUS_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/corpus/stream.h"

namespace neardup::corpus {

enum class Format { kDocument, kJsonl, kWarc };

// One input file (or standard input) of a corpus.
struct Source {
  std::string path;  // as given, or as given joined with the path inside
                     // a directory; "-" for standard input
  Format format = Format::kDocument;
  Compression compression = Compression::kNone;
  uint64_t size = 0;  // bytes on disk; 0 for standard input
};

// The format a file's name announces (see the table above).
Format FormatOf(std::string_view path);

struct Document {
  std::string id;
  std::string content;     // bytes as found
  std::string media_type;  // "text/html", "text/plain", or "" (sniff)
  std::string charset;     // declared ("" : detect)
  uint32_t source = 0;     // index into Reader::sources()
  // Where it is: the byte offset of its line or record in the source's
  // (decompressed) data, and the line number (JSON Lines) or record
  // number (WARC), from 1; 0 for a file.
  uint64_t offset = 0;
  uint64_t line = 0;
  // Not OK if the document could not be read; the message names the place.
  absl::Status problem;
};

struct ReaderOptions {
  std::string id_field = "id";
  std::string text_field = "text";
  // Damage that ends a file is counted instead of returned.
  bool skip_bad = false;
  // Largest document; larger ones come back with a problem.
  size_t max_document_bytes = size_t{32} << 20;
};

class Reader {
 public:
  // Lists the sources of `inputs`. NOT_FOUND for a path that does not
  // exist, INVALID_ARGUMENT for a directory without files, no inputs, or
  // something that is neither file nor directory.
  static absl::StatusOr<std::unique_ptr<Reader>> Open(
      const std::vector<std::string>& inputs, const ReaderOptions& options);

  ~Reader();

  // Opens `source` for reading from the document whose line or record
  // starts at byte `offset` of its data, numbered `line` (as Document
  // gives them): Next then returns that document and those after it. A
  // plain file is sought; a compressed one is read up to `offset`.
  static absl::StatusOr<std::unique_ptr<Reader>> OpenAt(
      const Source& source, uint64_t offset, uint64_t line,
      const ReaderOptions& options);

  // A range of a corpus, as an audit signed in shards reads it: the
  // documents of sources[first] from byte `offset` of its data (the
  // document there numbered `line`; 0 and 0 for its start), through those
  // of sources[last] whose line or record starts before byte `end`
  // (UINT64_MAX: to its end). Documents keep their index in `sources`.
  struct Range {
    uint32_t first = 0;
    uint64_t offset = 0;
    uint64_t line = 0;
    uint32_t last = 0;
    uint64_t end = UINT64_MAX;
  };
  // INVALID_ARGUMENT for a range outside `sources`.
  static absl::StatusOr<std::unique_ptr<Reader>> OpenRange(
      std::vector<Source> sources, const Range& range,
      const ReaderOptions& options);

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  const std::vector<Source>& sources() const { return sources_; }

  // Reads the next document: true, or false after the last. With
  // `want_content` false, a file document's bytes are not read (resuming
  // past documents already processed). Errors: see the file comment.
  absl::StatusOr<bool> Next(Document* doc, bool want_content = true);

  // Files ended early by damage (with skip_bad), and what happened to the
  // first few.
  uint64_t problems() const { return problems_; }
  const std::vector<std::string>& problem_messages() const {
    return problem_messages_;
  }
  // WARC records that are not documents (requests, metadata, non-2xx
  // responses, images, scripts, ...): skipped without complaint.
  uint64_t ignored_records() const { return ignored_; }

  // Bytes read from the files so far, and their total (0 if unknown):
  // for progress.
  uint64_t bytes_read() const;
  uint64_t total_bytes() const { return total_bytes_; }

 private:
  Reader(std::vector<Source> sources, const ReaderOptions& options);

  // Reads the next document of the open JSON Lines or WARC source.
  absl::StatusOr<bool> NextJsonl(Document* doc);
  absl::StatusOr<bool> NextWarc(Document* doc);
  // Largest WARC block read: a document and room for HTTP headers.
  uint64_t MaxWarcBlock() const {
    return options_.max_document_bytes + (uint64_t{1} << 20);
  }

  std::vector<Source> sources_;
  const ReaderOptions options_;
  uint64_t total_bytes_ = 0;
  size_t next_source_ = 0;             // the source after the open one
  size_t stop_source_ = 0;             // sources from here on are not read
  uint64_t stop_offset_ = UINT64_MAX;  // in the last source read
  uint64_t start_offset_ = 0;          // in the first source read
  uint64_t start_line_ = 0;
  std::unique_ptr<LineReader> open_;  // JSON Lines or WARC being read
  uint64_t line_ = 0;                 // lines or records read of it
  uint64_t done_bytes_ = 0;           // bytes of sources finished
  uint64_t problems_ = 0;
  uint64_t ignored_ = 0;
  std::vector<std::string> problem_messages_;
  struct Parser;  // simdjson's parser, kept out of this header
  std::unique_ptr<Parser> parser_;
};

}  // namespace neardup::corpus

#endif  // NEARDUP_SERVICE_CORPUS_READER_H_
