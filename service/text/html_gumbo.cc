#include "service/text/html_gumbo.h"

#include <gumbo.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/text/html_tokenizer.h"
#include "service/text/utf8.h"

namespace neardup::text {
namespace {

// Bump allocator for gumbo: everything is freed at once with the arena, so
// gumbo's recursive tree destruction (a stack overflow on deep trees) is
// never called.
class Arena {
 public:
  void* Allocate(size_t n) {
    n = (n + 15) & ~size_t{15};
    if (n > left_) {
      const size_t size = std::max(n, kBlockSize);
      blocks_.emplace_back(new char[size]);
      next_ = blocks_.back().get();
      left_ = size;
    }
    void* p = next_;
    next_ += n;
    left_ -= n;
    return p;
  }

  static void* Alloc(void* arena, size_t n) {
    return static_cast<Arena*>(arena)->Allocate(n);
  }
  static void Free(void*, void*) {}

 private:
  static constexpr size_t kBlockSize = size_t{1} << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

// Estimates the deepest element nesting of `html` from its tags, counting
// only elements that the parser does not close implicitly. Cheap, and an
// over-estimate only for unusual markup.
int EstimateDepth(std::string_view html) {
  static constexpr std::string_view kNotCounted[] = {
      "p",     "li",       "dt",      "dd",     "tr",       "td",   "th",
      "tbody", "thead",    "tfoot",   "option", "optgroup", "rb",   "rt",
      "rp",    "colgroup", "caption", "html",   "head",     "body", "br",
      "img",   "hr",       "meta",    "link",   "input",    "area", "base",
      "col",   "embed",    "param",   "source", "track",    "wbr"};
  // Open counted elements; an end tag closes up to its matching start tag
  // (as the parser does) and is ignored when nothing matches, so stray end
  // tags cannot hide real nesting.
  std::vector<std::string> open;
  size_t max_depth = 0;
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    ++pos;
    const bool end = pos < html.size() && html[pos] == '/';
    if (end) ++pos;
    size_t n = 0;
    while (pos + n < html.size() && absl::ascii_isalnum(html[pos + n])) ++n;
    if (n == 0) continue;
    std::string name =
        absl::AsciiStrToLower(absl::string_view(html.data() + pos, n));
    bool counted = true;
    for (std::string_view skip : kNotCounted) {
      if (name == skip) counted = false;
    }
    if (!counted) continue;
    if (end) {
      for (size_t k = open.size(); k-- > 0;) {
        if (open[k] == name) {
          open.resize(k);
          break;
        }
      }
      continue;
    }
    const size_t close = html.find('>', pos + n);
    if (close != std::string_view::npos && html[close - 1] == '/') continue;
    open.push_back(std::move(name));
    max_depth = std::max(max_depth, open.size());
  }
  return static_cast<int>(std::min<size_t>(max_depth, 1 << 30));
}

std::string_view AttributeValue(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a == nullptr ? std::string_view() : std::string_view(a->value);
}

// Walks gumbo's tree and reports it as events.
class Walker {
 public:
  Walker(std::string_view html, HtmlEventSink* sink)
      : html_(html), sink_(sink) {}

