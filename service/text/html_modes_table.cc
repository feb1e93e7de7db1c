// TreeBuilder (html_tree_builder.h): the rules for foreign content (svg,
// math) and the table insertion modes (in table, in table text, in
// caption, in column group, in table body, in row, in cell), in select and
// in select in table.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/strings/match.h"
#include "service/text/html_extract.h"
#include "service/text/html_tag_sets.h"
#include "service/text/html_tags.h"
#include "service/text/html_tokenizer.h"
#include "service/text/html_tree_builder.h"

namespace neardup::text::html_internal {

bool TreeBuilder::UseForeignRules(const HtmlToken& t) {
  if (stack_.empty()) return false;
  const Node& n = Current();
  if (n.ns == Ns::kHtml) return false;
  const bool start = t.type == HtmlTokenType::kStartTag;
  const bool text = t.type == HtmlTokenType::kText;
  if (IsMathTextIntegration(n.ns, n.tag)) {
    if (text) return false;
    if (start && t.name != "mglyph" && t.name != "malignmark") return false;
  }
  if (n.ns == Ns::kMath && n.tag == Tag::kAnnotationXml && start &&
      t.tag == Tag::kSvg) {
    return false;
  }
  if (IsHtmlIntegration(n.ns, n.tag) && (start || text)) return false;
  return true;
}

bool TreeBuilder::Foreign(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (IsNul(t)) {
        Target()->AddReplacement("\xEF\xBF\xBD", t.src, 1);
      } else {
        // Text other than white space in foreign content means the page
        // has a body: a later <frameset> is ignored.
        InsertText(t);
        if (frameset_ok_ && !AllSpace(t.text)) frameset_ok_ = false;
      }
      return false;
    case HtmlTokenType::kStartTag: {
      const bool font_breaks = t.tag == Tag::kFont;  // with color/face/size
      if (BreaksOutOfForeign(t) || font_breaks) {
        while (!stack_.empty() && Current().ns != Ns::kHtml &&
               !IsMathTextIntegration(Current().ns, Current().tag) &&
               !IsHtmlIntegration(Current().ns, Current().tag)) {
          Pop();
        }
        return InMode(t);
      }
      Insert(t, Current().ns);
      if (t.self_closing) Pop();
      return false;
    }
    case HtmlTokenType::kEndTag: {
      for (size_t i = stack_.size(); i-- > 0;) {
        if (i == 0) return false;
        const Node& n = stack_[i];
        if (n.zombie) continue;
        if (NameIs(n, t.name)) {
          while (stack_.size() > i) Pop();
          return false;
        }
        if (stack_[i - 1].ns == Ns::kHtml) return InMode(t);
      }
      return false;
    }
    default:
      return false;
  }
}

bool TreeBuilder::FosterInBody(HtmlToken& t) {
  foster_ = true;
  const bool again = InBody(t);
  foster_ = false;
  return again;
}

