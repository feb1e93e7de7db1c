// TreeBuilder (html_tree_builder.h): Run, the stack of open elements,
// scopes, the list of active formatting elements, the adoption agency and
// the dispatch to the insertion modes.

#include "service/text/html_tree_builder.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/text/html.h"
#include "service/text/html_extract.h"
#include "service/text/html_tag_sets.h"
#include "service/text/html_tags.h"
#include "service/text/html_tokenizer.h"

namespace neardup::text::html_internal {

absl::Status TreeBuilder::Run() {
  HtmlToken t;
  while (true) {
    tokenizer_.set_cdata_allowed(!stack_.empty() &&
                                 stack_.back().ns != Ns::kHtml);
    tokenizer_.Next(&t);
    if (skip_lf_) {
      skip_lf_ = false;
      if (t.type == HtmlTokenType::kText && t.text[0] == '\n') {
        if (!t.verbatim || t.text.size() == 1) continue;
        t.text.remove_prefix(1);
        ++t.src;
        --t.src_len;
      }
    }
    if (t.type == HtmlTokenType::kEof) break;
    for (int i = 0; i < 16 && Step(t); ++i) {
    }
    if (too_deep_ > 0) {
      while (!stack_.empty()) Pop();
      return absl::InvalidArgumentError(
          absl::StrCat("HTML nests elements ", too_deep_,
                       " deep; the limit is ", kMaxHtmlDepth));
    }
  }
  if (mode_ == Mode::kInTableText) FlushTableText();
  while (!stack_.empty()) Pop();
  return absl::OkStatus();
}

// ---- The stack of open elements and insertion.

TreeBuilder::Node& TreeBuilder::Current() { return stack_.back(); }

bool TreeBuilder::CurrentIs(Tag tag) {
  return !stack_.empty() && Current().ns == Ns::kHtml && Current().tag == tag;
}

bool TreeBuilder::NameIs(const Node& n, std::string_view lower) const {
  if (n.name_len == 0) return HtmlTagName(n.tag) == lower;
  return absl::EqualsIgnoreCase(
      absl::string_view(html_.data() + n.name_src, n.name_len),
      absl::string_view(lower.data(), lower.size()));
}

EventBuffer* TreeBuilder::NewBuffer() {
  if (free_buffers_.empty()) {
    buffers_.push_back(std::make_unique<EventBuffer>(html_));
    return buffers_.back().get();
  }
  EventBuffer* b = free_buffers_.back();
  free_buffers_.pop_back();
  return b;
}

HtmlEventSink* TreeBuilder::Target() {
  if (stack_.empty()) return sink_;
  const Node& c = Current();
  if (foster_ && c.ns == Ns::kHtml && IsTablePart(c.tag) && !tables_.empty()) {
    return tables_.back().foster;
  }
  return c.out;
}

void TreeBuilder::InsertElement(const HtmlElement& e, Ns ns, uint32_t name_src,
                                uint32_t name_len) {
  HtmlEventSink* out = Target();
  Node node;
  node.tag = e.tag;
  node.ns = ns;
  node.special = ns == Ns::kHtml ? IsSpecialHtml(e.tag)
                                 : IsMathTextIntegration(ns, e.tag) ||
                                       IsHtmlIntegration(ns, e.tag) ||
                                       e.tag == Tag::kAnnotationXml;
  node.id = ++next_id_;
  node.name_src = name_src;
  node.name_len = name_len;
  if (ns == Ns::kHtml && e.tag == Tag::kTable) {
    Table table{NewBuffer(), NewBuffer(), out};
    table.inner->StartElement(e);
    tables_.push_back(table);
    node.table = true;
    node.out = table.inner;
  } else {
    out->StartElement(e);
    node.out = out;
  }
  stack_.push_back(node);
  if (stack_.size() - 1 > static_cast<size_t>(kMaxHtmlDepth) &&
      too_deep_ == 0) {
    too_deep_ = stack_.size() - 1;
  }
}

void TreeBuilder::Insert(const HtmlToken& t, Ns ns) {
  HtmlElement e;
  e.tag = t.tag;
  e.class_name = t.class_name;
  e.id = t.id;
  e.role = t.role;
  e.has_href = t.has_href;
  InsertElement(e, ns, t.name_src, static_cast<uint32_t>(t.name.size()));
}

void TreeBuilder::InsertImplied(Tag tag) {
  HtmlElement e;
  e.tag = tag;
  InsertElement(e, Ns::kHtml, 0, 0);
}

void TreeBuilder::InsertVoid(const HtmlToken& t) {
  Insert(t);
  Pop();
}

void TreeBuilder::InsertText(const HtmlToken& t) {
  HtmlEventSink* out = Target();
  if (t.verbatim) {
    out->AddCopy(t.text, t.src);
  } else {
    out->AddReplacement(t.text, t.src, t.src_len);
  }
}

void TreeBuilder::EndNode(const Node& node) {
  node.out->EndElement();
  if (node.table) {
    const Table table = tables_.back();
    tables_.pop_back();
    table.foster->ReplayTo(table.parent_out);
    table.inner->ReplayTo(table.parent_out);
    free_buffers_.push_back(table.foster);
    free_buffers_.push_back(table.inner);
  }
  if (node.in_list) {
    for (size_t i = list_.size(); i-- > 0;) {
      if (!list_[i].marker && list_[i].node_id == node.id) {
        list_[i].in_stack = false;
        break;
      }
    }
  }
}

void TreeBuilder::Pop() {
  Node node = stack_.back();
  stack_.pop_back();
  EndNode(node);
  while (!stack_.empty() && stack_.back().zombie) {
    node = stack_.back();
    stack_.pop_back();
    EndNode(node);
  }
}

void TreeBuilder::PopUntil(Tag tag) {
  while (!stack_.empty()) {
    const bool done =
        Current().ns == Ns::kHtml && Current().tag == tag && !Current().zombie;
    Pop();
    if (done) return;
  }
}

bool TreeBuilder::IsBoundary(const Node& n, Scope scope) const {
  if (n.ns != Ns::kHtml) {
    if (scope == Scope::kTable) return false;
    if (scope == Scope::kSelect) return true;
    return IsMathTextIntegration(n.ns, n.tag) ||
           IsHtmlIntegration(n.ns, n.tag) || n.tag == Tag::kAnnotationXml;
  }
  switch (scope) {
    case Scope::kTable:
      return n.tag == Tag::kHtml || n.tag == Tag::kTable ||
             n.tag == Tag::kTemplate;
    case Scope::kSelect:
      return n.tag != Tag::kOptgroup && n.tag != Tag::kOption;
    case Scope::kListItem:
      if (n.tag == Tag::kOl || n.tag == Tag::kUl) return true;
      break;
    case Scope::kButton:
      if (n.tag == Tag::kButton) return true;
      break;
    case Scope::kDefault:
      break;
  }
  switch (n.tag) {
    case Tag::kApplet:
    case Tag::kCaption:
    case Tag::kHtml:
    case Tag::kTable:
    case Tag::kTd:
    case Tag::kTh:
    case Tag::kMarquee:
    case Tag::kObject:
    case Tag::kTemplate:
      return true;
    default:
      return false;
  }
}

bool TreeBuilder::InScope(Tag tag, Scope scope) const {
  for (size_t i = stack_.size(); i-- > 0;) {
    const Node& n = stack_[i];
    if (n.zombie) continue;
    if (n.ns == Ns::kHtml && n.tag == tag) return true;
    if (IsBoundary(n, scope)) return false;
  }
  return false;
}

bool TreeBuilder::HeadingInScope() const {
  for (size_t i = stack_.size(); i-- > 0;) {
    const Node& n = stack_[i];
    if (n.zombie) continue;
    if (n.ns == Ns::kHtml && IsHeading(n.tag)) return true;
    if (IsBoundary(n, Scope::kDefault)) return false;
  }
  return false;
}

bool TreeBuilder::InStack(Tag tag) const {
  for (const Node& n : stack_) {
    if (!n.zombie && n.ns == Ns::kHtml && n.tag == tag) return true;
  }
  return false;
}

void TreeBuilder::GenerateImpliedEndTags(Tag except) {
  while (!stack_.empty() && Current().ns == Ns::kHtml &&
         IsImpliedEnd(Current().tag) && Current().tag != except) {
    Pop();
  }
}

void TreeBuilder::ClosePElement() {
  GenerateImpliedEndTags(Tag::kP);
  PopUntil(Tag::kP);
}

void TreeBuilder::ClosePInButtonScope() {
  if (InScope(Tag::kP, Scope::kButton)) ClosePElement();
}

template <typename Pred>
void TreeBuilder::ClearBackTo(Pred keep) {
  while (!stack_.empty() &&
         !(Current().ns == Ns::kHtml &&
           (Current().tag == Tag::kHtml || Current().tag == Tag::kTemplate ||
            keep(Current().tag)))) {
    Pop();
  }
}

void TreeBuilder::ClearToTableContext() {
  ClearBackTo([](Tag t) { return t == Tag::kTable; });
}

void TreeBuilder::ClearToTableBodyContext() {
  ClearBackTo([](Tag t) { return IsTableSection(t); });
}

void TreeBuilder::ClearToRowContext() {
  ClearBackTo([](Tag t) { return t == Tag::kTr; });
}

void TreeBuilder::ResetInsertionMode() {
  for (size_t i = stack_.size(); i-- > 0;) {
    const Node& n = stack_[i];
    if (n.zombie || n.ns != Ns::kHtml) continue;
    const bool last = i == 0;
    switch (n.tag) {
      case Tag::kSelect: {
        for (size_t k = i; k-- > 0;) {
          if (stack_[k].ns == Ns::kHtml && stack_[k].tag == Tag::kTable) {
            mode_ = Mode::kInSelectInTable;
            return;
          }
        }
        mode_ = Mode::kInSelect;
        return;
      }
      case Tag::kTd:
      case Tag::kTh:
        if (!last) {
          mode_ = Mode::kInCell;
          return;
        }
        break;
      case Tag::kTr:
        mode_ = Mode::kInRow;
        return;
      case Tag::kTbody:
      case Tag::kThead:
      case Tag::kTfoot:
        mode_ = Mode::kInTableBody;
        return;
      case Tag::kCaption:
        mode_ = Mode::kInCaption;
        return;
      case Tag::kColgroup:
        mode_ = Mode::kInColumnGroup;
        return;
      case Tag::kTable:
        mode_ = Mode::kInTable;
        return;
      case Tag::kHead:
        if (!last) {
          mode_ = Mode::kInHead;
          return;
        }
        break;
      case Tag::kBody:
      case Tag::kTemplate:
        mode_ = Mode::kInBody;
        return;
      case Tag::kFrameset:
        mode_ = Mode::kInFrameset;
        return;
      case Tag::kHtml:
        mode_ = head_inserted_ ? Mode::kAfterHead : Mode::kBeforeHead;
        return;
      default:
        break;
    }
    if (last) break;
  }
  mode_ = Mode::kInBody;
}

// ---- The list of active formatting elements.

void TreeBuilder::PushFormatting(const HtmlToken& t) {
  Formatting f;
  f.tag = t.tag;
  f.in_stack = true;
  f.node_id = Current().id;
  f.name_src = t.name_src;
  f.name_len = static_cast<uint32_t>(t.name.size());
  f.class_name.assign(t.class_name);
  f.id.assign(t.id);
  f.role.assign(t.role);
  f.has_href = t.has_href;
  Current().in_list = true;
  list_.push_back(std::move(f));
}

void TreeBuilder::PushMarker() {
  Formatting f;
  f.marker = true;
  list_.push_back(std::move(f));
}

void TreeBuilder::ClearListToMarker() {
  while (!list_.empty()) {
    const bool marker = list_.back().marker;
    list_.pop_back();
    if (marker) return;
  }
}

void TreeBuilder::Reconstruct() {
  if (list_.empty() || list_.back().marker || list_.back().in_stack) return;
  size_t i = list_.size() - 1;
  while (i > 0 && !list_[i - 1].marker && !list_[i - 1].in_stack) --i;
  for (; i < list_.size(); ++i) {
    Formatting& f = list_[i];
    HtmlElement e;
    e.tag = f.tag;
    e.class_name = f.class_name;
    e.id = f.id;
    e.role = f.role;
    e.has_href = f.has_href;
    InsertElement(e, Ns::kHtml, f.name_src, f.name_len);
    f.in_stack = true;
    f.node_id = Current().id;
    Current().in_list = true;
  }
}

int TreeBuilder::FindFormatting(Tag tag) const {
  for (size_t i = list_.size(); i-- > 0;) {
    if (list_[i].marker) return -1;
    if (list_[i].tag == tag) return static_cast<int>(i);
  }
  return -1;
}

void TreeBuilder::AdoptionAgency(const HtmlToken& t) {
  if (!stack_.empty() && CurrentIs(t.tag) && !Current().in_list) {
    Pop();
    return;
  }
  const int entry = FindFormatting(t.tag);
  if (entry < 0) {
    AnyOtherEndTag(t);
    return;
  }
  if (!list_[entry].in_stack) {
    list_.erase(list_.begin() + entry);
    return;
  }
  const uint32_t id = list_[entry].node_id;
  size_t k = stack_.size();
  bool in_scope = true;
  for (size_t i = stack_.size(); i-- > 0;) {
    if (stack_[i].zombie) continue;
    if (stack_[i].id == id) {
      k = i;
      break;
    }
    if (IsBoundary(stack_[i], Scope::kDefault)) in_scope = false;
  }
  if (k == stack_.size()) {
    list_.erase(list_.begin() + entry);
    return;
  }
  if (!in_scope) return;
  size_t last_block = stack_.size();
  int blocks = 0;
  for (size_t j = k + 1; j < stack_.size() && blocks < 8; ++j) {
    if (!stack_[j].zombie && stack_[j].special) {
      last_block = j;
      ++blocks;
    }
  }
  if (last_block == stack_.size()) {
    list_.erase(list_.begin() + entry);
    stack_[k].in_list = false;
    while (stack_.size() > k) Pop();
    return;
  }
  for (size_t j = k + 1; j < last_block; ++j) {
    Node& n = stack_[j];
    if (!n.special && !n.in_list) n.zombie = true;
  }
  stack_[k].zombie = true;
  if (blocks == 8) {
    // The standard gives up after 8 furthest blocks: a clone of the
    // formatting element stays open above the 8th with what is open
    // inside it. The formatting element stands in for that clone.
    return;
  }
  list_.erase(list_.begin() + entry);
  stack_[k].in_list = false;
  while (stack_.size() > last_block + 1) Pop();
  Current().out->Detach(stack_[k].tag);
}

void TreeBuilder::AnyOtherEndTag(const HtmlToken& t) {
  for (size_t i = stack_.size(); i-- > 0;) {
    const Node& n = stack_[i];
    if (n.zombie) continue;
    if (n.ns == Ns::kHtml &&
        (t.tag != Tag::kOther ? n.tag == t.tag : NameIs(n, t.name))) {
      GenerateImpliedEndTags(t.tag == Tag::kOther ? Tag::kHtml : t.tag);
      while (stack_.size() > i) Pop();
      return;
    }
    if (n.special) return;
  }
}

// ---- Token processing. Each returns true to process the token again
// (in the mode it switched to).

bool TreeBuilder::Step(HtmlToken& t) {
  if (mode_ == Mode::kInTableText && t.type != HtmlTokenType::kText) {
    FlushTableText();
    mode_ = table_text_mode_;
  }
  if (UseForeignRules(t)) return Foreign(t);
  return InMode(t);
}

bool TreeBuilder::InMode(HtmlToken& t) {
  switch (mode_) {
    case Mode::kInitial:
    case Mode::kBeforeHtml:
    case Mode::kBeforeHead:
      return BeforeHead(t);
    case Mode::kInHead:
      return InHead(t);
    case Mode::kInHeadNoscript:
      return InHeadNoscript(t);
    case Mode::kAfterHead:
      return AfterHead(t);
    case Mode::kInBody:
      return InBody(t);
    case Mode::kText:
      return InText(t);
    case Mode::kInTable:
      return InTable(t);
    case Mode::kInTableText:
      return InTableText(t);
    case Mode::kInCaption:
      return InCaption(t);
    case Mode::kInColumnGroup:
      return InColumnGroup(t);
    case Mode::kInTableBody:
      return InTableBody(t);
    case Mode::kInRow:
      return InRow(t);
    case Mode::kInCell:
      return InCell(t);
    case Mode::kInSelect:
      return InSelect(t);
    case Mode::kInSelectInTable:
      return InSelectInTable(t);
    case Mode::kAfterBody:
    case Mode::kAfterAfterBody:
      return AfterBody(t);
    case Mode::kInFrameset:
    case Mode::kAfterFrameset:
    case Mode::kAfterAfterFrameset:
      return InFrameset(t);
  }
  return false;
}

}  // namespace neardup::text::html_internal
