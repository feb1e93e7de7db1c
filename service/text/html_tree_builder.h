// TreeBuilder, the tree builder of our HTML reader (html_reader.h): a
// simplified version of the WHATWG standard's tree construction (section
// 13.2.6) that reads the tokens of an HtmlTokenizer and reports the element
// tree in document order to an HtmlEventSink. It keeps the stack of open
// elements, the insertion mode, the list of active formatting elements and
// the open tables (whose events are buffered so foster-parented content can
// be reported before them). Its members are defined in several files:
//
//   html_tree_builder.cc  Run, the stack of open elements, scopes,
//                         insertion, the list of active formatting
//                         elements, the adoption agency, mode dispatch
//   html_modes_head.cc    initial, before html, before head, in head, in
//                         head noscript, after head and text
//   html_modes_body.cc    in body, after body, and the frameset modes
//   html_modes_table.cc   the table modes (table, table text, caption,
//                         column group, table body, row, cell), select
//                         and foreign content
//
// Internal to the HTML reader.

#ifndef NEARDUP_SERVICE_TEXT_HTML_TREE_BUILDER_H_
#define NEARDUP_SERVICE_TEXT_HTML_TREE_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "service/text/html_event_buffer.h"
#include "service/text/html_extract.h"
#include "service/text/html_tag_sets.h"
#include "service/text/html_tokenizer.h"

namespace neardup::text::html_internal {

using TextModel = HtmlTokenizer::TextModel;

// The insertion modes of the standard.
enum class Mode : uint8_t {
  kInitial,
  kBeforeHtml,
  kBeforeHead,
  kInHead,
  kInHeadNoscript,
  kAfterHead,
  kInBody,
  kText,
  kInTable,
  kInTableText,
  kInCaption,
  kInColumnGroup,
  kInTableBody,
  kInRow,
  kInCell,
  kInSelect,
  kInSelectInTable,
  kAfterBody,
  kInFrameset,
  kAfterFrameset,
  kAfterAfterBody,
  kAfterAfterFrameset,
};

// The kinds of element scope (which elements end a search).
enum class Scope : uint8_t { kDefault, kListItem, kButton, kTable, kSelect };

// Builds the element tree of one HTML document and reports it to a sink.
// Use once: construct, then call Run(). Not thread-safe.
// True if the DOCTYPE token whose text starts at `doctype` ("<!DOCTYPE
// ...>") puts a document in quirks mode: a name other than html, or one of
// the standard's legacy public identifiers (HTML 2, 3 and 4.0, HTML 4.01
// Transitional and Frameset without a system identifier, the vendors'
// DTDs). Limited-quirks DOCTYPEs are no-quirks here: they build the same
// tree.
bool IsQuirksDoctype(std::string_view doctype);

class TreeBuilder {
 public:
  // Does not take ownership of `sink`; `html` and `sink` must outlive
  // the TreeBuilder.
  TreeBuilder(std::string_view html, HtmlEventSink* sink)
      : html_(html), sink_(sink), tokenizer_(html) {}

  TreeBuilder(const TreeBuilder&) = delete;
  TreeBuilder& operator=(const TreeBuilder&) = delete;

  // Reads the whole document, reporting its element tree to the sink.
  // Returns INVALID_ARGUMENT, having closed every open element, once more
  // than kMaxHtmlDepth elements are open at once (below the root).
  absl::Status Run();

 private:
  // An element on the stack of open elements.
  struct Node {
    Tag tag = Tag::kOther;
    Ns ns = Ns::kHtml;
    bool special = false;
    // Removed from the stack of open elements (a form closed or a
    // formatting element adopted while elements inside it stay open): it
    // ends when the elements above it have.
    bool zombie = false;
    bool in_list = false;  // in the list of active formatting elements
    bool table = false;    // owns the last entry of tables_
    uint32_t id = 0;
    uint32_t name_src = 0, name_len = 0;  // its name in the HTML, if any
    HtmlEventSink* out = nullptr;         // where its end and content events go
  };

  // An entry of the list of active formatting elements.
  struct Formatting {
    bool marker = false;
    bool in_stack = false;
    Tag tag = Tag::kOther;
    uint32_t node_id = 0;
    uint32_t name_src = 0, name_len = 0;
    std::string class_name, id, role;
    bool has_href = false;
  };