bool TreeBuilder::InTable(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (!stack_.empty() && Current().ns == Ns::kHtml &&
          IsTablePart(Current().tag)) {
        table_text_mode_ = mode_;
        mode_ = Mode::kInTableText;
        pending_.clear();
        pending_store_.clear();
        pending_space_only_ = true;
        return true;
      }
      return FosterInBody(t);
    case HtmlTokenType::kComment:
    case HtmlTokenType::kDoctype:
      return false;
    case HtmlTokenType::kStartTag:
      switch (t.tag) {
        case Tag::kCaption:
          ClearToTableContext();
          PushMarker();
          Insert(t);
          mode_ = Mode::kInCaption;
          return false;
        case Tag::kColgroup:
          ClearToTableContext();
          Insert(t);
          mode_ = Mode::kInColumnGroup;
          return false;
        case Tag::kCol:
          ClearToTableContext();
          InsertImplied(Tag::kColgroup);
          mode_ = Mode::kInColumnGroup;
          return true;
        case Tag::kTbody:
        case Tag::kTfoot:
        case Tag::kThead:
          ClearToTableContext();
          Insert(t);
          mode_ = Mode::kInTableBody;
          return false;
        case Tag::kTd:
        case Tag::kTh:
        case Tag::kTr:
          ClearToTableContext();
          InsertImplied(Tag::kTbody);
          mode_ = Mode::kInTableBody;
          return true;
        case Tag::kTable:
          if (!InScope(Tag::kTable, Scope::kTable)) return false;
          PopUntil(Tag::kTable);
          ResetInsertionMode();
          return true;
        case Tag::kStyle:
        case Tag::kScript:
        case Tag::kTemplate:
          HeadElement(t);
          return false;
        case Tag::kInput:
          if (absl::EqualsIgnoreCase(
                  absl::string_view(t.input_type.data(), t.input_type.size()),
                  "hidden")) {
            InsertVoid(t);
            return false;
          }
          return FosterInBody(t);
        case Tag::kForm:
          if (form_id_ != 0 || InStack(Tag::kTemplate)) return false;
          Insert(t);
          form_id_ = Current().id;
          Pop();
          return false;
        default:
          return FosterInBody(t);
      }
    case HtmlTokenType::kEndTag:
      switch (t.tag) {
        case Tag::kTable:
          if (!InScope(Tag::kTable, Scope::kTable)) return false;
          PopUntil(Tag::kTable);
          ResetInsertionMode();
          return false;
        case Tag::kBody:
        case Tag::kCaption:
        case Tag::kCol:
        case Tag::kColgroup:
        case Tag::kHtml:
        case Tag::kTbody:
        case Tag::kTd:
        case Tag::kTfoot:
        case Tag::kTh:
        case Tag::kThead:
        case Tag::kTr:
          return false;
        case Tag::kTemplate:
          return EndTemplate();
        default:
          return FosterInBody(t);
      }
    default:
      return false;
  }
}

bool TreeBuilder::InTableText(HtmlToken& t) {
  // Only text comes here; other tokens flush it first (Step).
  if (IsNul(t)) return false;
  PendingText p{t.verbatim, t.src, t.src_len, 0, 0};
  if (!t.verbatim) {
    p.begin = static_cast<uint32_t>(pending_store_.size());
    p.size = static_cast<uint32_t>(t.text.size());
    pending_store_.append(t.text);
  }
  if (pending_space_only_ && !AllSpace(t.text)) pending_space_only_ = false;
  pending_.push_back(p);
  return false;
}

void TreeBuilder::FlushTableText() {
  for (const PendingText& p : pending_) {
    HtmlToken t;
    t.type = HtmlTokenType::kText;
    t.verbatim = p.verbatim;
    t.src = p.src;
    t.src_len = p.src_len;
    t.text = p.verbatim
                 ? html_.substr(p.src, p.src_len)
                 : std::string_view(pending_store_).substr(p.begin, p.size);
    if (pending_space_only_) {
      InsertText(t);
    } else {
      foster_ = true;
      Reconstruct();
      InsertText(t);
      foster_ = false;
      frameset_ok_ = false;
    }
  }
  pending_.clear();
  pending_store_.clear();
}

bool TreeBuilder::InCaption(HtmlToken& t) {
  const bool start = t.type == HtmlTokenType::kStartTag;
  const bool end = t.type == HtmlTokenType::kEndTag;
  if ((start && IsTableStructure(t.tag)) ||
      (end && (t.tag == Tag::kTable || t.tag == Tag::kCaption))) {
    if (!InScope(Tag::kCaption, Scope::kTable)) return false;
    GenerateImpliedEndTags();
    PopUntil(Tag::kCaption);
    ClearListToMarker();
    mode_ = Mode::kInTable;
    return !(end && t.tag == Tag::kCaption);
  }
  if (end && (t.tag == Tag::kBody || t.tag == Tag::kHtml ||
              (IsTableStructure(t.tag) && t.tag != Tag::kCaption))) {
    return false;
  }
  return InBody(t);
}

