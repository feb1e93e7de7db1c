// TreeBuilder (html_tree_builder.h): the insertion modes before body
// (initial, before html, before head, in head, in head noscript, after
// head) and the text mode.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "service/text/html_extract.h"
#include "service/text/html_tag_sets.h"
#include "service/text/html_tags.h"
#include "service/text/html_tokenizer.h"
#include "service/text/html_tree_builder.h"

namespace neardup::text::html_internal {
namespace {

// Public identifiers that put a document in quirks mode when they start
// its DOCTYPE's, from the standard's list ("The initial insertion mode"),
// lower case.
constexpr std::string_view kQuirksPublicPrefixes[] = {
    "+//silmaril//dtd html pro v0r11 19970101//",
    "-//as//dtd html 3.0 aswedit + extensions//",
    "-//advasoft ltd//dtd html 3.0 aswedit + extensions//",
    "-//ietf//dtd html",
    "-//metrius//dtd metrius presentational//",
    "-//microsoft//dtd internet explorer",
    "-//netscape comm. corp.//dtd",
    "-//o'reilly and associates//dtd html",
    "-//softquad software//dtd hotmetal pro",
    "-//softquad//dtd hotmetal pro",
    "-//spyglass//dtd html 2.0 extended//",
    "-//sq//dtd html 2.0 hotmetal + extensions//",
    "-//sun microsystems corp.//dtd hotjava html//",
    "-//sun microsystems corp.//dtd hotjava strict html//",
    "-//w3c//dtd html 3",
    "-//w3c//dtd html 4.0 frameset//",
    "-//w3c//dtd html 4.0 transitional//",
    "-//w3c//dtd html experimental 19960712//",
    "-//w3c//dtd html experimental 970421//",
    "-//w3c//dtd w3 html//",
    "-//w3o//dtd w3 html 3.0//",
    "-//webtechs//dtd mozilla html 2.0//",
    "-//webtechs//dtd mozilla html//",
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsDoctypeSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Reads a quoted identifier at `pos` of `d` into `out`; false if none.
bool QuotedId(const std::string& d, size_t* pos, std::string* out) {
  while (*pos < d.size() && IsDoctypeSpace(d[*pos])) ++*pos;
  if (*pos >= d.size() || (d[*pos] != '"' && d[*pos] != '\'')) return false;
  const char quote = d[(*pos)++];
  const size_t end = d.find(quote, *pos);
  *out =
      d.substr(*pos, end == std::string::npos ? std::string::npos : end - *pos);
  *pos = end == std::string::npos ? d.size() : end + 1;
  return true;
}

}  // namespace

bool IsQuirksDoctype(std::string_view doctype) {
  // "<!doctype" then the name, then PUBLIC "id" ["system"] or SYSTEM "id".
  const size_t close = doctype.find('>');
  const std::string d = Lower(doctype.substr(
      0, close == std::string_view::npos ? doctype.size() : close));
  size_t pos = 9;  // after "<!doctype"
  while (pos < d.size() && IsDoctypeSpace(d[pos])) ++pos;
  const size_t name_start = pos;
  while (pos < d.size() && !IsDoctypeSpace(d[pos])) ++pos;
  if (d.compare(name_start, pos - name_start, "html") != 0) return true;
  while (pos < d.size() && IsDoctypeSpace(d[pos])) ++pos;
  std::string public_id, system_id;
  bool has_public = false, has_system = false;
  if (d.compare(pos, 6, "public") == 0) {
    pos += 6;
    has_public = QuotedId(d, &pos, &public_id);
    has_system = has_public && QuotedId(d, &pos, &system_id);
  } else if (d.compare(pos, 6, "system") == 0) {
    pos += 6;
    has_system = QuotedId(d, &pos, &system_id);
  }
  if (has_public) {
    if (public_id == "-//w3o//dtd w3 html strict 3.0//en//" ||
        public_id == "-/w3c/dtd html 4.0 transitional/en" ||
        public_id == "html") {
      return true;
    }
    for (std::string_view prefix : kQuirksPublicPrefixes) {
      if (public_id.compare(0, prefix.size(), prefix) == 0) return true;
    }
    if (!has_system &&
        (public_id.rfind("-//w3c//dtd html 4.01 frameset//", 0) == 0 ||
         public_id.rfind("-//w3c//dtd html 4.01 transitional//", 0) == 0)) {
      return true;
    }
  }
  return has_system &&
         system_id ==
             "http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd";
}

bool TreeBuilder::BeforeHead(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (SkipLeadingSpace(&t)) return false;
      break;
    case HtmlTokenType::kComment:
      return false;
    case HtmlTokenType::kDoctype:
      if (mode_ == Mode::kInitial) {
        quirks_ = IsQuirksDoctype(html_.substr(t.src));
        mode_ = Mode::kBeforeHtml;
      }
      return false;
    case HtmlTokenType::kStartTag:
      if (t.tag == Tag::kHtml) {
        if (stack_.empty()) {
          Insert(t);
          mode_ = Mode::kBeforeHead;
          return false;
        }
        return false;  // in before head: attributes merged; ignored here
      }
      if (t.tag == Tag::kHead && !stack_.empty()) {
        Insert(t);
        head_inserted_ = true;
        mode_ = Mode::kInHead;
        return false;
      }
      break;
    case HtmlTokenType::kEndTag:
      if (t.tag != Tag::kHead && t.tag != Tag::kBody && t.tag != Tag::kHtml &&
          t.tag != Tag::kBr) {
        return false;
      }
      break;
    default:
      break;
  }
  if (stack_.empty()) {
    InsertImplied(Tag::kHtml);
    mode_ = Mode::kBeforeHead;
    return true;
  }
  InsertImplied(Tag::kHead);
  head_inserted_ = true;
  mode_ = Mode::kInHead;
  return true;
}

bool TreeBuilder::SkipLeadingSpace(HtmlToken* t) {
  size_t k = 0;
  if (t->verbatim) {
    while (k < t->text.size() && IsHtmlSpace(t->text[k])) ++k;
    if (k == t->text.size()) return true;
    t->text.remove_prefix(k);
    t->src += k;
    t->src_len -= k;
    return false;
  }
  return AllSpace(t->text);
}

bool TreeBuilder::InsertLeadingSpace(HtmlToken* t) {
  if (t->verbatim) {
    size_t k = 0;
    while (k < t->text.size() && IsHtmlSpace(t->text[k])) ++k;
    if (k == 0) return false;
    HtmlToken space = *t;
    space.text = t->text.substr(0, k);
    space.src_len = static_cast<uint32_t>(k);
    InsertText(space);
    if (k == t->text.size()) return true;
    t->text.remove_prefix(k);
    t->src += k;
    t->src_len -= k;
    return false;
  }
  if (!AllSpace(t->text)) return false;
  InsertText(*t);
  return true;
}

void TreeBuilder::StartRawText(const HtmlToken& t, TextModel model) {
  Insert(t);
  tokenizer_.SwitchTo(model);
  text_mode_ = mode_;
  mode_ = Mode::kText;
}

bool TreeBuilder::HeadElement(const HtmlToken& t) {
  switch (t.tag) {
    case Tag::kBase:
    case Tag::kBasefont:
    case Tag::kBgsound:
    case Tag::kLink:
    case Tag::kMeta:
      InsertVoid(t);
      return true;
    case Tag::kTitle:
      StartRawText(t, TextModel::kRcdata);
      return true;
    case Tag::kNoframes:
    case Tag::kStyle:
      StartRawText(t, TextModel::kRawtext);
      return true;
    case Tag::kScript:
      StartRawText(t, TextModel::kScriptData);
      return true;
    case Tag::kTemplate:
      Insert(t);
      PushMarker();
      frameset_ok_ = false;
      mode_ = Mode::kInBody;  // template contents: parsed as body content
      return true;
    default:
      return false;
  }
}

bool TreeBuilder::EndTemplate() {
  if (!InStack(Tag::kTemplate)) return false;
  GenerateImpliedEndTags();
  PopUntil(Tag::kTemplate);
  ClearListToMarker();
  ResetInsertionMode();
  return false;
}

bool TreeBuilder::InHead(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (SkipLeadingSpace(&t)) return false;  // whitespace in head: unused
      break;
    case HtmlTokenType::kComment:
    case HtmlTokenType::kDoctype:
      return false;
    case HtmlTokenType::kStartTag:
      if (t.tag == Tag::kHtml) return InBody(t);
      if (t.tag == Tag::kNoscript) {
        Insert(t);
        mode_ = Mode::kInHeadNoscript;
        return false;
      }
      if (HeadElement(t)) return false;
      if (t.tag == Tag::kHead) return false;
      break;
    case HtmlTokenType::kEndTag:
      if (t.tag == Tag::kHead) {
        Pop();
        mode_ = Mode::kAfterHead;
        return false;
      }
      if (t.tag == Tag::kTemplate) return EndTemplate();
      if (t.tag != Tag::kBody && t.tag != Tag::kHtml && t.tag != Tag::kBr) {
        return false;
      }
      break;
    default:
      break;
  }
  Pop();  // the head
  mode_ = Mode::kAfterHead;
  return true;
}

