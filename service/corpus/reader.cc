#include "service/corpus/reader.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/common/status_macros.h"
#include "service/corpus/warc.h"
#include "simdjson.h"

namespace neardup::corpus {
namespace {

namespace fs = std::filesystem;

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Keeps at most this many problem messages.
constexpr size_t kMaxProblemMessages = 10;

// The media type a file's name announces; "" to sniff.
std::string MediaTypeOfName(std::string_view path) {
  const std::string lower = absl::AsciiStrToLower(AbslView(path));
  absl::string_view name = lower;
  name = absl::StripSuffix(absl::StripSuffix(name, ".gz"), ".zst");
  if (absl::EndsWith(name, ".html") || absl::EndsWith(name, ".htm") ||
      absl::EndsWith(name, ".xhtml")) {
    return "text/html";
  }
  return "";
}

// True for the media types that are documents: HTML and plain text ("":
// not declared, sniffed).
bool IsDocumentType(const std::string& media_type) {
  return media_type.empty() || media_type == "text/html" ||
         media_type == "application/xhtml+xml" || media_type == "text/plain";
}

absl::Status AddSource(const std::string& path, std::vector<Source>* out) {
  Source s;
  s.path = path;
  s.format = FormatOf(path);
  s.compression = CompressionOf(path);
  std::error_code ec;
  s.size = fs::file_size(path, ec);
  if (ec) s.size = 0;
  out->push_back(std::move(s));
  return absl::OkStatus();
}

}  // namespace

Format FormatOf(std::string_view path) {
  if (path == "-") return Format::kJsonl;
  const std::string lower = absl::AsciiStrToLower(AbslView(path));
  absl::string_view name = lower;
  name = absl::StripSuffix(absl::StripSuffix(name, ".gz"), ".zst");
  if (absl::EndsWith(name, ".jsonl") || absl::EndsWith(name, ".ndjson")) {
    return Format::kJsonl;
  }
  if (absl::EndsWith(name, ".warc")) return Format::kWarc;
  return Format::kDocument;
}

struct Reader::Parser {
  simdjson::dom::parser parser;
};

Reader::Reader(std::vector<Source> sources, const ReaderOptions& options)
    : sources_(std::move(sources)),
      options_(options),
      parser_(std::make_unique<Parser>()) {
  for (const Source& s : sources_) total_bytes_ += s.size;
  stop_source_ = sources_.size();
}

Reader::~Reader() = default;

absl::StatusOr<std::unique_ptr<Reader>> Reader::Open(
    const std::vector<std::string>& inputs, const ReaderOptions& options) {
  if (inputs.empty()) return absl::InvalidArgumentError("no inputs given");
  std::vector<Source> sources;
  for (const std::string& input : inputs) {
    if (input == "-") {
      NEARDUP_RETURN_IF_ERROR(AddSource(input, &sources));
      continue;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(input, ec);
    if (ec || !fs::exists(st)) {
      return absl::NotFoundError(
          absl::StrCat("no such file or directory: ", input));
    }
    if (fs::is_regular_file(st)) {
      NEARDUP_RETURN_IF_ERROR(AddSource(input, &sources));
      continue;
    }
    if (!fs::is_directory(st)) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a file or directory: ", input));
    }
    // Every regular file below, in byte order of the path inside.
    std::vector<std::string> inside;
    for (fs::recursive_directory_iterator
             it(input, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      std::error_code fec;
      if (it->is_regular_file(fec)) {
        inside.push_back(fs::relative(it->path(), input, fec).string());
      }
    }
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot list directory ", input, ": ", ec.message()));
    }
    if (inside.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("directory holds no files: ", input));
    }
    std::sort(inside.begin(), inside.end());
    const bool slash = absl::EndsWith(input, "/");
    for (const std::string& rel : inside) {
      NEARDUP_RETURN_IF_ERROR(
          AddSource(absl::StrCat(input, slash ? "" : "/", rel), &sources));
    }
  }
  return std::unique_ptr<Reader>(new Reader(std::move(sources), options));
}