  // An open table: its events wait in `inner` until it ends.
  struct Table {
    EventBuffer* inner;   // the table's own events
    EventBuffer* foster;  // what is moved before the table
    HtmlEventSink* parent_out;
  };

  // A text token kept for table text.
  struct PendingText {
    bool verbatim;
    uint32_t src, src_len;
    uint32_t begin, size;  // in pending_store_, if not verbatim
  };

  // ---- The stack of open elements and insertion.

  // Returns the current node. REQUIRES: the stack is not empty.
  Node& Current();

  // Returns true if the current node is the HTML element `tag`.
  bool CurrentIs(Tag tag);

  // Returns true if the name of `n` in the HTML, lowercased, is `lower`.
  bool NameIs(const Node& n, std::string_view lower) const;

  // Returns an empty EventBuffer, reusing a freed one if any.
  EventBuffer* NewBuffer();

  // Where content goes now: the current node, or before the last table
  // when foster parenting applies.
  HtmlEventSink* Target();

  // Inserts `e` (namespace `ns`, name at `name_src` in the HTML, or
  // none if `name_len` is 0) where Target() says and pushes it; a
  // table starts buffering its events.
  void InsertElement(const HtmlElement& e, Ns ns, uint32_t name_src,
                     uint32_t name_len);

  // Inserts the element of start tag `t` in namespace `ns`.
  void Insert(const HtmlToken& t, Ns ns = Ns::kHtml);

  // Inserts an HTML element `tag` with no tag in the HTML.
  void InsertImplied(Tag tag);

  // Inserts the element of start tag `t` and pops it at once.
  void InsertVoid(const HtmlToken& t);

  // Reports text token `t` where Target() says.
  void InsertText(const HtmlToken& t);

  // Reports the end of `node` (replaying a table and what was moved
  // before it) and marks its formatting entry as off the stack.
  void EndNode(const Node& node);

  // Pops the current node (and the zombies it uncovers).
  void Pop();

  // Pops elements until an HTML element `tag` has been popped.
  void PopUntil(Tag tag);

  // Returns true if `n` ends a search for an element in `scope`.
  bool IsBoundary(const Node& n, Scope scope) const;

  // Returns true if the HTML element `tag` is in `scope`.
  bool InScope(Tag tag, Scope scope = Scope::kDefault) const;

  // Returns true if an h1 to h6 element is in the default scope.
  bool HeadingInScope() const;

  // Returns true if the HTML element `tag` is open (not a zombie).
  bool InStack(Tag tag) const;

  // Pops elements with implied end tags (IsImpliedEnd) other than
  // `except`.
  void GenerateImpliedEndTags(Tag except = Tag::kOther);

  // Closes the open p element.
  void ClosePElement();

  // Closes a p element in button scope, if any.
  void ClosePInButtonScope();

  // Pops until the current node is one of the HTML elements in `tags`
  // (html always ends it).
  template <typename Pred>
  void ClearBackTo(Pred keep);

  // Pops until the current node is a table (or html, template).
  void ClearToTableContext();

  // Pops until the current node is a tbody, thead or tfoot (or
  // html, template).
  void ClearToTableBodyContext();

  // Pops until the current node is a tr (or html, template).
  void ClearToRowContext();

  // Resets the insertion mode from the stack of open elements.
  void ResetInsertionMode();

  // ---- The list of active formatting elements.

  // Adds the element just inserted for start tag `t` to the list of
  // active formatting elements.
  void PushFormatting(const HtmlToken& t);

  // Adds a marker to the list of active formatting elements.
  void PushMarker();

  // Removes list entries up to and including the last marker.
  void ClearListToMarker();

  // Reopens the formatting elements of the list that are no longer
  // open (after the last marker).
  void Reconstruct();

  // Returns the index in list_ of the last `tag` after the last marker,
  // or -1.
  int FindFormatting(Tag tag) const;

  // The adoption agency algorithm for an end tag of a formatting element,
  // as its effect on what is open afterwards. With no special element
  // open inside the formatting element, it closes with all inside it.
  // Otherwise the standard moves the special elements inside it (the
  // furthest blocks, up to 7) out of it, wraps their content in clones of
  // it, and closes whatever is open inside the last of them: the text
  // already reported keeps its place and context, and what follows is
  // outside the formatting element. So the formatting element and the
  // non-formatting elements between it and the last furthest block are
  // detached (their end events wait for the elements above them), and the
  // elements above the last furthest block close.
  void AdoptionAgency(const HtmlToken& t);

