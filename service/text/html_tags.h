// The HTML element names that our HTML reader and text extraction tell
// apart (html_reader.h, html_extract.h); every other name is kOther.

#ifndef NEARDUP_SERVICE_TEXT_HTML_TAGS_H_
#define NEARDUP_SERVICE_TEXT_HTML_TAGS_H_

#include <cstdint>
#include <string_view>

namespace neardup::text {

// X(enumerator, lower-case name), in alphabetical order of the name.
#define NEARDUP_HTML_TAGS(X)          \
  X(kA, "a")                          \
  X(kAddress, "address")              \
  X(kAnnotationXml, "annotation-xml") \
  X(kApplet, "applet")                \
  X(kArea, "area")                    \
  X(kArticle, "article")              \
  X(kAside, "aside")                  \
  X(kB, "b")                          \
  X(kBase, "base")                    \
  X(kBasefont, "basefont")            \
  X(kBgsound, "bgsound")              \
  X(kBig, "big")                      \
  X(kBlockquote, "blockquote")        \
  X(kBody, "body")                    \
  X(kBr, "br")                        \
  X(kButton, "button")                \
  X(kCanvas, "canvas")                \
  X(kCaption, "caption")              \
  X(kCenter, "center")                \
  X(kCode, "code")                    \
  X(kCol, "col")                      \
  X(kColgroup, "colgroup")            \
  X(kDd, "dd")                        \
  X(kDesc, "desc")                    \
  X(kDetails, "details")              \
  X(kDir, "dir")                      \
  X(kDiv, "div")                      \
  X(kDl, "dl")                        \
  X(kDt, "dt")                        \
  X(kEm, "em")                        \
  X(kEmbed, "embed")                  \
  X(kFieldset, "fieldset")            \
  X(kFigcaption, "figcaption")        \
  X(kFigure, "figure")                \
  X(kFont, "font")                    \
  X(kFooter, "footer")                \
  X(kForeignObject, "foreignobject")  \
  X(kForm, "form")                    \
  X(kFrame, "frame")                  \
  X(kFrameset, "frameset")            \
  X(kH1, "h1")                        \
  X(kH2, "h2")                        \
  X(kH3, "h3")                        \
  X(kH4, "h4")                        \
  X(kH5, "h5")                        \
  X(kH6, "h6")                        \
  X(kHead, "head")                    \
  X(kHeader, "header")                \
  X(kHgroup, "hgroup")                \
  X(kHr, "hr")                        \
  X(kHtml, "html")                    \
  X(kI, "i")                          \
  X(kIframe, "iframe")                \
  X(kImage, "image")                  \
  X(kImg, "img")                      \
  X(kInput, "input")                  \
  X(kKeygen, "keygen")                \
  X(kLi, "li")                        \
  X(kLink, "link")                    \
  X(kListing, "listing")              \
  X(kMain, "main")                    \
  X(kMarquee, "marquee")              \
  X(kMath, "math")                    \
  X(kMenu, "menu")                    \
  X(kMeta, "meta")                    \
  X(kMi, "mi")                        \
  X(kMn, "mn")                        \
  X(kMo, "mo")                        \
  X(kMs, "ms")                        \
  X(kMtext, "mtext")                  \
  X(kNav, "nav")                      \
  X(kNobr, "nobr")                    \
  X(kNoembed, "noembed")              \
  X(kNoframes, "noframes")            \
  X(kNoscript, "noscript")            \
  X(kObject, "object")                \
  X(kOl, "ol")                        \
  X(kOptgroup, "optgroup")            \
  X(kOption, "option")                \
  X(kP, "p")                          \
  X(kParam, "param")                  \
  X(kPlaintext, "plaintext")          \
  X(kPre, "pre")                      \
  X(kRb, "rb")                        \
  X(kRp, "rp")                        \
  X(kRt, "rt")                        \
  X(kRtc, "rtc")                      \
  X(kRuby, "ruby")                    \
  X(kS, "s")                          \
  X(kScript, "script")                \
  X(kSection, "section")              \
  X(kSelect, "select")                \
  X(kSmall, "small")                  \
  X(kSource, "source")                \
  X(kSpan, "span")                    \
  X(kStrike, "strike")                \
  X(kStrong, "strong")                \
  X(kStyle, "style")                  \
  X(kSub, "sub")                      \
  X(kSummary, "summary")              \
  X(kSup, "sup")                      \
  X(kSvg, "svg")                      \
  X(kTable, "table")                  \
  X(kTbody, "tbody")                  \
  X(kTd, "td")                        \
  X(kTemplate, "template")            \
  X(kTextarea, "textarea")            \
  X(kTfoot, "tfoot")                  \
  X(kTh, "th")                        \
  X(kThead, "thead")                  \
  X(kTitle, "title")                  \
  X(kTr, "tr")                        \
  X(kTrack, "track")                  \
  X(kTt, "tt")                        \
  X(kU, "u")                          \
  X(kUl, "ul")                        \
  X(kVar, "var")                      \
  X(kWbr, "wbr")                      \
  X(kXmp, "xmp")

enum class HtmlTag : uint8_t {
  kOther = 0,  // any name not listed
#define NEARDUP_HTML_TAG_ENUMERATOR(e, name) e,
  NEARDUP_HTML_TAGS(NEARDUP_HTML_TAG_ENUMERATOR)
#undef NEARDUP_HTML_TAG_ENUMERATOR
};

// Returns the tag named `lower_name` (ASCII lower case), or kOther.
HtmlTag HtmlTagFromName(std::string_view lower_name);

// Returns the lower-case name of `tag` ("" for kOther).
std::string_view HtmlTagName(HtmlTag tag);

// Returns true for h1 .. h6.
inline bool IsHeading(HtmlTag tag) {
  return tag >= HtmlTag::kH1 && tag <= HtmlTag::kH6;
}

}  // namespace neardup::text

#endif  // NEARDUP_SERVICE_TEXT_HTML_TAGS_H_
