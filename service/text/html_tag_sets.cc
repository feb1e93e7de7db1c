#include "service/text/html_tag_sets.h"

#include <string_view>

namespace neardup::text::html_internal {

bool AllSpace(std::string_view s) {
  for (char c : s) {
    if (!IsHtmlSpace(c)) return false;
  }
  return true;
}

bool IsNul(const HtmlToken& t) {
  return t.verbatim && t.text.size() == 1 && t.text[0] == '\0';
}

// Elements with special parsing rules (the standard's "special" category),
// in the HTML namespace.
bool IsSpecialHtml(Tag t) {
  switch (t) {
    case Tag::kAddress:
    case Tag::kApplet:
    case Tag::kArea:
    case Tag::kArticle:
    case Tag::kAside:
    case Tag::kBase:
    case Tag::kBasefont:
    case Tag::kBgsound:
    case Tag::kBlockquote:
    case Tag::kBody:
    case Tag::kBr:
    case Tag::kButton:
    case Tag::kCaption:
    case Tag::kCenter:
    case Tag::kCol:
    case Tag::kColgroup:
    case Tag::kDd:
    case Tag::kDetails:
    case Tag::kDir:
    case Tag::kDiv:
    case Tag::kDl:
    case Tag::kDt:
    case Tag::kEmbed:
    case Tag::kFieldset:
    case Tag::kFigcaption:
    case Tag::kFigure:
    case Tag::kFooter:
    case Tag::kForm:
    case Tag::kFrame:
    case Tag::kFrameset:
    case Tag::kH1:
    case Tag::kH2:
    case Tag::kH3:
    case Tag::kH4:
    case Tag::kH5:
    case Tag::kH6:
    case Tag::kHead:
    case Tag::kHeader:
    case Tag::kHgroup:
    case Tag::kHr:
    case Tag::kHtml:
    case Tag::kIframe:
    case Tag::kImg:
    case Tag::kInput:
    case Tag::kKeygen:
    case Tag::kLi:
    case Tag::kLink:
    case Tag::kListing:
    case Tag::kMain:
    case Tag::kMarquee:
    case Tag::kMenu:
    case Tag::kMeta:
    case Tag::kNav:
    case Tag::kNoembed:
    case Tag::kNoframes:
    case Tag::kNoscript:
    case Tag::kObject:
    case Tag::kOl:
    case Tag::kP:
    case Tag::kParam:
    case Tag::kPlaintext:
    case Tag::kPre:
    case Tag::kScript:
    case Tag::kSection:
    case Tag::kSelect:
    case Tag::kSource:
    case Tag::kStyle:
    case Tag::kSummary:
    case Tag::kTable:
    case Tag::kTbody:
    case Tag::kTd:
    case Tag::kTemplate:
    case Tag::kTextarea:
    case Tag::kTfoot:
    case Tag::kTh:
    case Tag::kThead:
    case Tag::kTitle:
    case Tag::kTr:
    case Tag::kTrack:
    case Tag::kUl:
    case Tag::kWbr:
    case Tag::kXmp:
      return true;
    default:
      return false;
  }
}

bool IsMathTextIntegration(Ns ns, Tag t) {
  return ns == Ns::kMath && (t == Tag::kMi || t == Tag::kMo || t == Tag::kMn ||
                             t == Tag::kMs || t == Tag::kMtext);
}

bool IsHtmlIntegration(Ns ns, Tag t) {
  return ns == Ns::kSvg &&
         (t == Tag::kForeignObject || t == Tag::kDesc || t == Tag::kTitle);
}

bool IsImpliedEnd(Tag t) {
  switch (t) {
    case Tag::kDd:
    case Tag::kDt:
    case Tag::kLi:
    case Tag::kOptgroup:
    case Tag::kOption:
    case Tag::kP:
    case Tag::kRb:
    case Tag::kRp:
    case Tag::kRt:
    case Tag::kRtc:
      return true;
    default:
      return false;
  }
}

// Start tags that close an open p and otherwise just open an element.
bool IsBlockStart(Tag t) {
  switch (t) {
    case Tag::kAddress:
    case Tag::kArticle:
    case Tag::kAside:
    case Tag::kBlockquote:
    case Tag::kCenter:
    case Tag::kDetails:
    case Tag::kDir:
    case Tag::kDiv:
    case Tag::kDl:
    case Tag::kFieldset:
    case Tag::kFigcaption:
    case Tag::kFigure:
    case Tag::kFooter:
    case Tag::kHeader:
    case Tag::kHgroup:
    case Tag::kMain:
    case Tag::kMenu:
    case Tag::kNav:
    case Tag::kOl:
    case Tag::kP:
    case Tag::kSection:
    case Tag::kSummary:
    case Tag::kUl:
      return true;
    default:
      return false;
  }
}

// End tags that close the element when it is in scope.
bool IsBlockEnd(Tag t) {
  switch (t) {
    case Tag::kAddress:
    case Tag::kArticle:
    case Tag::kAside:
    case Tag::kBlockquote:
    case Tag::kButton:
    case Tag::kCenter:
    case Tag::kDetails:
    case Tag::kDir:
    case Tag::kDiv:
    case Tag::kDl:
    case Tag::kFieldset:
    case Tag::kFigcaption:
    case Tag::kFigure:
    case Tag::kFooter:
    case Tag::kHeader:
    case Tag::kHgroup:
    case Tag::kListing:
    case Tag::kMain:
    case Tag::kMenu:
    case Tag::kNav:
    case Tag::kOl:
    case Tag::kPre:
    case Tag::kSection:
    case Tag::kSummary:
    case Tag::kUl:
      return true;
    default:
      return false;
  }
}

bool IsTableSection(Tag t) {
  return t == Tag::kTbody || t == Tag::kTfoot || t == Tag::kThead;
}

bool IsTablePart(Tag t) {
  return t == Tag::kTable || IsTableSection(t) || t == Tag::kTr;
}

// Table-structure tags that end a caption, cell or select in a table.
bool IsTableStructure(Tag t) {
  switch (t) {
    case Tag::kCaption:
    case Tag::kCol:
    case Tag::kColgroup:
    case Tag::kTbody:
    case Tag::kTd:
    case Tag::kTfoot:
    case Tag::kTh:
    case Tag::kThead:
    case Tag::kTr:
      return true;
    default:
      return false;
  }
}

// Start tags that leave foreign content (svg, math).
bool BreaksOutOfForeign(const HtmlToken& t) {
  switch (t.tag) {
    case Tag::kB:
    case Tag::kBig:
    case Tag::kBlockquote:
    case Tag::kBody:
    case Tag::kBr:
    case Tag::kCenter:
    case Tag::kCode:
    case Tag::kDd:
    case Tag::kDiv:
    case Tag::kDl:
    case Tag::kDt:
    case Tag::kEm:
    case Tag::kEmbed:
    case Tag::kH1:
    case Tag::kH2:
    case Tag::kH3:
    case Tag::kH4:
    case Tag::kH5:
    case Tag::kH6:
    case Tag::kHead:
    case Tag::kHr:
    case Tag::kI:
    case Tag::kImg:
    case Tag::kLi:
    case Tag::kListing:
    case Tag::kMenu:
    case Tag::kMeta:
    case Tag::kNobr:
    case Tag::kOl:
    case Tag::kP:
    case Tag::kPre:
    case Tag::kRuby:
    case Tag::kS:
    case Tag::kSmall:
    case Tag::kSpan:
    case Tag::kStrike:
    case Tag::kStrong:
    case Tag::kSub:
    case Tag::kSup:
    case Tag::kTable:
    case Tag::kTt:
    case Tag::kU:
    case Tag::kUl:
    case Tag::kVar:
      return true;
    default:
      return false;
  }
}

}  // namespace neardup::text::html_internal
