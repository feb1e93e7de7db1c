// TreeBuilder (html_tree_builder.h): the in body insertion mode, after
// body, after after body, and the frameset modes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "service/text/html_extract.h"
#include "service/text/html_tag_sets.h"
#include "service/text/html_tags.h"
#include "service/text/html_tokenizer.h"
#include "service/text/html_tree_builder.h"

namespace neardup::text::html_internal {

bool TreeBuilder::InBody(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (IsNul(t)) return false;
      Reconstruct();
      InsertText(t);
      if (frameset_ok_ && !AllSpace(t.text)) frameset_ok_ = false;
      return false;
    case HtmlTokenType::kStartTag:
      return BodyStartTag(t);
    case HtmlTokenType::kEndTag:
      return BodyEndTag(t);
    default:
      return false;
  }
}

bool TreeBuilder::BodyStartTag(HtmlToken& t) {
  const Tag tag = t.tag;
  if (IsBlockStart(tag)) {
    ClosePInButtonScope();
    Insert(t);
    return false;
  }
  if (IsHeading(tag)) {
    ClosePInButtonScope();
    if (!stack_.empty() && Current().ns == Ns::kHtml &&
        IsHeading(Current().tag)) {
      Pop();
    }
    Insert(t);
    return false;
  }
  switch (tag) {
    case Tag::kHtml:
    case Tag::kBody:
      frameset_ok_ = tag == Tag::kHtml && frameset_ok_;
      return false;
    case Tag::kBase:
    case Tag::kBasefont:
    case Tag::kBgsound:
    case Tag::kLink:
    case Tag::kMeta:
    case Tag::kNoframes:
    case Tag::kScript:
    case Tag::kStyle:
    case Tag::kTemplate:
    case Tag::kTitle:
      HeadElement(t);
      return false;
    case Tag::kFrameset:
      if (frameset_ok_ && stack_.size() > 1 && stack_[1].tag == Tag::kBody) {
        while (stack_.size() > 1) Pop();
        Insert(t);
        mode_ = Mode::kInFrameset;
      }
      return false;
    case Tag::kPre:
    case Tag::kListing:
      ClosePInButtonScope();
      Insert(t);
      skip_lf_ = true;
      frameset_ok_ = false;
      return false;
    case Tag::kForm:
      if (form_id_ != 0 && !InStack(Tag::kTemplate)) return false;
      ClosePInButtonScope();
      Insert(t);
      if (!InStack(Tag::kTemplate)) form_id_ = Current().id;
      return false;
    case Tag::kLi:
    case Tag::kDd:
    case Tag::kDt: {
      frameset_ok_ = false;
      for (size_t i = stack_.size(); i-- > 0;) {
        const Node& n = stack_[i];
        if (n.zombie) continue;
        const bool match =
            n.ns == Ns::kHtml &&
            (tag == Tag::kLi ? n.tag == Tag::kLi
                             : n.tag == Tag::kDd || n.tag == Tag::kDt);
        if (match) {
          const Tag close = n.tag;
          GenerateImpliedEndTags(close);
          PopUntil(close);
          break;
        }
        if (n.special &&
            !(n.ns == Ns::kHtml && (n.tag == Tag::kAddress ||
                                    n.tag == Tag::kDiv || n.tag == Tag::kP))) {
          break;
        }
      }
      ClosePInButtonScope();
      Insert(t);
      return false;
    }
    case Tag::kPlaintext:
      ClosePInButtonScope();
      Insert(t);
      tokenizer_.SwitchTo(TextModel::kPlaintext);
      return false;
    case Tag::kButton:
      if (InScope(Tag::kButton)) {
        GenerateImpliedEndTags();
        PopUntil(Tag::kButton);
      }
      Reconstruct();
      Insert(t);
      frameset_ok_ = false;
      return false;
    case Tag::kA: {
      const int entry = FindFormatting(Tag::kA);
      if (entry >= 0) {
        HtmlToken end = t;
        end.type = HtmlTokenType::kEndTag;
        AdoptionAgency(end);
        // Whatever is left of that a: out of the list and the stack.
        const int again = FindFormatting(Tag::kA);
        if (again >= 0) list_.erase(list_.begin() + again);
      }
      Reconstruct();
      Insert(t);
      PushFormatting(t);
      return false;
    }
    case Tag::kB:
    case Tag::kBig:
    case Tag::kCode:
    case Tag::kEm:
    case Tag::kFont:
    case Tag::kI:
    case Tag::kS:
    case Tag::kSmall:
    case Tag::kStrike:
    case Tag::kStrong:
    case Tag::kTt:
    case Tag::kU:
      Reconstruct();
      Insert(t);
      PushFormatting(t);
      return false;
    case Tag::kNobr:
      Reconstruct();
      if (InScope(Tag::kNobr)) {
        HtmlToken end = t;
        end.type = HtmlTokenType::kEndTag;
        AdoptionAgency(end);
        Reconstruct();
      }
      Insert(t);
      PushFormatting(t);
      return false;
    case Tag::kApplet:
    case Tag::kMarquee:
    case Tag::kObject:
      Reconstruct();
      Insert(t);
      PushMarker();
      frameset_ok_ = false;
      return false;
    case Tag::kTable:
      if (!quirks_) ClosePInButtonScope();
      Insert(t);
      frameset_ok_ = false;
      mode_ = Mode::kInTable;
      return false;
    case Tag::kArea:
    case Tag::kBr:
    case Tag::kEmbed:
    case Tag::kImg:
    case Tag::kImage:
    case Tag::kKeygen:
    case Tag::kWbr:
    case Tag::kInput:
      Reconstruct();
      if (tag == Tag::kImage) t.tag = Tag::kImg;
      InsertVoid(t);
      frameset_ok_ = false;
      return false;
    case Tag::kParam:
    case Tag::kSource:
    case Tag::kTrack:
      InsertVoid(t);
      return false;
    case Tag::kHr:
      ClosePInButtonScope();
      InsertVoid(t);
      frameset_ok_ = false;
      return false;
    case Tag::kTextarea:
      StartRawText(t, TextModel::kRcdata);
      skip_lf_ = true;
      frameset_ok_ = false;
      return false;
    case Tag::kXmp:
      ClosePInButtonScope();
      Reconstruct();
      frameset_ok_ = false;
      StartRawText(t, TextModel::kRawtext);
      return false;
    case Tag::kIframe:
      frameset_ok_ = false;
      StartRawText(t, TextModel::kRawtext);
      return false;
    case Tag::kNoembed:
      StartRawText(t, TextModel::kRawtext);
      return false;
    case Tag::kSelect:
      Reconstruct();
      Insert(t);
      frameset_ok_ = false;
      mode_ = mode_ == Mode::kInTable || mode_ == Mode::kInCaption ||
                      mode_ == Mode::kInTableBody || mode_ == Mode::kInRow ||
                      mode_ == Mode::kInCell
                  ? Mode::kInSelectInTable
                  : Mode::kInSelect;
      return false;
    case Tag::kOptgroup:
    case Tag::kOption:
      if (CurrentIs(Tag::kOption)) Pop();
      Reconstruct();
      Insert(t);
      return false;
    case Tag::kRb:
    case Tag::kRp:
    case Tag::kRt:
    case Tag::kRtc:
      if (InScope(Tag::kRuby)) GenerateImpliedEndTags();
      Insert(t);
      return false;
    case Tag::kMath:
    case Tag::kSvg:
      Reconstruct();
      Insert(t, tag == Tag::kMath ? Ns::kMath : Ns::kSvg);
      if (t.self_closing) Pop();
      return false;
    case Tag::kCaption:
    case Tag::kCol:
    case Tag::kColgroup:
    case Tag::kFrame:
    case Tag::kHead:
    case Tag::kTbody:
    case Tag::kTd:
    case Tag::kTfoot:
    case Tag::kTh:
    case Tag::kThead:
    case Tag::kTr:
      return false;
    default:
      Reconstruct();
      Insert(t);
      return false;
  }
}

