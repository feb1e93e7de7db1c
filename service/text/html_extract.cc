#include "service/text/html_extract.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "service/text/utf8.h"

namespace neardup::text {
namespace {

// Elements whose content is never text of the page.
bool IsSkipped(HtmlTag tag) {
  switch (tag) {
    case HtmlTag::kScript:
    case HtmlTag::kStyle:
    case HtmlTag::kNoscript:
    case HtmlTag::kTemplate:
    case HtmlTag::kHead:
    case HtmlTag::kTitle:
    case HtmlTag::kIframe:
    case HtmlTag::kObject:
    case HtmlTag::kEmbed:
    case HtmlTag::kSvg:
    case HtmlTag::kMath:
    case HtmlTag::kCanvas:
    case HtmlTag::kSelect:
    case HtmlTag::kTextarea:
    case HtmlTag::kButton:
      return true;
    default:
      return false;
  }
}

bool IsBlock(HtmlTag tag) {
  switch (tag) {
    case HtmlTag::kAddress:
    case HtmlTag::kArticle:
    case HtmlTag::kAside:
    case HtmlTag::kBlockquote:
    case HtmlTag::kBody:
    case HtmlTag::kCaption:
    case HtmlTag::kCenter:
    case HtmlTag::kDd:
    case HtmlTag::kDetails:
    case HtmlTag::kDiv:
    case HtmlTag::kDl:
    case HtmlTag::kDt:
    case HtmlTag::kFieldset:
    case HtmlTag::kFigcaption:
    case HtmlTag::kFigure:
    case HtmlTag::kFooter:
    case HtmlTag::kForm:
    case HtmlTag::kH1:
    case HtmlTag::kH2:
    case HtmlTag::kH3:
    case HtmlTag::kH4:
    case HtmlTag::kH5:
    case HtmlTag::kH6:
    case HtmlTag::kHeader:
    case HtmlTag::kHr:
    case HtmlTag::kHtml:
    case HtmlTag::kLi:
    case HtmlTag::kMain:
    case HtmlTag::kMenu:
    case HtmlTag::kNav:
    case HtmlTag::kOl:
    case HtmlTag::kP:
    case HtmlTag::kPre:
    case HtmlTag::kSection:
    case HtmlTag::kSummary:
    case HtmlTag::kTable:
    case HtmlTag::kTbody:
    case HtmlTag::kTd:
    case HtmlTag::kTfoot:
    case HtmlTag::kTh:
    case HtmlTag::kThead:
    case HtmlTag::kTr:
    case HtmlTag::kUl:
      return true;
    default:
      return false;
  }
}

// Semantic containers of page chrome.
bool IsChromeTag(HtmlTag tag) {
  return tag == HtmlTag::kNav || tag == HtmlTag::kAside ||
         tag == HtmlTag::kFooter || tag == HtmlTag::kForm ||
         tag == HtmlTag::kMenu || tag == HtmlTag::kHeader;
}

// True if a class or id value names page chrome: one of its words (split on
// anything but letters and digits) is a boilerplate word.
bool NamesChrome(std::string_view value) {
  static const auto* words = new absl::flat_hash_set<std::string_view>{
      "nav",        "navbar",      "navigation", "menu",          "sidebar",
      "breadcrumb", "breadcrumbs", "cookie",     "cookies",       "consent",
      "footer",     "share",       "sharing",    "social",        "comments",
      "comment",    "related",     "advert",     "advertisement", "ads",
      "banner",     "popup",       "subscribe",  "newsletter",    "toolbar",
      "pagination", "masthead",    "topbar",     "promo"};
  constexpr size_t kLongest = 13;  // "advertisement"
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && !absl::ascii_isalnum(value[i])) ++i;
    size_t j = i;
    while (j < value.size() && absl::ascii_isalnum(value[j])) ++j;
    if (j - i >= 3 && j - i <= kLongest) {  // the words have 3 to 13 letters
      char lower[kLongest];
      for (size_t k = i; k < j; ++k)
        lower[k - i] = absl::ascii_tolower(value[k]);
      if (words->contains(std::string_view(lower, j - i))) return true;
    }
    i = j;
  }
  return false;
}

bool IsChromeElement(const HtmlElement& e) {
  return IsChromeTag(e.tag) || NamesChrome(e.class_name) || NamesChrome(e.id) ||
         NamesChrome(e.role);
}

// Returns the weight of code point `cp` for block length: characters of
// unsegmented scripts carry about two Latin letters' worth of text.
size_t Weight(char32_t cp) {
  if (cp <= ' ' || cp == 0xA0 || cp == 0x3000) return 0;
  return cp >= 0x2E80 ? 2 : 1;
}

}  // namespace