absl::StatusOr<std::unique_ptr<Reader>> Reader::OpenAt(
    const Source& source, uint64_t offset, uint64_t line,
    const ReaderOptions& options) {
  std::unique_ptr<Reader> r(new Reader({source}, options));
  if (source.format == Format::kDocument) return r;
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<ByteStream> in,
                           ByteStream::Open(source.path, source.compression));
  NEARDUP_RETURN_IF_ERROR(in->Skip(offset));
  r->open_ = std::make_unique<LineReader>(std::move(in), offset);
  r->line_ = line > 0 ? line - 1 : 0;
  r->next_source_ = 1;
  return r;
}

absl::StatusOr<std::unique_ptr<Reader>> Reader::OpenRange(
    std::vector<Source> sources, const Range& range,
    const ReaderOptions& options) {
  if (range.first > range.last || range.last >= sources.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sources ", range.first, " to ", range.last, " of ", sources.size()));
  }
  std::unique_ptr<Reader> r(new Reader(std::move(sources), options));
  r->next_source_ = range.first;
  r->stop_source_ = range.last + 1;
  r->stop_offset_ = range.end;
  r->start_offset_ = range.offset;
  r->start_line_ = range.line;
  r->total_bytes_ = 0;
  for (size_t i = range.first; i <= range.last; ++i) {
    r->total_bytes_ += r->sources_[i].size;
  }
  return r;
}

uint64_t Reader::bytes_read() const {
  return done_bytes_ + (open_ != nullptr ? open_->file_position() : 0);
}

absl::StatusOr<bool> Reader::Next(Document* doc, bool want_content) {
  while (true) {
    if (open_ != nullptr) {
      const Source& s = sources_[next_source_ - 1];
      absl::StatusOr<bool> got =
          s.format == Format::kJsonl ? NextJsonl(doc) : NextWarc(doc);
      if (got.ok() && *got && next_source_ == stop_source_ &&
          doc->offset >= stop_offset_) {
        got = false;  // the end of a range: the next one reads on
      }
      if (got.ok() && *got) {
        doc->source = static_cast<uint32_t>(next_source_ - 1);
        return true;
      }
      done_bytes_ += s.size;
      open_.reset();
      if (!got.ok()) {
        if (!options_.skip_bad) return got.status();
        ++problems_;
        if (problem_messages_.size() < kMaxProblemMessages) {
          problem_messages_.push_back(std::string(got.status().message()));
        }
      }
      continue;
    }
    if (next_source_ >= stop_source_) return false;
    const Source& s = sources_[next_source_++];
    if (s.format != Format::kDocument) {
      absl::StatusOr<std::unique_ptr<ByteStream>> in =
          ByteStream::Open(s.path, s.compression);
      const uint64_t skip = start_offset_;
      start_offset_ = 0;  // the first source of a range only
      if (in.ok() && skip > 0) {
        absl::Status skipped = (*in)->Skip(skip);
        if (!skipped.ok()) in = skipped;
      }
      if (!in.ok()) {
        if (!options_.skip_bad) return in.status();
        ++problems_;
        if (problem_messages_.size() < kMaxProblemMessages) {
          problem_messages_.push_back(std::string(in.status().message()));
        }
        continue;
      }
      open_ = std::make_unique<LineReader>(*std::move(in), skip);
      line_ = skip > 0 && start_line_ > 0 ? start_line_ - 1 : 0;
      continue;
    }
    *doc = Document();
    doc->id = s.path;
    doc->source = static_cast<uint32_t>(next_source_ - 1);
    doc->media_type = MediaTypeOfName(s.path);
    done_bytes_ += s.size;
    if (want_content) {
      absl::StatusOr<std::string> content =
          ReadWhole(s.path, options_.max_document_bytes);
      if (content.ok()) {
        doc->content = *std::move(content);
      } else {
        doc->problem = content.status();
      }
    }
    return true;
  }
}