  // Iterative depth-first walk (no recursion: the tree may be deep).
  void Walk(GumboNode* root) {
    struct Frame {
      GumboNode* node;
      unsigned next_child;
    };
    std::vector<Frame> stack;
    auto enter = [&](GumboNode* node) {
      if (node->type != GUMBO_NODE_ELEMENT) {
        if (node->type == GUMBO_NODE_TEXT ||
            node->type == GUMBO_NODE_WHITESPACE ||
            node->type == GUMBO_NODE_CDATA) {
          bool raw_text = node->type == GUMBO_NODE_CDATA;
          if (!stack.empty()) {
            switch (stack.back().node->v.element.tag) {
              case GUMBO_TAG_XMP:
              case GUMBO_TAG_IFRAME:
              case GUMBO_TAG_NOEMBED:
              case GUMBO_TAG_NOFRAMES:
              case GUMBO_TAG_STYLE:
              case GUMBO_TAG_SCRIPT:
              case GUMBO_TAG_PLAINTEXT:
                raw_text = true;
                break;
              default:
                break;
            }
          }
          AppendText(node->v.text, raw_text);
        }
        return;
      }
      const GumboElement& e = node->v.element;
      HtmlElement element;
      element.tag = HtmlTagFromName(gumbo_normalized_tagname(e.tag));
      element.class_name = AttributeValue(e, "class");
      element.id = AttributeValue(e, "id");
      element.role = AttributeValue(e, "role");
      element.has_href = gumbo_get_attribute(&e.attributes, "href") != nullptr;
      sink_->StartElement(element);
      stack.push_back(Frame{node, 0});
    };
    enter(root);
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboVector& children = f.node->v.element.children;
      if (f.next_child < children.length) {
        GumboNode* child =
            static_cast<GumboNode*>(children.data[f.next_child++]);
        enter(child);  // may reallocate `stack`: `f` is not used after
        continue;
      }
      sink_->EndElement();
      stack.pop_back();
    }
  }

 private:
  // Reports a text node, aligning its decoded text with its source so that
  // every byte maps back into the HTML. `raw_text`: the node is the content
  // of an element whose text has no character references (xmp, noframes,
  // ...).
  void AppendText(const GumboText& t, bool raw_text) {
    const std::string_view dec(t.text);
    const std::string_view raw(t.original_text.data, t.original_text.length);
    if (dec.empty()) return;
    const uint32_t raw_base =
        raw.data() != nullptr && raw.data() >= html_.data() &&
                raw.data() + raw.size() <= html_.data() + html_.size()
            ? static_cast<uint32_t>(raw.data() - html_.data())
            : t.start_pos.offset;
    size_t i = 0, j = 0;
    while (j < dec.size()) {
      if (i >= raw.size()) {
        // Text the parser made beyond the node's source (at end of input):
        // map it to the node's whole source.
        sink_->AddReplacement(dec.substr(j), raw_base,
                              static_cast<uint32_t>(raw.size()));
        return;
      }
      if (raw[i] == '&' && !raw_text) {
        // A reference that decodes (by the standard's rules) to what the
        // parser gave: exactly its bytes.
        std::string ref;
        const size_t ref_len =
            DecodeCharacterReference(raw, i, /*in_attribute=*/false, &ref);
        if (ref_len > 0 && dec.compare(j, ref.size(), ref) == 0) {
          sink_->AddReplacement(ref, raw_base + static_cast<uint32_t>(i),
                                static_cast<uint32_t>(ref_len));
          i += ref_len;
          j += ref.size();
          continue;
        }
        // Else guess its extent.
        const size_t e = EntityEnd(raw, i);
        if (dec.compare(j, e - i, raw, i, e - i) != 0) {
          // A decoded entity: one code point (rarely two) of the output.
          char32_t cp;
          size_t len = DecodeUtf8(dec, j, &cp);
          if (len == 0) len = 1;
          if (j + len < dec.size() && e < raw.size() &&
              dec[j + len] != raw[e]) {
            char32_t cp2;
            const size_t len2 = DecodeUtf8(dec, j + len, &cp2);
            if (len2 > 0 && cp2 >= 0x300) len += len2;  // combining second
          }
          sink_->AddReplacement(dec.substr(j, len),
                                raw_base + static_cast<uint32_t>(i),
                                static_cast<uint32_t>(e - i));
          i = e;
          j += len;
          continue;
        }
      }
      if (raw[i] == '\r') {
        // CR LF and lone CR became LF.
        const size_t src_len = i + 1 < raw.size() && raw[i + 1] == '\n' ? 2 : 1;
        sink_->AddReplacement("\n", raw_base + static_cast<uint32_t>(i),
                              static_cast<uint32_t>(src_len));
        i += src_len;
        j += dec[j] == '\n' ? 1 : 0;
        continue;
      }
      if (raw[i] == dec[j]) {
        // Copy the longest run of equal bytes (stopping at '&' and CR).
        size_t n = 0;
        while (i + n < raw.size() && j + n < dec.size() &&
               raw[i + n] == dec[j + n] && raw[i + n] != '&' &&
               raw[i + n] != '\r') {
          ++n;
        }
        // Never end a copy inside a code point (the texts may differ in a
        // later byte of it).
        while (n > 0 && j + n < dec.size() &&
               (static_cast<unsigned char>(dec[j + n]) & 0xC0) == 0x80) {
          --n;
        }
        if (n == 0 && raw[i] == '&') n = 1;  // an '&' that is literal text
        if (n == 0) {
          AppendChanged(dec, raw, raw_base, &i, &j);
          continue;
        }
        sink_->AddCopy(dec.substr(j, n), raw_base + static_cast<uint32_t>(i));
        i += n;
        j += n;
        continue;
      }
      // Anything else the parser changed (NUL -> U+FFFD, ...).
      AppendChanged(dec, raw, raw_base, &i, &j);
    }
  }