bool TreeBuilder::BodyEndTag(HtmlToken& t) {
  const Tag tag = t.tag;
  if (IsBlockEnd(tag)) {
    if (!InScope(tag)) return false;
    GenerateImpliedEndTags();
    PopUntil(tag);
    return false;
  }
  if (IsHeading(tag)) {
    if (!HeadingInScope()) return false;
    GenerateImpliedEndTags();
    while (!stack_.empty()) {
      const bool done = Current().ns == Ns::kHtml && IsHeading(Current().tag) &&
                        !Current().zombie;
      Pop();
      if (done) break;
    }
    return false;
  }
  switch (tag) {
    case Tag::kTemplate:
      return EndTemplate();
    case Tag::kBody:
      if (InScope(Tag::kBody)) mode_ = Mode::kAfterBody;
      return false;
    case Tag::kHtml:
      if (!InScope(Tag::kBody)) return false;
      mode_ = Mode::kAfterBody;
      return true;
    case Tag::kForm: {
      const uint32_t id = form_id_;
      form_id_ = 0;
      if (id == 0) return false;
      size_t k = stack_.size();
      for (size_t i = stack_.size(); i-- > 0;) {
        if (stack_[i].zombie) continue;
        if (stack_[i].id == id) {
          k = i;
          break;
        }
        if (IsBoundary(stack_[i], Scope::kDefault)) break;
      }
      if (k == stack_.size()) return false;
      GenerateImpliedEndTags();
      if (k == stack_.size() - 1) {
        Pop();
      } else {
        stack_[k].zombie = true;
      }
      return false;
    }
    case Tag::kP:
      if (!InScope(Tag::kP, Scope::kButton)) {
        InsertImplied(Tag::kP);
      }
      ClosePElement();
      return false;
    case Tag::kLi:
      if (!InScope(Tag::kLi, Scope::kListItem)) return false;
      GenerateImpliedEndTags(Tag::kLi);
      PopUntil(Tag::kLi);
      return false;
    case Tag::kDd:
    case Tag::kDt:
      if (!InScope(tag)) return false;
      GenerateImpliedEndTags(tag);
      PopUntil(tag);
      return false;
    case Tag::kA:
    case Tag::kB:
    case Tag::kBig:
    case Tag::kCode:
    case Tag::kEm:
    case Tag::kFont:
    case Tag::kI:
    case Tag::kNobr:
    case Tag::kS:
    case Tag::kSmall:
    case Tag::kStrike:
    case Tag::kStrong:
    case Tag::kTt:
    case Tag::kU:
      AdoptionAgency(t);
      return false;
    case Tag::kApplet:
    case Tag::kMarquee:
    case Tag::kObject:
      if (!InScope(tag)) return false;
      GenerateImpliedEndTags();
      PopUntil(tag);
      ClearListToMarker();
      return false;
    case Tag::kBr: {
      HtmlToken br = t;
      br.type = HtmlTokenType::kStartTag;
      br.class_name = br.id = br.role = std::string_view();
      br.has_href = false;
      Reconstruct();
      InsertVoid(br);
      frameset_ok_ = false;
      return false;
    }
    default:
      AnyOtherEndTag(t);
      return false;
  }
}

