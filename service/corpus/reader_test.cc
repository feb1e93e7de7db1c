#include "service/corpus/reader.h"

#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/corpus/warc.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace neardup::corpus {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::IsOkAndHolds;
using ::neardup::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void Write(const std::string& path, std::string_view bytes) {
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

// One gzip member holding `data`.
std::string Gzip(std::string_view data) {
  z_stream z{};
  EXPECT_EQ(
      deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n =
      ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string WarcRecordText(const std::string& type, const std::string& uri,
                           const std::string& content_type,
                           const std::string& block) {
  return absl::StrCat(
      "WARC/1.1\r\nWARC-Type: ", type, "\r\nWARC-Target-URI: ", uri,
      "\r\nContent-Type: ", content_type, "\r\nContent-Length: ", block.size(),
      "\r\n\r\n", block, "\r\n\r\n");
}

struct Read {
  std::vector<Document> docs;
  absl::Status status;
  uint64_t problems = 0, ignored = 0;
};

Read ReadAll(const std::vector<std::string>& inputs, ReaderOptions o = {}) {
  Read r;
  auto reader = Reader::Open(inputs, o);
  if (!reader.ok()) {
    r.status = reader.status();
    return r;
  }
  Document d;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&d);
    if (!more.ok()) {
      r.status = more.status();
      break;
    }
    if (!*more) break;
    r.docs.push_back(d);
  }
  r.problems = (*reader)->problems();
  r.ignored = (*reader)->ignored_records();
  return r;
}

class ReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = neardup::testing::MakeScratchDir("corpus"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) { return dir_ + "/" + name; }
  std::string dir_;
};

TEST_F(ReaderTest, DirectoriesAreReadRecursivelyInNameOrder) {
  Write(Path("in/b.txt"), "second");
  Write(Path("in/a/z.html"), "<p>first</p>");
  Write(Path("in/c.txt.gz"), Gzip("third, compressed"));
  const Read r = ReadAll({Path("in")});
  ASSERT_THAT(r.status, IsOk());
  ASSERT_EQ(r.docs.size(), 3u);
  EXPECT_EQ(r.docs[0].id, Path("in/a/z.html"));
  EXPECT_EQ(r.docs[0].media_type, "text/html");
  EXPECT_EQ(r.docs[1].content, "second");
  EXPECT_EQ(r.docs[2].content, "third, compressed");
  // The id is the path as given: with a trailing slash, no double slash.
  EXPECT_EQ(ReadAll({Path("in/")}).docs[1].id, Path("in/b.txt"));
}

TEST_F(ReaderTest, JsonLinesWithProblemsNamingTheLine) {
  Write(Path("d.jsonl"),
        "{\"id\": \"a\", \"text\": \"alpha\"}\n"
        "\n"
        "{\"id\": 7, \"text\": \"seven\", \"other\": [1, 2]}\r\n"
        "not json\n"
        "{\"id\": \"c\"}\n"
        "[1, 2]\n"
        "{\"id\": \"d\", \"text\": \"bad \xff utf-8\"}\n"
        "{\"url\": \"e\", \"body\": \"by other fields\"}");
  const Read r = ReadAll({Path("d.jsonl")});
  ASSERT_THAT(r.status, IsOk());
  ASSERT_EQ(r.docs.size(), 7u);
  EXPECT_EQ(r.docs[0].id, "a");
  EXPECT_EQ(r.docs[0].content, "alpha");
  EXPECT_EQ(r.docs[0].line, 1u);
  EXPECT_EQ(r.docs[1].id, "7");
  EXPECT_EQ(r.docs[1].line, 3u);
  EXPECT_THAT(r.docs[2].problem,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("d.jsonl:4: not valid JSON")));
  EXPECT_THAT(r.docs[3].problem,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("d.jsonl:5: no \"text\" field")));
  EXPECT_THAT(r.docs[4].problem, StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr(":6: not a JSON object")));
  EXPECT_THAT(r.docs[5].problem,
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(":7:")));
  EXPECT_THAT(r.docs[6].problem, StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("no \"id\" field")));
  ReaderOptions fields;
  fields.id_field = "url";
  fields.text_field = "body";
  const Read other = ReadAll({Path("d.jsonl")}, fields);
  EXPECT_EQ(other.docs[6].id, "e");
  EXPECT_EQ(other.docs[6].content, "by other fields");
}