  // Reports one code point the parser changed, dec[*j], standing for one
  // code point of the source, raw[*i].
  void AppendChanged(std::string_view dec, std::string_view raw,
                     uint32_t raw_base, size_t* i, size_t* j) {
    char32_t cp;
    size_t dlen = DecodeUtf8(dec, *j, &cp);
    if (dlen == 0) dlen = 1;
    size_t rlen = *i < raw.size() ? DecodeUtf8(raw, *i, &cp) : 0;
    if (rlen == 0 && *i < raw.size()) rlen = 1;
    sink_->AddReplacement(dec.substr(*j, dlen),
                          raw_base + static_cast<uint32_t>(*i),
                          static_cast<uint32_t>(rlen));
    *i += rlen;
    *j += dlen;
  }

  // Returns the end of a character reference starting at raw[i] == '&'
  // (past ';' when present), or i + 1 if none can start there.
  static size_t EntityEnd(std::string_view raw, size_t i) {
    size_t k = i + 1;
    if (k < raw.size() && raw[k] == '#') {
      ++k;
      if (k < raw.size() && (raw[k] == 'x' || raw[k] == 'X')) {
        ++k;
        while (k < raw.size() && absl::ascii_isxdigit(raw[k])) ++k;
      } else {
        while (k < raw.size() && absl::ascii_isdigit(raw[k])) ++k;
      }
    } else {
      while (k < raw.size() && absl::ascii_isalnum(raw[k]) && k - i < 40) ++k;
    }
    if (k == i + 1) return i + 1;
    if (k < raw.size() && raw[k] == ';') ++k;
    return k;
  }

  const std::string_view html_;
  HtmlEventSink* const sink_;
};

}  // namespace

absl::Status ReadHtmlWithGumbo(std::string_view html, HtmlEventSink* sink) {
  if (html.size() > kMaxHtmlBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTML document of ", html.size(),
                     " bytes is over the limit of ", kMaxHtmlBytes, " bytes"));
  }
  const int depth = EstimateDepth(html);
  if (depth > kMaxHtmlDepth) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HTML nests elements ", depth, " deep; the limit is ", kMaxHtmlDepth));
  }
  Arena arena;
  GumboOptions gumbo_options = kGumboDefaultOptions;
  gumbo_options.allocator = &Arena::Alloc;
  gumbo_options.deallocator = &Arena::Free;
  gumbo_options.userdata = &arena;
  gumbo_options.max_errors = 0;  // do not record parse errors
  GumboOutput* output =
      gumbo_parse_with_options(&gumbo_options, html.data(), html.size());
  // No gumbo_destroy_output: the arena owns all of it.
  Walker(html, sink).Walk(output->root);
  return absl::OkStatus();
}

absl::StatusOr<HtmlText> ExtractHtmlTextWithGumbo(std::string_view html,
                                                  const HtmlOptions& options) {
  HtmlTextBuilder builder(options);
  const absl::Status status = ReadHtmlWithGumbo(html, &builder);
  if (!status.ok()) return status;
  return builder.Finish();
}

}  // namespace neardup::text