absl::StatusOr<bool> Reader::NextJsonl(Document* doc) {
  std::string line;
  while (true) {
    const uint64_t offset = open_->position();
    NEARDUP_ASSIGN_OR_RETURN(bool more, open_->ReadLine(&line));
    if (!more) return false;
    ++line_;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    *doc = Document();
    doc->offset = offset;
    doc->line = line_;
    doc->charset = "UTF-8";  // JSON text is Unicode; simdjson validates it
    const std::string where = absl::StrCat(open_->path(), ":", line_);
    simdjson::dom::element root;
    simdjson::error_code e =
        parser_->parser.parse(line.data(), line.size(), true).get(root);
    if (e) {
      // simdjson validates UTF-8: invalid bytes are reported here.
      doc->problem = absl::InvalidArgumentError(absl::StrCat(
          where, ": not valid JSON: ", simdjson::error_message(e)));
      return true;
    }
    simdjson::dom::object object;
    if (root.get_object().get(object)) {
      doc->problem = absl::InvalidArgumentError(
          absl::StrCat(where, ": not a JSON object"));
      return true;
    }
    simdjson::dom::element id, text;
    if (object[options_.id_field].get(id)) {
      doc->problem = absl::InvalidArgumentError(absl::StrCat(
          where, ": no \"", options_.id_field, "\" field (--id-field)"));
      return true;
    }
    std::string_view id_text;
    int64_t id_number;
    if (!id.get_string().get(id_text)) {
      doc->id = std::string(id_text);
    } else if (!id.get_int64().get(id_number)) {
      doc->id = absl::StrCat(id_number);
    } else {
      doc->problem = absl::InvalidArgumentError(
          absl::StrCat(where, ": \"", options_.id_field,
                       "\" is neither a string nor an integer"));
      return true;
    }
    std::string_view content;
    if (object[options_.text_field].get(text)) {
      doc->problem = absl::InvalidArgumentError(absl::StrCat(
          where, ": no \"", options_.text_field, "\" field (--text-field)"));
      return true;
    }
    if (text.get_string().get(content)) {
      doc->problem = absl::InvalidArgumentError(absl::StrCat(
          where, ": \"", options_.text_field, "\" is not a string"));
      return true;
    }
    if (content.size() > options_.max_document_bytes) {
      doc->problem = absl::InvalidArgumentError(absl::StrCat(
          where, ": text of ", content.size(), " bytes is over the limit of ",
          options_.max_document_bytes, " bytes"));
      return true;
    }
    doc->content = std::string(content);
    return true;
  }
}

absl::StatusOr<bool> Reader::NextWarc(Document* doc) {
  WarcRecord record;
  while (true) {
    NEARDUP_ASSIGN_OR_RETURN(
        bool more,
        ReadWarcRecord(open_.get(), line_ + 1, MaxWarcBlock(), &record));
    if (!more) return false;
    ++line_;
    const bool response = record.type == "response";
    if (!response && record.type != "resource") {
      ++ignored_;
      continue;
    }
    *doc = Document();
    doc->offset = record.offset;
    doc->line = line_;
    doc->id = record.target_uri;
    const std::string where = absl::StrCat(open_->path(), ": record ", line_,
                                           " at byte offset ", record.offset);
    if (record.oversized) {
      doc->problem = absl::InvalidArgumentError(absl::StrCat(
          where, ": a record of ", record.length,
          " bytes is over the limit of ", MaxWarcBlock(), " bytes"));
      return true;
    }
    std::string media_type, charset;
    ParseContentType(record.content_type, &media_type, &charset);
    if (response && absl::StartsWith(media_type, "application/http")) {
      absl::StatusOr<HttpResponse> http =
          ParseHttpResponse(record.block, options_.max_document_bytes);
      if (!http.ok()) {
        doc->problem = absl::InvalidArgumentError(
            absl::StrCat(where, ": ", http.status().message()));
        return true;
      }
      if (http->status < 200 || http->status > 299 ||
          !IsDocumentType(http->media_type)) {
        ++ignored_;
        continue;
      }
      doc->media_type = std::move(http->media_type);
      doc->charset = std::move(http->charset);
      doc->content = std::move(http->body);
    } else {
      if (!IsDocumentType(media_type)) {
        ++ignored_;
        continue;
      }
      doc->media_type = std::move(media_type);
      doc->charset = std::move(charset);
      doc->content = std::move(record.block);
    }
    if (doc->media_type == "application/xhtml+xml") {
      doc->media_type = "text/html";
    }
    if (doc->id.empty()) {
      doc->problem = absl::InvalidArgumentError(
          absl::StrCat(where, ": no WARC-Target-URI"));
    } else if (doc->content.size() > options_.max_document_bytes) {
      doc->problem = absl::InvalidArgumentError(
          absl::StrCat(where, ": body of ", doc->content.size(),
                       " bytes is over the limit of ",
                       options_.max_document_bytes, " bytes"));
    }
    return true;
  }
}

}  // namespace neardup::corpus
