#include "service/text/html.h"

#include <gumbo.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

// Elements whose content is never text of the page.
bool IsSkipped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_BUTTON:
      return true;
    default:
      return false;
  }
}

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
      return true;
    default:
      return false;
  }
}

bool IsHeading(GumboTag tag) {
  return tag >= GUMBO_TAG_H1 && tag <= GUMBO_TAG_H6;
}

// Semantic containers of page chrome.
bool IsChromeTag(GumboTag tag) {
  return tag == GUMBO_TAG_NAV || tag == GUMBO_TAG_ASIDE ||
         tag == GUMBO_TAG_FOOTER || tag == GUMBO_TAG_FORM ||
         tag == GUMBO_TAG_MENU || tag == GUMBO_TAG_HEADER;
}

// True if a class or id value names page chrome: one of its words (split on
// anything but letters and digits) is a boilerplate word.
bool NamesChrome(const char* value) {
  static constexpr const char* kWords[] = {
      "nav",        "navbar",      "navigation", "menu",          "sidebar",
      "breadcrumb", "breadcrumbs", "cookie",     "cookies",       "consent",
      "footer",     "share",       "sharing",    "social",        "comments",
      "comment",    "related",     "advert",     "advertisement", "ads",
      "banner",     "popup",       "subscribe",  "newsletter",    "toolbar",
      "pagination", "masthead",    "topbar",     "promo"};
  std::string lower = absl::AsciiStrToLower(value);
  size_t i = 0;
  while (i < lower.size()) {
    while (i < lower.size() && !absl::ascii_isalnum(lower[i])) ++i;
    size_t j = i;
    while (j < lower.size() && absl::ascii_isalnum(lower[j])) ++j;
    if (j > i) {
      absl::string_view word(lower.data() + i, j - i);
      for (const char* w : kWords) {
        if (word == w) return true;
      }
    }
    i = j;
  }
  return false;
}

bool IsChromeElement(const GumboElement& e) {
  if (IsChromeTag(e.tag)) return true;
  for (const char* name : {"class", "id", "role"}) {
    const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
    if (a != nullptr && NamesChrome(a->value)) return true;
  }
  return false;
}

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

// A paragraph-level block of text with where its bytes came from.
struct Block {
  std::string text;
  OffsetMap map;     // block text -> html bytes
  size_t chars = 0;  // weighted non-space characters
  size_t link_chars = 0;
  bool heading = false;
  bool chrome = false;  // inside a chrome container
};

// Returns the weight of code point `cp` for block length: characters of
// unsegmented scripts carry about two Latin letters' worth of text.
size_t Weight(char32_t cp) {
  if (cp <= ' ' || cp == 0xA0 || cp == 0x3000) return 0;
  return cp >= 0x2E80 ? 2 : 1;
}

class Extractor {
 public:
  Extractor(std::string_view html, const HtmlOptions& options)
      : html_(html), options_(options) {}

  HtmlText Run(GumboNode* root) {
    Walk(root);
    Flush();
    return Assemble();
  }

 private:
  // Iterative depth-first walk (no recursion: the tree may be deep).
  void Walk(GumboNode* root) {
    struct Frame {
      GumboNode* node;
      unsigned next_child;
      bool block, link, chrome;
    };
    std::vector<Frame> stack;
    auto enter = [&](GumboNode* node) {
      if (node->type != GUMBO_NODE_ELEMENT) {
        if (node->type == GUMBO_NODE_TEXT ||
            node->type == GUMBO_NODE_WHITESPACE ||
            node->type == GUMBO_NODE_CDATA) {
          AppendText(node->v.text);
        }
        return;
      }
      const GumboElement& e = node->v.element;
      if (IsSkipped(e.tag)) return;
      if (e.tag == GUMBO_TAG_BR) {
        current_.text.push_back('\n');
        return;
      }
      Frame f{node, 0, IsBlock(e.tag), false, false};
      if (f.block) Flush();
      if (e.tag == GUMBO_TAG_A &&
          gumbo_get_attribute(&e.attributes, "href") != nullptr) {
        f.link = true;
        ++in_link_;
      }
      if (options_.main_content && IsChromeElement(e)) {
        f.chrome = true;
        ++in_chrome_;
      }
      if (IsHeading(e.tag)) current_.heading = true;
      stack.push_back(f);
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
      if (f.block) Flush();
      if (f.link) --in_link_;
      if (f.chrome) --in_chrome_;
      stack.pop_back();
    }
  }