TEST_F(ReaderTest, CompressedJsonLinesAndMembers) {
  Write(Path("z.jsonl.zst"),
        Zstd("{\"id\":\"z1\",\"text\":\"zstd one\"}\n") +
            Zstd("{\"id\":\"z2\",\"text\":\"zstd two\"}\n"));
  Write(Path("g.jsonl.gz"), Gzip("{\"id\":\"g1\",\"text\":\"gzip one\"}\n") +
                                Gzip("{\"id\":\"g2\",\"text\":\"gzip two\"}"));
  const Read r = ReadAll({Path("z.jsonl.zst"), Path("g.jsonl.gz")});
  ASSERT_THAT(r.status, IsOk());
  std::vector<std::string> ids;
  for (const Document& d : r.docs) ids.push_back(d.id);
  EXPECT_THAT(ids, ElementsAre("z1", "z2", "g1", "g2"));
  EXPECT_EQ(r.docs[3].content, "gzip two");
  EXPECT_EQ(r.docs[3].source, 1u);
}

TEST_F(ReaderTest, TruncatedCompressedDataIsAnErrorOrSkipped) {
  std::string gz = Gzip(std::string(5000, 'x') + "\n");
  gz.resize(gz.size() / 2);
  Write(Path("t.jsonl.gz"), gz);
  std::string zst =
      Zstd("{\"id\":\"a\",\"text\":\"" + std::string(5000, 'y') + "\"}\n");
  zst.resize(zst.size() - 3);
  Write(Path("t.jsonl.zst"), zst);
  Write(Path("ok.jsonl"), "{\"id\":\"ok\",\"text\":\"fine\"}\n");
  EXPECT_THAT(ReadAll({Path("t.jsonl.gz")}).status,
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("t.jsonl.gz: truncated gzip data")));
  EXPECT_THAT(ReadAll({Path("t.jsonl.zst")}).status,
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("t.jsonl.zst: truncated zstd data")));
  ReaderOptions skip;
  skip.skip_bad = true;
  const Read r = ReadAll(
      {Path("t.jsonl.gz"), Path("t.jsonl.zst"), Path("ok.jsonl")}, skip);
  ASSERT_THAT(r.status, IsOk());
  EXPECT_EQ(r.problems, 2u);
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].id, "ok");
}

TEST_F(ReaderTest, DocumentsBeforeACutReadAgainFromTheirOffset) {
  // A zstd file cut inside its frame after three whole lines: they read,
  // then the cut is an error; each of them reads again from its offset
  // (a reader that skips to an offset leaves output in the decoder).
  std::string lines;
  for (int i = 0; i < 3; ++i) {
    absl::StrAppend(&lines, "{\"id\":\"d", i, "\",\"text\":\"text ", i,
                    "\"}\n");
  }
  // One frame of one raw (stored) block, which zstd streams out as it
  // arrives: magic, header (no size, no checksum, 16 KB window), block.
  const std::string block = lines + std::string(5000, 'y');
  const uint32_t block_header = uint32_t(block.size()) << 3 | 1;  // last, raw
  std::string zst = std::string("\x28\xB5\x2F\xFD\x00\x20", 6);
  for (int i = 0; i < 3; ++i) zst.push_back(char(block_header >> (8 * i)));
  zst += block;
  ASSERT_EQ(ZSTD_decompress(std::string(block.size(), '\0').data(),
                            block.size(), zst.data(), zst.size()),
            block.size());
  zst.resize(zst.size() - 3);
  Write(Path("cut.jsonl.zst"), zst);
  auto reader = Reader::Open({Path("cut.jsonl.zst")}, {});
  ASSERT_THAT(reader, IsOk());
  std::vector<Document> docs(3);
  for (Document& d : docs) ASSERT_THAT((*reader)->Next(&d), IsOkAndHolds(true));
  Document more;
  EXPECT_THAT((*reader)->Next(&more),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated")));
  for (const Document& want : docs) {
    auto at =
        Reader::OpenAt((*reader)->sources()[0], want.offset, want.line, {});
    ASSERT_THAT(at, IsOk());
    Document got;
    ASSERT_THAT((*at)->Next(&got), IsOkAndHolds(true)) << want.id;
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.content, want.content);
  }
}

