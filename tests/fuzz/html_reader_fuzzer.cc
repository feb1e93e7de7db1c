// libFuzzer target for our HTML reader (service/text/html_reader.h), with
// gumbo as the reference.
//
// Input: any bytes, made valid UTF-8 (invalid bytes become U+FFFD, as
// decoding does before HTML extraction). Checks, with main-content
// extraction off and on, beyond "no crash, leak or UB":
//  - the only error is INVALID_ARGUMENT (nesting too deep);
//  - the text is valid UTF-8;
//  - every token of the text maps back to a range inside the input, and,
//    when the input has no table (foster parenting moves table text
//    before its table), the ranges of successive tokens start in order;
// and against gumbo, with main-content extraction off, when both accept
// the input and it has no end tag of a name we do not know: both give
// tokens, or neither does. Exact equality does not hold on arbitrary bytes
// (docs/HTML.md lists where the two differ: the adoption agency's rarer
// cases, control characters, ...), but text that one finds and the other
// drops entirely would be a bug. gumbo 0.10.1 gives every unknown element
// name the same tag, so an end tag of any unknown name closes the nearest
// open element of any other unknown name (it can close an svg around it,
// bringing its text out); the standard compares names, as we do, so such
// inputs are not compared. Nor are inputs where a frameset may replace a
// body whose noframes or noembed text we already reported (class 8), or
// with a DOCTYPE identifier, whose quirks mode gumbo gets wrong (class 9).
//
//   cmake --preset fuzz && cmake --build --preset fuzz
//   build/fuzz/tests/fuzz/html_reader_fuzzer -max_len=65536 \
//       NEW_CORPUS_DIR tests/fuzz/corpus_html

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "service/text/html.h"
#include "service/text/html_gumbo.h"
#include "service/text/html_tokenizer.h"
#include "service/text/tokenizer.h"
#include "service/text/utf8.h"

namespace {

using neardup::text::HtmlText;

void Fail(const char* what, size_t a = 0, size_t b = 0) {
  std::fprintf(stderr, "html_reader_fuzzer: %s (%zu, %zu)\n", what, a, b);
  std::abort();
}

// Returns the number of tokens of `t`, checking its invariants.
size_t Check(const HtmlText& t, std::string_view html, bool ordered) {
  if (!neardup::text::ValidateUtf8(t.text, "text").ok()) Fail("invalid UTF-8");
  auto tokens = neardup::text::Tokenize(t.text);
  if (!tokens.ok()) Fail("tokenizer failed");
  uint32_t last_start = 0;
  for (const auto& token : tokens->tokens) {
    const uint32_t s = t.map.SourceStart(token.byte_start);
    const uint32_t e = t.map.SourceEnd(token.byte_end);
    if (s > e || e > html.size()) Fail("token outside the input", s, e);
    if (ordered && s < last_start) Fail("tokens out of order", last_start, s);
    last_start = s;
  }
  return tokens->tokens.size();
}

// True if `html` has an end tag whose name we do not know (tokenized
// without raw-text elements: an over-estimate).
bool HasUnknownEndTag(std::string_view html) {
  neardup::text::HtmlTokenizer tokenizer(html);
  neardup::text::HtmlToken t;
  while (true) {
    tokenizer.Next(&t);
    if (t.type == neardup::text::HtmlTokenType::kEof) return false;
    if (t.type == neardup::text::HtmlTokenType::kEndTag &&
        t.tag == neardup::text::HtmlTag::kOther) {
      return true;
    }
  }
}

// True if `html` has a noframes or noembed start tag before a frameset
// start tag: a frameset that replaces a body whose noframes or noembed
// text was already reported (docs/HTML.md, class 8).
bool HasFramesetAfterNoframes(std::string_view html) {
  neardup::text::HtmlTokenizer tokenizer(html);
  neardup::text::HtmlToken t;
  bool noframes = false;
  while (true) {
    tokenizer.Next(&t);
    if (t.type == neardup::text::HtmlTokenType::kEof) return false;
    if (t.type != neardup::text::HtmlTokenType::kStartTag) continue;
    if (t.tag == neardup::text::HtmlTag::kNoframes ||
        t.tag == neardup::text::HtmlTag::kNoembed) {
      noframes = true;
    } else if (t.tag == neardup::text::HtmlTag::kFrameset && noframes) {
      return true;
    }
  }
}

// True if `html` has a DOCTYPE with a public or system identifier, whose
// quirks mode gumbo 0.10.1 computes differently (docs/HTML.md, class 9).
bool HasDoctypeIdentifier(std::string_view html) {
  const std::string lower =
      absl::AsciiStrToLower(absl::string_view(html.data(), html.size()));
  return lower.find("<!doctype") != std::string::npos &&
         (lower.find("public") != std::string::npos ||
          lower.find("system") != std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string html = neardup::text::ReplaceInvalidUtf8(
      std::string_view(reinterpret_cast<const char*>(data), size));
  const bool has_table =
      absl::AsciiStrToLower(html).find("table") != std::string::npos;
  for (const bool main_content : {false, true}) {
    neardup::text::HtmlOptions options;
    options.main_content = main_content;
    auto ours = neardup::text::ExtractHtmlText(html, options);
    if (!ours.ok()) {
      if (ours.status().code() != absl::StatusCode::kInvalidArgument) {
        Fail("unexpected error");
      }
      continue;
    }
    const size_t tokens = Check(*ours, html, !has_table);
    if (main_content || HasUnknownEndTag(html) ||
        HasFramesetAfterNoframes(html) || HasDoctypeIdentifier(html)) {
      continue;
    }
    auto gumbo = neardup::text::ExtractHtmlTextWithGumbo(html, options);
    if (!gumbo.ok()) continue;
    const size_t gumbo_tokens = Check(*gumbo, html, false);
    if ((tokens == 0) != (gumbo_tokens == 0)) {
      Fail("ours and gumbo disagree on whether there is text", tokens,
           gumbo_tokens);
    }
  }
  return 0;
}