  // Appends a text node, aligning its decoded text with its source so that
  // every byte maps back into the HTML.
  void AppendText(const GumboText& t) {
    const std::string_view dec(t.text);
    const std::string_view raw(t.original_text.data, t.original_text.length);
    if (dec.empty()) return;
    const uint32_t raw_base =
        raw.data() != nullptr && raw.data() >= html_.data() &&
                raw.data() + raw.size() <= html_.data() + html_.size()
            ? static_cast<uint32_t>(raw.data() - html_.data())
            : t.start_pos.offset;
    if (current_.chrome == false && in_chrome_ > 0) current_.chrome = true;
    std::string& out = current_.text;
    size_t i = 0, j = 0;
    while (j < dec.size()) {
      const uint32_t out_pos = static_cast<uint32_t>(out.size());
      if (i >= raw.size()) {
        // Text the parser made beyond the node's source (at end of input):
        // map it to the node's whole source.
        const uint32_t added = AppendValid(dec.substr(j));
        current_.map.AddReplacement(out_pos, added, raw_base,
                                    static_cast<uint32_t>(raw.size()));
        return;
      }
      if (raw[i] == '&') {
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
          const uint32_t added = AppendValid(dec.substr(j, len));
          current_.map.AddReplacement(out_pos, added,
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
        out.push_back('\n');
        current_.map.AddReplacement(out_pos, 1,
                                    raw_base + static_cast<uint32_t>(i),
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
        out.append(dec.substr(j, n));
        current_.map.AddCopy(out_pos, raw_base + static_cast<uint32_t>(i),
                             static_cast<uint32_t>(n));
        Count(dec.substr(j, n));
        i += n;
        j += n;
        continue;
      }
      // Anything else the parser changed (NUL -> U+FFFD, ...).
      AppendChanged(dec, raw, raw_base, &i, &j);
    }
  }

  // Appends `piece` (parser output) to the block text with every byte that
  // is not part of valid UTF-8 replaced by U+FFFD (the parser can emit
  // such bytes for absurd character references), so the text is always
  // valid UTF-8. Returns the bytes appended.
  uint32_t AppendValid(std::string_view piece) {
    std::string& out = current_.text;
    const size_t before = out.size();
    size_t pos = 0;
    while (pos < piece.size()) {
      char32_t cp;
      const size_t len = DecodeUtf8(piece, pos, &cp);
      if (len == 0) {
        out += "\xEF\xBF\xBD";
        ++pos;
      } else {
        out.append(piece.substr(pos, len));
        pos += len;
      }
    }
    Count(std::string_view(out).substr(before));
    return static_cast<uint32_t>(out.size() - before);
  }

  // Appends one code point the parser changed, dec[*j], standing for one
  // code point of the source, raw[*i].
  void AppendChanged(std::string_view dec, std::string_view raw,
                     uint32_t raw_base, size_t* i, size_t* j) {
    const uint32_t out_pos = static_cast<uint32_t>(current_.text.size());
    char32_t cp;
    size_t dlen = DecodeUtf8(dec, *j, &cp);
    if (dlen == 0) dlen = 1;
    size_t rlen = *i < raw.size() ? DecodeUtf8(raw, *i, &cp) : 0;
    if (rlen == 0 && *i < raw.size()) rlen = 1;
    const uint32_t added = AppendValid(dec.substr(*j, dlen));
    current_.map.AddReplacement(out_pos, added,
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

  void Count(std::string_view s) {
    size_t pos = 0;
    while (pos < s.size()) {
      char32_t cp;
      size_t len = DecodeUtf8(s, pos, &cp);
      if (len == 0) len = 1, cp = 0xFFFD;
      const size_t w = Weight(cp);
      current_.chars += w;
      if (in_link_ > 0) current_.link_chars += w;
      pos += len;
    }
  }

  void Flush() {
    if (current_.chars > 0) blocks_.push_back(std::move(current_));
    current_ = Block();
  }

  enum class Class { kGood, kShort, kBad };

  std::vector<Class> Classify() const {
    std::vector<Class> c(blocks_.size());
    for (size_t i = 0; i < blocks_.size(); ++i) {
      const Block& b = blocks_[i];
      const double link_density =
          static_cast<double>(b.link_chars) / static_cast<double>(b.chars);
      if (b.chrome || link_density > 0.3) {
        c[i] = Class::kBad;
      } else if (b.chars >= 80 && !b.heading) {
        c[i] = Class::kGood;
      } else {
        c[i] = Class::kShort;
      }
    }
    // Context: a heading is kept when the next decided block is good; a
    // short block when the decided blocks on both sides are good.
    std::vector<Class> out = c;
    for (size_t i = 0; i < c.size(); ++i) {
      if (c[i] != Class::kShort) continue;
      Class prev = Class::kBad, next = Class::kBad;
      for (size_t k = i; k-- > 0;) {
        if (c[k] != Class::kShort) {
          prev = c[k];
          break;
        }
      }
      for (size_t k = i + 1; k < c.size(); ++k) {
        if (c[k] != Class::kShort) {
          next = c[k];
          break;
        }
      }
      const bool keep = blocks_[i].heading
                            ? next == Class::kGood
                            : prev == Class::kGood && next == Class::kGood;
      out[i] = keep ? Class::kGood : Class::kBad;
    }
    return out;
  }

  HtmlText Assemble() {
    std::vector<bool> keep(blocks_.size(), true);
    if (options_.main_content) {
      const std::vector<Class> c = Classify();
      bool any_good = false;
      for (Class x : c) any_good |= x == Class::kGood;
      for (size_t i = 0; i < c.size(); ++i) {
        // A page with no article-like block keeps all non-chrome text.
        keep[i] = any_good ? c[i] == Class::kGood : !blocks_[i].chrome;
      }
    }
    HtmlText out;
    for (size_t i = 0; i < blocks_.size(); ++i) {
      if (!keep[i]) continue;
      if (!out.text.empty()) out.text += "\n\n";
      const uint32_t base = static_cast<uint32_t>(out.text.size());
      out.text += blocks_[i].text;
      blocks_[i].map.AppendShiftedTo(base, &out.map);
    }
    return out;
  }

  const std::string_view html_;
  const HtmlOptions options_;
  std::vector<Block> blocks_;
  Block current_;
  int in_link_ = 0;
  int in_chrome_ = 0;
};

}  // namespace

bool LooksLikeHtml(std::string_view content) {
  size_t i = 0;
  if (content.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < content.size() && absl::ascii_isspace(content[i])) ++i;
  const std::string head = absl::AsciiStrToLower(absl::string_view(
      content.data() + i, std::min<size_t>(content.size() - i, 16)));
  for (const char* prefix :
       {"<!doctype html", "<html", "<head", "<body", "<!--", "<meta", "<div",
        "<p>", "<title", "<article", "<table"}) {
    if (absl::StartsWith(head, prefix)) return true;
  }
  return false;
}

absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html,
                                         const HtmlOptions& options) {
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
  return Extractor(html, options).Run(output->root);
}

}  // namespace neardup::text