TEST_F(ReaderTest, WarcResponsesAndResources) {
  const std::string html_gbk = "<html><body><p>\xc4\xe3\xba\xc3</p></body>";
  // Chunked and gzip-encoded, as a crawler received it.
  const std::string gz = Gzip(html_gbk);
  const std::string chunked =
      absl::StrCat(absl::Hex(gz.size()), "\r\n", gz, "\r\n0\r\n\r\n");
  const std::string warc =
      WarcRecordText("warcinfo", "", "application/warc-fields", "x: y\r\n") +
      WarcRecordText("request", "http://a.example/", "application/http",
                     "GET / HTTP/1.1\r\n\r\n") +
      WarcRecordText(
          "response", "http://a.example/", "application/http; msgtype=response",
          absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: text/html; "
                       "charset=GBK\r\nTransfer-Encoding: chunked\r\n"
                       "Content-Encoding: gzip\r\n\r\n",
                       chunked)) +
      WarcRecordText("response", "http://a.example/missing", "application/http",
                     "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n"
                     "\r\nnope") +
      WarcRecordText("response", "http://a.example/logo.png",
                     "application/http",
                     "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG") +
      WarcRecordText("resource", "file:///notes.txt", "text/plain",
                     "plain notes");
  Write(Path("c.warc"), warc);
  // .warc.gz: one gzip member per record.
  Write(
      Path("c.warc.gz"),
      Gzip(WarcRecordText("resource", "urn:x", "text/plain", "one")) +
          Gzip(WarcRecordText("resource", "urn:y", "text/html", "<p>two</p>")));
  const Read r = ReadAll({Path("c.warc"), Path("c.warc.gz")});
  ASSERT_THAT(r.status, IsOk());
  ASSERT_EQ(r.docs.size(), 4u);
  EXPECT_EQ(r.ignored, 4u);
  EXPECT_EQ(r.docs[0].id, "http://a.example/");
  EXPECT_EQ(r.docs[0].media_type, "text/html");
  EXPECT_EQ(r.docs[0].charset, "GBK");
  EXPECT_EQ(r.docs[0].content, html_gbk);
  EXPECT_EQ(r.docs[0].line, 3u);
  EXPECT_EQ(r.docs[1].id, "file:///notes.txt");
  EXPECT_EQ(r.docs[1].content, "plain notes");
  EXPECT_EQ(r.docs[3].id, "urn:y");
  EXPECT_EQ(r.docs[3].media_type, "text/html");
}

TEST_F(ReaderTest, WarcRecordWithAWrongLengthIsAnError) {
  const std::string good =
      WarcRecordText("resource", "urn:a", "text/plain", "first document");
  std::string too_long =
      WarcRecordText("resource", "urn:b", "text/plain", "second document");
  too_long.replace(too_long.find("Content-Length: 15"), 18,
                   "Content-Length: 99");
  Write(Path("long.warc"), good + too_long);
  std::string too_short =
      WarcRecordText("resource", "urn:b", "text/plain", "second document");
  too_short.replace(too_short.find("Content-Length: 15"), 18,
                    "Content-Length: 5");
  Write(Path("short.warc"),
        good + too_short +
            WarcRecordText("resource", "urn:c", "text/plain", "third"));
  const Read a = ReadAll({Path("long.warc")});
  EXPECT_EQ(a.docs.size(), 1u);
  EXPECT_THAT(a.status,
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("long.warc: record 2 at byte offset ")));
  EXPECT_THAT(a.status, StatusIs(absl::StatusCode::kDataLoss,
                                 HasSubstr("Content-Length 99 runs past")));
  const Read b = ReadAll({Path("short.warc")});
  EXPECT_THAT(b.status, StatusIs(absl::StatusCode::kDataLoss,
                                 HasSubstr("record 3 at byte offset")));
  EXPECT_THAT(b.status, StatusIs(absl::StatusCode::kDataLoss,
                                 HasSubstr("Content-Length of the record "
                                           "before is wrong")));
}

