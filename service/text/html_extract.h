// Text of an HTML page from a walk over its element tree: the paragraph
// blocks, page chrome and main-content selection shared by our HTML reader
// (html_reader.h) and the gumbo reference (html_gumbo.h).
//
// A parser reports the tree in document order as events: an element
// starts (its tag and the attributes that name page chrome), an element
// ends, text (copied from the HTML, or decoded from a range of it). The
// builder drops the content of non-text elements (script, style, head,
// svg, select, ...), turns block elements into paragraph breaks and <br>
// into a line break, and, with main-content extraction, classifies the
// blocks by chrome, length and link density (see html.h).

#ifndef NEARDUP_SERVICE_TEXT_HTML_EXTRACT_H_
#define NEARDUP_SERVICE_TEXT_HTML_EXTRACT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "service/text/html.h"
#include "service/text/html_tags.h"
#include "service/text/offset_map.h"

namespace neardup::text {

// An element start as the text extraction sees it. The views need only
// live for the call.
struct HtmlElement {
  HtmlTag tag = HtmlTag::kOther;
  std::string_view class_name;  // attribute values, decoded; "" if absent
  std::string_view id;
  std::string_view role;
  bool has_href = false;
};

// Receives the element tree of a page in document order. Start and end
// events nest. Implementations are not thread-safe.
class HtmlEventSink {
 public:
  virtual ~HtmlEventSink() = default;
  virtual void StartElement(const HtmlElement& element) = 0;
  virtual void EndElement() = 0;
  // Text `text` (valid UTF-8) copied from HTML bytes
  // [src, src + text.size()).
  virtual void AddCopy(std::string_view text, uint32_t src) = 0;
  // Text `text` produced from HTML bytes [src, src + src_len) as a whole (a
  // character reference, a CR LF, a NUL). Bytes of `text` that are not
  // valid UTF-8 become U+FFFD.
  virtual void AddReplacement(std::string_view text, uint32_t src,
                              uint32_t src_len) = 0;
  // The innermost open element `tag` no longer contains what follows: the
  // parser moved the elements still open inside it out of it (the
  // adoption agency). Its end event comes later, after theirs. Only our
  // reader sends it; a walk over a finished tree never needs it.
  virtual void Detach(HtmlTag tag) = 0;
};

// Builds the page's text from the events. Not thread-safe.
class HtmlTextBuilder final : public HtmlEventSink {
 public:
  explicit HtmlTextBuilder(const HtmlOptions& options);

  HtmlTextBuilder(const HtmlTextBuilder&) = delete;
  HtmlTextBuilder& operator=(const HtmlTextBuilder&) = delete;

  void StartElement(const HtmlElement& element) override;
  void EndElement() override;
  void AddCopy(std::string_view text, uint32_t src) override;
  void AddReplacement(std::string_view text, uint32_t src,
                      uint32_t src_len) override;
  void Detach(HtmlTag tag) override;

  // Returns the text of the blocks kept, separated by blank lines, and its
  // map to the HTML. Call once, after the last event.
  HtmlText Finish();

 private:
  // A paragraph-level block of text with where its bytes came from.
  struct Block {
    std::string text;
    OffsetMap map;     // block text -> html bytes
    size_t chars = 0;  // weighted non-space characters
    size_t link_chars = 0;
    bool heading = false;
    bool chrome = false;  // inside a chrome container
  };
  struct Frame {
    HtmlTag tag;
    bool skip;  // inside a skipped element (or <br>)
    bool block, link, chrome;
  };
  enum class Class { kGood, kShort, kBad };

  void Flush();
  void CountCopied(std::string_view s);
  void Count(std::string_view s);
  std::vector<Class> Classify() const;

  const HtmlOptions options_;
  std::vector<Frame> frames_;  // open elements
  int skip_depth_ = 0;         // open elements inside a skipped one, or 0
  std::vector<Block> blocks_;
  Block current_;
  int in_link_ = 0;
  int in_chrome_ = 0;
};

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_HTML_EXTRACT_H_