  // The in-body rules for "any other end tag" `t`: closes the
  // matching element unless a special element is open above it.
  void AnyOtherEndTag(const HtmlToken& t);

  // ---- Token processing. Each returns true to process the token again
  // (in the mode it switched to).

  // Processes `t` in the current mode, or by the rules for foreign
  // content.
  bool Step(HtmlToken& t);

  // Processes `t` by the rules of the current insertion mode.
  bool InMode(HtmlToken& t);

  // Returns true if `t` follows the rules for foreign content.
  bool UseForeignRules(const HtmlToken& t);

  // The rules for parsing tokens in foreign content.
  bool Foreign(HtmlToken& t);

  // Initial, before html and before head.
  bool BeforeHead(HtmlToken& t);

  // Drops leading whitespace of text `t`; true if nothing is left.
  bool SkipLeadingSpace(HtmlToken* t);

  // Inserts leading whitespace of text `t` at the current node; true if
  // nothing is left.
  bool InsertLeadingSpace(HtmlToken* t);

  // Inserts the element of `t` and reads its content as text in
  // `model`, returning to the current mode after its end tag.
  void StartRawText(const HtmlToken& t, TextModel model);

  // The "in head" rules for start tags of head elements. Returns false if
  // `t` is not one.
  bool HeadElement(const HtmlToken& t);

  // Closes an open template element (the in-head rules for a template end
  // tag). Returns false.
  bool EndTemplate();

  // In head.
  bool InHead(HtmlToken& t);

  // In head noscript.
  bool InHeadNoscript(HtmlToken& t);

  // After head.
  bool AfterHead(HtmlToken& t);

  // Text: the content of raw text and RCDATA elements.
  bool InText(HtmlToken& t);

  // In body.
  bool InBody(HtmlToken& t);

  // In body, for start tag `t`.
  bool BodyStartTag(HtmlToken& t);

  // In body, for end tag `t`.
  bool BodyEndTag(HtmlToken& t);

  // "Anything else" in table modes: the in-body rules, with elements and
  // text that would land in a table part moved before the table.
  bool FosterInBody(HtmlToken& t);

  // In table.
  bool InTable(HtmlToken& t);

  // In table text: keeps text `t` until the next other token.
  bool InTableText(HtmlToken& t);

  // Reports the table text kept, in place if it is all whitespace
  // and moved before the table (foster parenting) otherwise.
  void FlushTableText();

  // In caption.
  bool InCaption(HtmlToken& t);

  // In column group.
  bool InColumnGroup(HtmlToken& t);

  // In table body.
  bool InTableBody(HtmlToken& t);

  // In row.
  bool InRow(HtmlToken& t);

  // Closes the open td or th element and returns to in row.
  void CloseCell();

  // In cell.
  bool InCell(HtmlToken& t);

  // In select.
  bool InSelect(HtmlToken& t);

  // In select in table.
  bool InSelectInTable(HtmlToken& t);

  // After body and after after body.
  bool AfterBody(HtmlToken& t);

  // In frameset, after frameset and after after frameset.
  bool InFrameset(HtmlToken& t);

  const std::string_view html_;
  HtmlEventSink* const sink_;
  HtmlTokenizer tokenizer_;
  Mode mode_ = Mode::kInitial;
  Mode text_mode_ = Mode::kInBody;         // to return to after raw text
  Mode table_text_mode_ = Mode::kInTable;  // to return to after table text
  std::vector<Node> stack_;
  std::vector<Formatting> list_;
  std::vector<Table> tables_;
  std::vector<std::unique_ptr<EventBuffer>> buffers_;
  std::vector<EventBuffer*> free_buffers_;
  std::vector<PendingText> pending_;
  std::string pending_store_;
  bool pending_space_only_ = true;
  uint32_t next_id_ = 0;
  uint32_t form_id_ = 0;  // the form element pointer (0: none)
  bool head_inserted_ = false;
  bool frameset_ok_ = true;
  // Quirks mode (no DOCTYPE, or a legacy one: IsQuirksDoctype), whose one
  // effect on the tree is that <table> does not close an open <p>.
  bool quirks_ = true;
  bool foster_ = false;
  bool skip_lf_ = false;
  size_t too_deep_ = 0;
};

}  // namespace neardup::text::html_internal

#endif  // NEARDUP_SERVICE_TEXT_HTML_TREE_BUILDER_H_
