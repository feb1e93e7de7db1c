// An HTML tokenizer after the WHATWG HTML standard (section 13.2.5), for
// text extraction: it reports text with where it came from in the input,
// start and end tags with the few attributes text extraction reads, and
// comments and DOCTYPEs (without their content).
//
// Text comes in pieces: a run copied verbatim from the input, or a piece
// decoded from a range of the input (a character reference, a CR LF or CR
// made LF, a NUL made U+FFFD). The data state finds the next '<', '&', CR
// or NUL with a byte table; raw-text elements (script, style, ...) are
// scanned for their end tag first.
//
// The tree builder (html_reader.h) switches the tokenizer into RCDATA,
// RAWTEXT, script data or PLAINTEXT after the start tags that need it, as
// the standard's tree construction does, and allows CDATA sections in
// foreign content.

#ifndef NEARDUP_SERVICE_TEXT_HTML_TOKENIZER_H_
#define NEARDUP_SERVICE_TEXT_HTML_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "service/text/html_tags.h"

namespace neardup::text {

enum class HtmlTokenType : uint8_t {
  kText,
  kStartTag,
  kEndTag,
  kComment,  // comments, bogus comments ("<?...>", "</ ...>")
  kDoctype,
  kEof,
};

// One token. Views point into the input or into the tokenizer, and are
// valid until the next call of HtmlTokenizer::Next.
struct HtmlToken {
  HtmlTokenType type = HtmlTokenType::kEof;
  // kText: the text (never empty). If `verbatim`, it is input bytes
  // [src, src + text.size()); else it was decoded from input bytes
  // [src, src + src_len). A NUL in the data state comes as a verbatim
  // "\0" (the tree builder drops it or makes it U+FFFD).
  std::string_view text;
  bool verbatim = false;
  uint32_t src = 0;
  uint32_t src_len = 0;
  // Tags: the name in ASCII lower case and where it is in the input (for
  // names we do not know, `tag` is kOther), whether it ends in "/>", and
  // the attributes that text extraction and tree building read (decoded;
  // the first of duplicates wins).
  HtmlTag tag = HtmlTag::kOther;
  std::string_view name;
  uint32_t name_src = 0;
  bool self_closing = false;
  std::string_view class_name, id, role, input_type;
  bool has_href = false;
};

// Appends to `out` the UTF-8 of the character reference at `html[pos]`
// ('&') and returns how many input bytes it spans, or returns 0 (and
// appends nothing) if no reference starts there. Named references follow
// the WHATWG table, including the legacy names without ';'; inside an
// attribute value (`in_attribute`), a legacy name followed by '=' or an
// ASCII letter or digit is not a reference. Numeric references: 0x80-0x9F
// as windows-1252, and 0, surrogates and values above U+10FFFF as U+FFFD.
size_t DecodeCharacterReference(std::string_view html, size_t pos,
                                bool in_attribute, std::string* out);

// Not thread-safe. `html` must outlive the tokenizer.
class HtmlTokenizer {
 public:
  // Content models the tree builder switches to after a start tag.
  enum class TextModel : uint8_t {
    kRcdata,      // title, textarea: character references, no tags
    kRawtext,     // style, xmp, iframe, noembed, noframes
    kScriptData,  // script, with its escaped states
    kPlaintext,   // plaintext: everything to the end is text
  };

  // REQUIRES: html.size() < 2^32.
  explicit HtmlTokenizer(std::string_view html);

  HtmlTokenizer(const HtmlTokenizer&) = delete;
  HtmlTokenizer& operator=(const HtmlTokenizer&) = delete;

  // Reads the next token into `*token`. After kEof, returns kEof again.
  void Next(HtmlToken* token);

  // Switches to `model` for the content of the element whose start tag
  // was just read, up to its end tag (same name, any case) or the end of
  // the input.
  void SwitchTo(TextModel model);

  // Whether "<![CDATA[" opens a CDATA section (in foreign content) or a
  // bogus comment (in HTML content).
  void set_cdata_allowed(bool allowed) { cdata_allowed_ = allowed; }

 private:
  // Where the text before the next markup ends, in a raw-text state.
  struct RawText {
    size_t end = 0;           // text ends here
    size_t skip = 0;          // bytes skipped after it ("]]>" of CDATA)
    bool references = false;  // decode character references (RCDATA)
  };

  // Reads text or markup in the data state. Returns false if it consumed
  // input without making a token.
  bool Data(HtmlToken* token);
  void Raw(HtmlToken* token);
  // Reads markup at html_[pos] == '<'. Returns false if it is text.
  bool Markup(size_t pos, HtmlToken* token);
  bool Tag(size_t pos, bool end, HtmlToken* token);
  void Comment(size_t pos, HtmlToken* token);
  void BogusComment(size_t pos, HtmlToken* token);
  void EmitText(size_t begin, size_t end, HtmlToken* token);
  void EmitDecoded(size_t src, size_t src_len, HtmlToken* token);
  // Returns where the end tag named `name_` starts at or after `pos`, or
  // the input size.
  size_t FindEndTag(size_t pos) const;
  size_t FindScriptEnd(size_t pos) const;
  bool IsEndTagAt(size_t pos) const;
  void StoreAttribute(std::string_view name, size_t value_begin,
                      size_t value_end);

  const std::string_view html_;
  size_t pos_ = 0;
  bool raw_ = false;  // in a raw-text state up to raw_text_.end
  RawText raw_text_;
  bool cdata_allowed_ = false;
  std::string name_;          // tag name of the last tag, lower case
  std::string raw_end_name_;  // the end tag a raw-text state waits for
  std::string decoded_;       // text of the last decoded piece
  std::string class_, id_, role_, type_;
  bool has_class_ = false, has_id_ = false, has_role_ = false,
       has_type_ = false, has_href_ = false;
};

// Returns true if `c` is HTML whitespace: space, LF, tab, CR (before
// newline normalisation), FF.
inline bool IsHtmlSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
}

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_HTML_TOKENIZER_H_