// A Content-Length far over the document limit is skipped, not read into
// memory; the records after it are read.
TEST_F(ReaderTest, OversizedWarcRecordIsSkipped) {
  Write(Path("big.warc"),
        WarcRecordText("resource", "urn:big", "text/plain",
                       std::string((1 << 20) + 5000, 'x')) +
            WarcRecordText("resource", "urn:after", "text/plain", "after"));
  ReaderOptions small;
  small.max_document_bytes = 1000;
  const Read r = ReadAll({Path("big.warc")}, small);
  ASSERT_THAT(r.status, IsOk());
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_THAT(r.docs[0].problem,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("record 1 at byte offset 0: a record of ")));
  EXPECT_EQ(r.docs[0].content, "");
  EXPECT_EQ(r.docs[1].content, "after");
}

TEST_F(ReaderTest, BadInputsAreNamed) {
  std::filesystem::create_directories(Path("empty/deeper"));
  EXPECT_THAT(ReadAll({Path("empty")}).status,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("directory holds no files: ")));
  EXPECT_THAT(ReadAll({Path("nothing-here")}).status,
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nothing-here")));
  EXPECT_THAT(ReadAll({}).status, StatusIs(absl::StatusCode::kInvalidArgument));
  Write(Path("big.txt"), std::string(2000, 'w'));
  ReaderOptions small;
  small.max_document_bytes = 1000;
  const Read r = ReadAll({Path("big.txt")}, small);
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_THAT(r.docs[0].problem,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("big.txt: document is over the limit")));
}

// A document found once is read again from where it is, in a plain file
// by seeking and in a compressed one by reading up to it.
TEST_F(ReaderTest, OpenAtReadsTheDocumentAtAnOffset) {
  std::string lines;
  for (int i = 0; i < 50; ++i) {
    absl::StrAppend(&lines, "{\"id\":\"d", i, "\",\"text\":\"text ", i,
                    "\"}\n");
  }
  Write(Path("p.jsonl"), lines);
  Write(Path("p.jsonl.gz"), Gzip(lines));
  Write(Path("w.warc"),
        WarcRecordText("resource", "urn:1", "text/plain", "first") +
            WarcRecordText("resource", "urn:2", "text/plain", "second"));
  for (const char* name : {"p.jsonl", "p.jsonl.gz", "w.warc"}) {
    SCOPED_TRACE(name);
    const Read all = ReadAll({Path(name)});
    ASSERT_THAT(all.status, IsOk());
    const Document& want = all.docs.back();
    auto reader = Reader::Open({Path(name)}, {});
    ASSERT_THAT(reader, IsOk());
    auto at =
        Reader::OpenAt((*reader)->sources()[0], want.offset, want.line, {});
    ASSERT_THAT(at, IsOk());
    Document got;
    ASSERT_THAT((*at)->Next(&got), IsOkAndHolds(true));
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.content, want.content);
    EXPECT_EQ(got.line, want.line);
    EXPECT_EQ(got.offset, want.offset);
    EXPECT_THAT((*at)->Next(&got), IsOkAndHolds(false));
  }
}

TEST(ContentTypeTest, MediaTypeAndCharset) {
  std::string type, charset;
  ParseContentType("Text/HTML; Charset=\"Big5\"; q=1", &type, &charset);
  EXPECT_EQ(type, "text/html");
  EXPECT_EQ(charset, "Big5");
  ParseContentType("text/plain", &type, &charset);
  EXPECT_EQ(type, "text/plain");
  EXPECT_EQ(charset, "");
}

}  // namespace
}  // namespace neardup::corpus
