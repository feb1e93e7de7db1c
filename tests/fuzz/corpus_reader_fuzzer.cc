// libFuzzer target over the corpus readers (`neardup audit`'s inputs):
// JSON Lines, WARC and compressed files, from any bytes.
//
// Input: byte 0 chooses the file's kind (its name: .jsonl, .jsonl.gz,
// .jsonl.zst, .warc, .warc.gz, .html.gz) and whether damage is skipped;
// the rest is the file. Checks, beyond "no crash, leak or UB": errors are
// DATA_LOSS or INVALID_ARGUMENT (a damaged or malformed file, never a
// crash of the reader), no document is over the size limit, and every
// document read without a problem is read again, the same, from its
// offset (Reader::OpenAt, which the audit report uses). The HTTP
// response parser gets the bytes too.
//
//   cmake --preset fuzz && cmake --build --preset fuzz
//   build/fuzz/tests/fuzz/corpus_reader_fuzzer -max_len=65536 NEW_CORPUS_DIR

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "service/corpus/reader.h"
#include "service/corpus/warc.h"

namespace {

constexpr const char* kNames[] = {".jsonl", ".jsonl.gz", ".jsonl.zst",
                                  ".warc",  ".warc.gz",  ".html.gz"};
constexpr size_t kMaxDocument = 1 << 16;

bool Acceptable(const absl::Status& s) {
  return s.ok() || absl::IsDataLoss(s) || absl::IsInvalidArgument(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)neardup::corpus::ParseHttpResponse(body, kMaxDocument);

  static const std::string dir =
      access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  const std::string path = dir + "/neardup-corpus-fuzz-" +
                           std::to_string(getpid()) + kNames[data[0] % 6];
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(body.data(), 1, body.size(), f);
  std::fclose(f);

  neardup::corpus::ReaderOptions options;
  options.skip_bad = (data[0] & 0x80) != 0;
  options.max_document_bytes = kMaxDocument;
  auto reader = neardup::corpus::Reader::Open({path}, options);
  if (!reader.ok()) std::abort();
  neardup::corpus::Document doc;
  for (int n = 0; n < 10000; ++n) {
    absl::StatusOr<bool> more = (*reader)->Next(&doc);
    if (!more.ok()) {
      if (!Acceptable(more.status()) || options.skip_bad) std::abort();
      break;
    }
    if (!*more) break;
    if (doc.content.size() > kMaxDocument) std::abort();
    if (!Acceptable(doc.problem)) std::abort();
    if (!doc.problem.ok()) continue;
    auto again = neardup::corpus::Reader::OpenAt((*reader)->sources()[0],
                                                 doc.offset, doc.line, options);
    if (!again.ok()) std::abort();
    neardup::corpus::Document same;
    absl::StatusOr<bool> found = (*again)->Next(&same);
    if (!found.ok() || !*found || same.id != doc.id ||
        same.content != doc.content || same.offset != doc.offset) {
      std::abort();
    }
  }
  std::remove(path.c_str());
  return 0;
}