bool TreeBuilder::AfterBody(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (t.verbatim ? IsHtmlSpace(t.text[0]) : AllSpace(t.text)) {
        // Whitespace goes in (as in body); the rest switches back.
        Reconstruct();
        if (InsertLeadingSpace(&t)) return false;
      }
      break;
    case HtmlTokenType::kComment:
    case HtmlTokenType::kDoctype:
      return false;
    case HtmlTokenType::kStartTag:
      if (t.tag == Tag::kHtml) return InBody(t);
      break;
    case HtmlTokenType::kEndTag:
      if (t.tag == Tag::kHtml && mode_ == Mode::kAfterBody) {
        mode_ = Mode::kAfterAfterBody;
        return false;
      }
      break;
    default:
      break;
  }
  mode_ = Mode::kInBody;
  return true;
}

bool TreeBuilder::InFrameset(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (t.verbatim ? IsHtmlSpace(t.text[0]) : AllSpace(t.text)) {
        InsertLeadingSpace(&t);
      }
      return false;
    case HtmlTokenType::kStartTag:
      if (t.tag == Tag::kHtml) return InBody(t);
      if (t.tag == Tag::kNoframes) {
        HeadElement(t);
        return false;
      }
      if (mode_ != Mode::kInFrameset) return false;
      if (t.tag == Tag::kFrameset) {
        Insert(t);
      } else if (t.tag == Tag::kFrame) {
        InsertVoid(t);
      }
      return false;
    case HtmlTokenType::kEndTag:
      if (mode_ == Mode::kInFrameset && t.tag == Tag::kFrameset) {
        if (stack_.size() <= 1) return false;
        Pop();
        if (!CurrentIs(Tag::kFrameset)) mode_ = Mode::kAfterFrameset;
      } else if (mode_ == Mode::kAfterFrameset && t.tag == Tag::kHtml) {
        mode_ = Mode::kAfterAfterFrameset;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace neardup::text::html_internal