HtmlTextBuilder::HtmlTextBuilder(const HtmlOptions& options)
    : options_(options) {}

void HtmlTextBuilder::StartElement(const HtmlElement& e) {
  if (skip_depth_ > 0 || IsSkipped(e.tag) || e.tag == HtmlTag::kBr) {
    // A <br> is a line break; it is counted as a skipped element so that
    // anything inside it (only our reader's Detach could reach it) and its
    // end event are dropped.
    if (skip_depth_ == 0 && e.tag == HtmlTag::kBr)
      current_.text.push_back('\n');
    ++skip_depth_;
    frames_.push_back(Frame{e.tag, true, false, false, false});
    return;
  }
  Frame f{e.tag, false, IsBlock(e.tag), false, false};
  if (f.block) Flush();
  if (e.tag == HtmlTag::kA && e.has_href) {
    f.link = true;
    ++in_link_;
  }
  if (options_.main_content && IsChromeElement(e)) {
    f.chrome = true;
    ++in_chrome_;
  }
  if (IsHeading(e.tag)) current_.heading = true;
  frames_.push_back(f);
}

void HtmlTextBuilder::EndElement() {
  if (frames_.empty()) return;
  const Frame f = frames_.back();
  frames_.pop_back();
  if (f.skip) {
    --skip_depth_;
    return;
  }
  if (f.block) Flush();
  if (f.link) --in_link_;
  if (f.chrome) --in_chrome_;
}

void HtmlTextBuilder::Detach(HtmlTag tag) {
  for (size_t i = frames_.size(); i-- > 0;) {
    Frame& f = frames_[i];
    if (f.tag != tag) continue;
    if (f.skip) return;
    if (f.link) --in_link_;
    if (f.chrome) --in_chrome_;
    f.link = f.chrome = false;
    return;
  }
}

void HtmlTextBuilder::AddCopy(std::string_view text, uint32_t src) {
  if (skip_depth_ > 0 || text.empty()) return;
  if (in_chrome_ > 0) current_.chrome = true;
  current_.map.AddCopy(static_cast<uint32_t>(current_.text.size()), src,
                       static_cast<uint32_t>(text.size()));
  current_.text.append(text);
  CountCopied(text);
}

void HtmlTextBuilder::AddReplacement(std::string_view text, uint32_t src,
                                     uint32_t src_len) {
  if (skip_depth_ > 0 || text.empty()) return;
  if (in_chrome_ > 0) current_.chrome = true;
  std::string& out = current_.text;
  const size_t before = out.size();
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp;
    const size_t len = DecodeUtf8(text, pos, &cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++pos;
    } else {
      out.append(text.substr(pos, len));
      pos += len;
    }
  }
  current_.map.AddReplacement(static_cast<uint32_t>(before),
                              static_cast<uint32_t>(out.size() - before), src,
                              src_len);
  Count(std::string_view(out).substr(before));
}

// As Count, for valid UTF-8, without decoding every code point: only the
// lead bytes decide the weights.
void HtmlTextBuilder::CountCopied(std::string_view s) {
  size_t w = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char b = *p;
    if (b < 0x80) {
      w += b > ' ' ? 1 : 0;
      ++p;
    } else if (b < 0xE0) {
      // U+0080..U+07FF: all weigh 1 but U+00A0 (C2 A0).
      if (b < 0xC0 || p + 1 >= end) {  // not valid UTF-8: as Count does
        Count(std::string_view(reinterpret_cast<const char*>(p), end - p));
        break;
      }
      w += b == 0xC2 && p[1] == 0xA0 ? 0 : 1;
      p += 2;
    } else if (b < 0xF0) {
      if (p + 2 >= end) {
        Count(std::string_view(reinterpret_cast<const char*>(p), end - p));
        break;
      }
      const char32_t cp = (char32_t{b & 0x0Fu} << 12) |
                          (char32_t{p[1] & 0x3Fu} << 6) | (p[2] & 0x3Fu);
      w += Weight(cp);
      p += 3;
    } else {
      if (b >= 0xF5 || p + 3 >= end) {
        Count(std::string_view(reinterpret_cast<const char*>(p), end - p));
        break;
      }
      w += 2;  // beyond U+FFFF
      p += 4;
    }
  }
  current_.chars += w;
  if (in_link_ > 0) current_.link_chars += w;
}

void HtmlTextBuilder::Count(std::string_view s) {
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

void HtmlTextBuilder::Flush() {
  if (current_.chars > 0) blocks_.push_back(std::move(current_));
  current_ = Block();
}

std::vector<HtmlTextBuilder::Class> HtmlTextBuilder::Classify() const {
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

HtmlText HtmlTextBuilder::Finish() {
  Flush();
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

}  // namespace neardup::text