bool TreeBuilder::InHeadNoscript(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (t.verbatim ? IsHtmlSpace(t.text[0]) : AllSpace(t.text)) {
        if (InsertLeadingSpace(&t)) return false;
      }
      break;
    case HtmlTokenType::kComment:
    case HtmlTokenType::kDoctype:
      return false;
    case HtmlTokenType::kStartTag:
      if (t.tag == Tag::kHtml) return InBody(t);
      if (t.tag == Tag::kBasefont || t.tag == Tag::kBgsound ||
          t.tag == Tag::kLink || t.tag == Tag::kMeta ||
          t.tag == Tag::kNoframes || t.tag == Tag::kStyle) {
        HeadElement(t);
        return false;
      }
      if (t.tag == Tag::kHead || t.tag == Tag::kNoscript) return false;
      break;
    case HtmlTokenType::kEndTag:
      if (t.tag == Tag::kNoscript) {
        Pop();
        mode_ = Mode::kInHead;
        return false;
      }
      if (t.tag != Tag::kBr) return false;
      break;
    default:
      break;
  }
  Pop();  // the noscript
  mode_ = Mode::kInHead;
  return true;
}

bool TreeBuilder::AfterHead(HtmlToken& t) {
  switch (t.type) {
    case HtmlTokenType::kText:
      if (InsertLeadingSpace(&t)) return false;
      break;
    case HtmlTokenType::kComment:
    case HtmlTokenType::kDoctype:
      return false;
    case HtmlTokenType::kStartTag:
      switch (t.tag) {
        case Tag::kHtml:
          return InBody(t);
        case Tag::kBody:
          Insert(t);
          frameset_ok_ = false;
          mode_ = Mode::kInBody;
          return false;
        case Tag::kFrameset:
          Insert(t);
          mode_ = Mode::kInFrameset;
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
        case Tag::kTitle: {
          // Into the head again: the element goes there, the head does
          // not stay open.
          InsertImplied(Tag::kHead);
          const size_t head = stack_.size() - 1;
          HeadElement(t);
          if (stack_.size() - 1 == head) {
            Pop();
          } else if (stack_.size() > head) {
            stack_[head].zombie = true;
          }
          return false;
        }
        case Tag::kHead:
          return false;
        default:
          break;
      }
      break;
    case HtmlTokenType::kEndTag:
      if (t.tag == Tag::kTemplate) return EndTemplate();
      if (t.tag != Tag::kBody && t.tag != Tag::kHtml && t.tag != Tag::kBr) {
        return false;
      }
      break;
    default:
      break;
  }
  InsertImplied(Tag::kBody);
  mode_ = Mode::kInBody;
  return true;
}

bool TreeBuilder::InText(HtmlToken& t) {
  if (t.type == HtmlTokenType::kText) {
    InsertText(t);
  } else if (t.type == HtmlTokenType::kEndTag) {
    Pop();
    mode_ = text_mode_;
  }
  return false;
}

}  // namespace neardup::text::html_internal
