// libFuzzer target over the whole text pipeline: any bytes, any flags.
//
// Input: byte 0 chooses the options (content type, leniency, main content,
// folding), byte 1 the declared charset; the rest is the document. Checks,
// beyond "no crash, leak or UB": every error is INVALID_ARGUMENT, every
// token's offsets lie inside the input in order, and the passages found in
// it (Repeats, and Compare with itself) lie inside it, occurrences in
// order and not overlapping, and its passage fingerprints are in order
// inside the token stream, and masking them leaves the tokens outside
// them as they were. A page analysed again from its extracted text and
// token offset table gives the same tokens, offsets included; the input
// read as a token offset table is refused or applied, never a crash.
//
//   cmake --preset fuzz && cmake --build --preset fuzz
//   build/fuzz/tests/fuzz/text_pipeline_fuzzer -max_len=65536 \
//       NEW_CORPUS_DIR tests/fuzz/corpus

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "service/passages/fingerprints.h"
#include "service/passages/passages.h"
#include "service/text/analyze.h"
#include "service/text/token_offsets.h"

namespace {

constexpr std::string_view kCharsets[] = {
    "",         "utf-8",    "gbk",     "big5",         "shift_jis",
    "euc-jp",   "euc-kr",   "gb18030", "windows-1252", "iso-8859-5",
    "utf-16le", "utf-16be", "koi8-r",  "bogus-charset"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  neardup::text::InputOptions input;
  input.content_type = static_cast<neardup::text::ContentType>(flags % 3);
  input.lenient = (flags & 0x04) != 0;
  input.main_content = (flags & 0x08) != 0;
  input.charset = kCharsets[data[1] % std::size(kCharsets)];
  neardup::text::TextParams params;
  params.fold_traditional = (flags & 0x10) != 0;
  params.shingle.word_size = 1 + (flags >> 5);
  const std::string_view content(reinterpret_cast<const char*>(data + 2),
                                 size - 2);

  neardup::text::ExtractedText extracted;
  auto a = neardup::text::Analyze(content, params, input, nullptr, &extracted);
  if (!a.ok()) {
    if (a.status().code() != absl::StatusCode::kInvalidArgument &&
        a.status().code() != absl::StatusCode::kFailedPrecondition) {
      std::abort();  // only bad input may fail
    }
    return 0;
  }
  if (a->text.tokens.empty() || a->shingle_set.empty()) std::abort();
  for (const auto& t : a->text.tokens) {
    if (t.byte_start >= t.byte_end || t.byte_end > content.size() ||
        t.cp_start >= t.cp_end || t.cp_end > content.size()) {
      std::fprintf(stderr,
                   "bad token: bytes [%u, %u) cps [%u, %u) of %zu bytes, "
                   "charset %s, html %d\n",
                   t.byte_start, t.byte_end, t.cp_start, t.cp_end,
                   content.size(), a->charset.c_str(), a->html);
      std::abort();
    }
  }
  if (a->html) {
    auto again = neardup::text::AnalyzeText(extracted.text, params);
    if (!again.ok()) std::abort();
    auto& tokens = again->text.tokens;
    if (!neardup::text::ApplyTokenOffsets(extracted.token_offsets,
                                          absl::MakeSpan(tokens))
             .ok() ||
        tokens.size() != a->text.tokens.size()) {
      std::abort();
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
      const auto& x = a->text.tokens[i];
      const auto& y = tokens[i];
      if (x.hash != y.hash || x.byte_start != y.byte_start ||
          x.byte_end != y.byte_end || x.cp_start != y.cp_start ||
          x.cp_end != y.cp_end) {
        std::fprintf(stderr, "token %zu differs read from extracted text\n", i);
        std::abort();
      }
    }
    // Any bytes as a table: applied or refused.
    const absl::Status applied =
        neardup::text::ApplyTokenOffsets(content, absl::MakeSpan(tokens));
    if (!applied.ok() && applied.code() != absl::StatusCode::kInvalidArgument) {
      std::abort();
    }
  }
  const auto repeats = neardup::passages::FindRepeats(content, *a);
  for (const auto& p : repeats.passages) {
    if (p.occurrences.size() < 2) std::abort();
    for (size_t i = 0; i < p.occurrences.size(); ++i) {
      const auto& o = p.occurrences[i];
      if (o.byte_start >= o.byte_end || o.byte_end > content.size()) {
        std::abort();
      }
      if (i > 0 && p.occurrences[i - 1].token_end > o.token_begin) {
        std::abort();
      }
    }
  }
  if (repeats.collapsed.size() > content.size()) std::abort();
  const auto self = neardup::passages::Compare(*a, *a);
  for (const auto& m : self.passages) {
    if (m.a.byte_end > content.size() || m.b.byte_end > content.size()) {
      std::abort();
    }
  }
  const auto hashes = neardup::passages::TokenHashes32(a->text.tokens);
  const auto fps = neardup::passages::PassageFingerprints(hashes);
  for (size_t i = 0; i < fps.size(); ++i) {
    if (fps[i].position + neardup::passages::kPassageGram > hashes.size() ||
        (i > 0 && fps[i - 1].position >= fps[i].position)) {
      std::abort();
    }
  }
  // Masking every fingerprint changes no token before the first one's
  // k-gram or after the last one's.
  auto masked = hashes;
  neardup::passages::MaskTokens(fps, &masked);
  if (masked.size() != hashes.size()) std::abort();
  if (!fps.empty()) {
    const size_t first = fps.front().position;
    const size_t last = fps.back().position + neardup::passages::kPassageGram;
    for (size_t t = 0; t < hashes.size(); ++t) {
      if ((t < first || t >= last) && masked[t] != hashes[t]) std::abort();
    }
  }
  return 0;
}