bool TreeBuilder::InColumnGroup(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (InsertLeadingSpace(&t)) return false;
      break;
    case HtmlTokenType::kComment:
    case HtmlTokenType::kDoctype:
      return false;
    case HtmlTokenType::kStartTag:
      if (t.tag == Tag::kHtml) return InBody(t);
      if (t.tag == Tag::kCol) {
        InsertVoid(t);
        return false;
      }
      if (t.tag == Tag::kTemplate) return HeadElement(t), false;
      break;
    case HtmlTokenType::kEndTag:
      if (t.tag == Tag::kColgroup) {
        if (CurrentIs(Tag::kColgroup)) {
          Pop();
          mode_ = Mode::kInTable;
        }
        return false;
      }
      if (t.tag == Tag::kCol) return false;
      if (t.tag == Tag::kTemplate) return EndTemplate();
      break;
    default:
      break;
  }
  if (!CurrentIs(Tag::kColgroup)) return false;
  Pop();
  mode_ = Mode::kInTable;
  return true;
}

bool TreeBuilder::InTableBody(HtmlToken& t) {
  const bool start = t.type == HtmlTokenType::kStartTag;
  const bool end = t.type == HtmlTokenType::kEndTag;
  if (start && t.tag == Tag::kTr) {
    ClearToTableBodyContext();
    Insert(t);
    mode_ = Mode::kInRow;
    return false;
  }
  if (start && (t.tag == Tag::kTh || t.tag == Tag::kTd)) {
    ClearToTableBodyContext();
    InsertImplied(Tag::kTr);
    mode_ = Mode::kInRow;
    return true;
  }
  if (end && IsTableSection(t.tag)) {
    if (!InScope(t.tag, Scope::kTable)) return false;
    ClearToTableBodyContext();
    Pop();
    mode_ = Mode::kInTable;
    return false;
  }
  if ((start && (t.tag == Tag::kCaption || t.tag == Tag::kCol ||
                 t.tag == Tag::kColgroup || IsTableSection(t.tag))) ||
      (end && t.tag == Tag::kTable)) {
    if (!InScope(Tag::kTbody, Scope::kTable) &&
        !InScope(Tag::kThead, Scope::kTable) &&
        !InScope(Tag::kTfoot, Scope::kTable)) {
      return false;
    }
    ClearToTableBodyContext();
    Pop();
    mode_ = Mode::kInTable;
    return true;
  }
  if (end &&
      (t.tag == Tag::kBody || t.tag == Tag::kCaption || t.tag == Tag::kCol ||
       t.tag == Tag::kColgroup || t.tag == Tag::kHtml || t.tag == Tag::kTd ||
       t.tag == Tag::kTh || t.tag == Tag::kTr)) {
    return false;
  }
  return InTable(t);
}

bool TreeBuilder::InRow(HtmlToken& t) {
  const bool start = t.type == HtmlTokenType::kStartTag;
  const bool end = t.type == HtmlTokenType::kEndTag;
  if (start && (t.tag == Tag::kTh || t.tag == Tag::kTd)) {
    ClearToRowContext();
    Insert(t);
    mode_ = Mode::kInCell;
    PushMarker();
    return false;
  }
  if (end && t.tag == Tag::kTr) {
    if (!InScope(Tag::kTr, Scope::kTable)) return false;
    ClearToRowContext();
    Pop();
    mode_ = Mode::kInTableBody;
    return false;
  }
  if ((start && (t.tag == Tag::kCaption || t.tag == Tag::kCol ||
                 t.tag == Tag::kColgroup || IsTableSection(t.tag) ||
                 t.tag == Tag::kTr)) ||
      (end && t.tag == Tag::kTable)) {
    if (!InScope(Tag::kTr, Scope::kTable)) return false;
    ClearToRowContext();
    Pop();
    mode_ = Mode::kInTableBody;
    return true;
  }
  if (end && IsTableSection(t.tag)) {
    if (!InScope(t.tag, Scope::kTable)) return false;
    if (!InScope(Tag::kTr, Scope::kTable)) return false;
    ClearToRowContext();
    Pop();
    mode_ = Mode::kInTableBody;
    return true;
  }
  if (end && (t.tag == Tag::kBody || t.tag == Tag::kCaption ||
              t.tag == Tag::kCol || t.tag == Tag::kColgroup ||
              t.tag == Tag::kHtml || t.tag == Tag::kTd || t.tag == Tag::kTh)) {
    return false;
  }
  return InTable(t);
}

void TreeBuilder::CloseCell() {
  GenerateImpliedEndTags();
  while (!stack_.empty()) {
    const bool done = Current().ns == Ns::kHtml && !Current().zombie &&
                      (Current().tag == Tag::kTd || Current().tag == Tag::kTh);
    Pop();
    if (done) break;
  }
  ClearListToMarker();
  mode_ = Mode::kInRow;
}

bool TreeBuilder::InCell(HtmlToken& t) {
  const bool start = t.type == HtmlTokenType::kStartTag;
  const bool end = t.type == HtmlTokenType::kEndTag;
  if (end && (t.tag == Tag::kTd || t.tag == Tag::kTh)) {
    if (!InScope(t.tag, Scope::kTable)) return false;
    GenerateImpliedEndTags();
    PopUntil(t.tag);
    ClearListToMarker();
    mode_ = Mode::kInRow;
    return false;
  }
  if (start && IsTableStructure(t.tag)) {
    if (!InScope(Tag::kTd, Scope::kTable) &&
        !InScope(Tag::kTh, Scope::kTable)) {
      return false;
    }
    CloseCell();
    return true;
  }
  if (end &&
      (t.tag == Tag::kBody || t.tag == Tag::kCaption || t.tag == Tag::kCol ||
       t.tag == Tag::kColgroup || t.tag == Tag::kHtml)) {
    return false;
  }
  if (end &&
      (t.tag == Tag::kTable || IsTableSection(t.tag) || t.tag == Tag::kTr)) {
    if (!InScope(t.tag, Scope::kTable)) return false;
    CloseCell();
    return true;
  }
  return InBody(t);
}

bool TreeBuilder::InSelect(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (!IsNul(t)) InsertText(t);
      return false;
    case HtmlTokenType::kStartTag:
      switch (t.tag) {
        case Tag::kHtml:
          return InBody(t);
        case Tag::kOption:
          if (CurrentIs(Tag::kOption)) Pop();
          Insert(t);
          return false;
        case Tag::kOptgroup:
          if (CurrentIs(Tag::kOption)) Pop();
          if (CurrentIs(Tag::kOptgroup)) Pop();
          Insert(t);
          return false;
        case Tag::kSelect:
          if (!InScope(Tag::kSelect, Scope::kSelect)) return false;
          PopUntil(Tag::kSelect);
          ResetInsertionMode();
          return false;
        case Tag::kInput:
        case Tag::kKeygen:
        case Tag::kTextarea:
          if (!InScope(Tag::kSelect, Scope::kSelect)) return false;
          PopUntil(Tag::kSelect);
          ResetInsertionMode();
          return true;
        case Tag::kScript:
        case Tag::kTemplate:
          HeadElement(t);
          return false;
        default:
          return false;
      }
    case HtmlTokenType::kEndTag:
      switch (t.tag) {
        case Tag::kOptgroup:
          if (CurrentIs(Tag::kOption) && stack_.size() >= 2 &&
              stack_[stack_.size() - 2].tag == Tag::kOptgroup) {
            Pop();
          }
          if (CurrentIs(Tag::kOptgroup)) Pop();
          return false;
        case Tag::kOption:
          if (CurrentIs(Tag::kOption)) Pop();
          return false;
        case Tag::kSelect:
          if (!InScope(Tag::kSelect, Scope::kSelect)) return false;
          PopUntil(Tag::kSelect);
          ResetInsertionMode();
          return false;
        case Tag::kTemplate:
          return EndTemplate();
        default:
          return false;
      }
    default:
      return false;
  }
}

bool TreeBuilder::InSelectInTable(HtmlToken& t) {
  const bool table_tag = t.tag == Tag::kTable || IsTableStructure(t.tag);
  if (table_tag && t.tag != Tag::kCol && t.tag != Tag::kColgroup) {
    if (t.type == HtmlTokenType::kStartTag) {
      PopUntil(Tag::kSelect);
      ResetInsertionMode();
      return true;
    }
    if (t.type == HtmlTokenType::kEndTag) {
      if (!InScope(t.tag, Scope::kTable)) return false;
      PopUntil(Tag::kSelect);
      ResetInsertionMode();
      return true;
    }
  }
  return InSelect(t);
}

}  // namespace neardup::text::html_internal
