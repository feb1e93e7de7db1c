#include "service/text/html_tokenizer.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "service/text/utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace neardup::text {
namespace {

struct NamedReference {
  std::string_view name;  // without '&'; with its ';' if it has one
  std::string_view utf8;
};

constexpr NamedReference kNamedReferences[] = {
#include "service/text/html_entities.inc"
};

// Longest name in the table, ';' included ("CounterClockwiseContourIntegral;").
constexpr size_t kLongestReference = 32;
// Longest legacy name (recognised without ';'): "frac12", "middot", ...
constexpr size_t kLongestLegacyReference = 6;

const NamedReference* FindReference(std::string_view name) {
  const NamedReference* it = std::lower_bound(
      std::begin(kNamedReferences), std::end(kNamedReferences), name,
      [](const NamedReference& r, std::string_view n) { return r.name < n; });
  if (it != std::end(kNamedReferences) && it->name == name) return it;
  return nullptr;
}

// Numeric references to 0x80-0x9F are read as windows-1252 (0 = unchanged).
constexpr char16_t kC1Replacements[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

inline bool IsAlpha(char c) {
  return static_cast<unsigned char>((c | 0x20) - 'a') < 26;
}
inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
inline bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
inline bool IsHexDigit(char c) {
  return IsDigit(c) || static_cast<unsigned char>((c | 0x20) - 'a') < 6;
}
inline char Lower(char c) {
  return static_cast<unsigned char>(c - 'A') < 26 ? c + ('a' - 'A') : c;
}

// Byte tables of the characters that end a run of verbatim text.
struct StopTable {
  bool stop[256] = {};
  constexpr StopTable(std::string_view chars) {
    for (char c : chars) stop[static_cast<unsigned char>(c)] = true;
  }
};
constexpr StopTable kDataStops(std::string_view("<&\r\0", 4));
constexpr StopTable kRcdataStops(std::string_view("&\r\0", 3));
constexpr StopTable kRawStops(std::string_view("\r\0", 2));

// Returns the first position in [p, end) of `s` whose byte is in `table`,
// or `end`.
inline size_t Scan(const StopTable& table, const char* s, size_t p,
                   size_t end) {
#ifdef __SSE2__
  if (&table == &kDataStops) {
    const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'),
                  cr = _mm_set1_epi8('\r'), nul = _mm_setzero_si128();
    while (p + 16 <= end) {
      const __m128i v =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + p));
      const __m128i hit = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)),
          _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, nul)));
      const int mask = _mm_movemask_epi8(hit);
      if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
      p += 16;
    }
  }
#endif
  while (p < end && !table.stop[static_cast<unsigned char>(s[p])]) ++p;
  return p;
}

// Compares `s` with the lower-case `lower`, ASCII case-insensitively.
bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace

size_t DecodeCharacterReference(std::string_view html, size_t pos,
                                bool in_attribute, std::string* out) {
  const size_t n = html.size();
  size_t q = pos + 1;
  if (q >= n) return 0;
  if (html[q] == '#') {
    ++q;
    const bool hex = q < n && (html[q] == 'x' || html[q] == 'X');
    if (hex) ++q;
    const size_t digits = q;
    uint32_t v = 0;
    while (q < n && (hex ? IsHexDigit(html[q]) : IsDigit(html[q]))) {
      const char c = html[q];
      const uint32_t d = IsDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
      v = std::min<uint32_t>(v * (hex ? 16 : 10) + d, 0x110000);  // saturate
      ++q;
    }
    if (q == digits) return 0;  // "&#" or "&#x" without digits: text
    if (q < n && html[q] == ';') ++q;
    char32_t cp = v;
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
      cp = 0xFFFD;
    } else if (v >= 0x80 && v <= 0x9F && kC1Replacements[v - 0x80] != 0) {
      cp = kC1Replacements[v - 0x80];
    }
    AppendUtf8(cp, out);
    return q - pos;
  }
  if (!IsAlnum(html[q])) return 0;
  size_t e = q;
  while (e < n && IsAlnum(html[e]) && e - q < kLongestReference) ++e;
  if (e < n && html[e] == ';') {
    if (const NamedReference* r = FindReference(html.substr(q, e + 1 - q))) {
      out->append(r->utf8);
      return e + 1 - pos;
    }
  }
  // The longest legacy name that the text starts with.
  for (size_t k = std::min(e - q, kLongestLegacyReference); k >= 2; --k) {
    const NamedReference* r = FindReference(html.substr(q, k));
    if (r == nullptr) continue;
    const size_t next = q + k;
    if (in_attribute && next < n &&
        (html[next] == '=' || IsAlnum(html[next]))) {
      return 0;  // "&amp=" or "&ampx" in an attribute value stays as it is
    }
    out->append(r->utf8);
    return k + 1;
  }
  return 0;
}

HtmlTokenizer::HtmlTokenizer(std::string_view html) : html_(html) {}

void HtmlTokenizer::Next(HtmlToken* token) {
  while (true) {
    if (raw_) {
      if (pos_ < raw_text_.end) {
        Raw(token);
        return;
      }
      raw_ = false;
      pos_ = std::min(html_.size(), raw_text_.end + raw_text_.skip);
      continue;
    }
    if (pos_ >= html_.size()) {
      token->type = HtmlTokenType::kEof;
      token->src = static_cast<uint32_t>(html_.size());
      return;
    }
    if (Data(token)) return;
  }
}

void HtmlTokenizer::SwitchTo(TextModel model) {
  raw_end_name_ = name_;
  raw_ = true;
  raw_text_.skip = 0;
  raw_text_.references = model == TextModel::kRcdata;
  switch (model) {
    case TextModel::kPlaintext:
      raw_text_.end = html_.size();
      break;
    case TextModel::kScriptData:
      raw_text_.end = FindScriptEnd(pos_);
      break;
    default:
      raw_text_.end = FindEndTag(pos_);
      break;
  }
}

bool HtmlTokenizer::Data(HtmlToken* token) {
  const size_t n = html_.size();
  const size_t start = pos_;
  size_t p = pos_;
  while (true) {
    p = Scan(kDataStops, html_.data(), p, n);
    if (p > start) {
      EmitText(start, p, token);
      return true;
    }
    if (p == n) return false;  // after markup that made no token
    switch (html_[p]) {
      case '<':
        if (Markup(p, token)) return true;
        // Consumed without a token ("</>", a tag cut by the end, the start
        // of a CDATA section): the caller goes on.
        if (pos_ > p) return false;
        ++p;  // a '<' that is text
        continue;
      case '&': {
        decoded_.clear();
        const size_t len = DecodeCharacterReference(html_, p, false, &decoded_);
        if (len == 0) {
          ++p;  // an '&' that is text
          continue;
        }
        EmitDecoded(p, len, token);
        return true;
      }
      case '\r': {
        decoded_.assign(1, '\n');
        EmitDecoded(p, p + 1 < n && html_[p + 1] == '\n' ? 2 : 1, token);
        return true;
      }
      default:  // NUL: reported as it is; the tree builder decides
        EmitText(p, p + 1, token);
        return true;
    }
  }
}

void HtmlTokenizer::Raw(HtmlToken* token) {
  const size_t end = raw_text_.end;
  const StopTable& stops = raw_text_.references ? kRcdataStops : kRawStops;
  size_t p = Scan(stops, html_.data(), pos_, end);
  if (p > pos_) {
    EmitText(pos_, p, token);
    return;
  }
  switch (html_[p]) {
    case '&': {
      decoded_.clear();
      const size_t len = DecodeCharacterReference(html_, p, false, &decoded_);
      if (len > 0) {
        EmitDecoded(p, len, token);
      } else {
        EmitText(p, Scan(stops, html_.data(), p + 1, end), token);
      }
      return;
    }
    case '\r':
      decoded_.assign(1, '\n');
      EmitDecoded(p, p + 1 < end && html_[p + 1] == '\n' ? 2 : 1, token);
      return;
    default:  // NUL
      decoded_.assign("\xEF\xBF\xBD");
      EmitDecoded(p, 1, token);
      return;
  }
}

bool HtmlTokenizer::Markup(size_t pos, HtmlToken* token) {
  const size_t n = html_.size();
  if (pos + 1 >= n) return false;
  const char c = html_[pos + 1];
  if (IsAlpha(c)) return Tag(pos + 1, false, token);
  if (c == '/') {
    if (pos + 2 >= n) return false;  // "</" at the end is text
    const char c2 = html_[pos + 2];
    if (IsAlpha(c2)) return Tag(pos + 2, true, token);
    if (c2 == '>') {  // "</>" is dropped
      pos_ = pos + 3;
      return false;
    }
    BogusComment(pos + 2, token);
    return true;
  }
  if (c == '?') {
    BogusComment(pos + 1, token);
    return true;
  }
  if (c != '!') return false;
  const size_t q = pos + 2;
  const std::string_view rest = html_.substr(q);
  if (rest.substr(0, 2) == "--") {
    Comment(q + 2, token);
    return true;
  }
  if (rest.size() >= 7 && EqualsLower(rest.substr(0, 7), "doctype")) {
    const size_t close = html_.find('>', q + 7);
    pos_ = close == std::string_view::npos ? n : close + 1;
    token->type = HtmlTokenType::kDoctype;
    token->src = static_cast<uint32_t>(pos);
    return true;
  }
  if (cdata_allowed_ && rest.substr(0, 7) == "[CDATA[") {
    const size_t close = html_.find("]]>", q + 7);
    raw_ = true;
    raw_text_.references = false;
    raw_text_.end = close == std::string_view::npos ? n : close;
    raw_text_.skip = close == std::string_view::npos ? 0 : 3;
    pos_ = q + 7;
    return false;  // consumed; the text follows
  }
  BogusComment(q, token);
  return true;
}

void HtmlTokenizer::Comment(size_t pos, HtmlToken* token) {
  // `pos` is just after "<!--". The comment ends at "<!-->", "<!--->", or
  // the first "-->" or "--!>" after its start (the nested-comment and
  // dash states of the standard only report errors); else at the end.
  const size_t n = html_.size();
  token->type = HtmlTokenType::kComment;
  token->src = static_cast<uint32_t>(pos);
  if (pos < n && html_[pos] == '>') {
    pos_ = pos + 1;
    return;
  }
  if (pos + 1 < n && html_[pos] == '-' && html_[pos + 1] == '>') {
    pos_ = pos + 2;
    return;
  }
  size_t q = pos;
  while (true) {
    const size_t d = html_.find("--", q);
    if (d == std::string_view::npos) {
      pos_ = n;
      return;
    }
    const size_t after = d + 2;
    if (after < n && html_[after] == '>') {
      pos_ = after + 1;
      return;
    }
    if (after + 1 < n && html_[after] == '!' && html_[after + 1] == '>') {
      pos_ = after + 2;
      return;
    }
    q = d + 1;
  }
}

void HtmlTokenizer::BogusComment(size_t pos, HtmlToken* token) {
  const size_t close = html_.find('>', pos);
  pos_ = close == std::string_view::npos ? html_.size() : close + 1;
  token->type = HtmlTokenType::kComment;
  token->src = static_cast<uint32_t>(pos);
}

bool HtmlTokenizer::Tag(size_t pos, bool end, HtmlToken* token) {
  const size_t n = html_.size();
  name_.clear();
  has_class_ = has_id_ = has_role_ = has_type_ = has_href_ = false;
  size_t r = pos;
  while (r < n && !IsHtmlSpace(html_[r]) && html_[r] != '/' &&
         html_[r] != '>') {
    if (html_[r] == '\0') {
      name_ += "\xEF\xBF\xBD";
    } else {
      name_.push_back(Lower(html_[r]));
    }
    ++r;
  }
  bool self_closing = false;
  while (true) {
    while (r < n && IsHtmlSpace(html_[r])) ++r;
    if (r >= n) {  // the end inside a tag: the tag is dropped
      pos_ = n;
      return false;
    }
    const char c = html_[r];
    if (c == '>') {
      ++r;
      break;
    }
    if (c == '/') {
      if (r + 1 < n && html_[r + 1] == '>') {
        self_closing = true;
        r += 2;
        break;
      }
      ++r;
      continue;
    }
    // An attribute name (its first character may be '=').
    const size_t name_begin = r++;
    while (r < n && !IsHtmlSpace(html_[r]) && html_[r] != '/' &&
           html_[r] != '>' && html_[r] != '=') {
      ++r;
    }
    const std::string_view name = html_.substr(name_begin, r - name_begin);
    while (r < n && IsHtmlSpace(html_[r])) ++r;
    size_t value_begin = r, value_end = r;
    if (r < n && html_[r] == '=') {
      ++r;
      while (r < n && IsHtmlSpace(html_[r])) ++r;
      if (r >= n) {
        pos_ = n;
        return false;
      }
      const char quote = html_[r];
      if (quote == '"' || quote == '\'') {
        const size_t close = html_.find(quote, r + 1);
        if (close == std::string_view::npos) {
          pos_ = n;
          return false;
        }
        value_begin = r + 1;
        value_end = close;
        r = close + 1;
      } else {
        value_begin = r;
        while (r < n && !IsHtmlSpace(html_[r]) && html_[r] != '>') ++r;
        value_end = r;
      }
    }
    if (!end) StoreAttribute(name, value_begin, value_end);
  }
  pos_ = r;
  token->type = end ? HtmlTokenType::kEndTag : HtmlTokenType::kStartTag;
  token->src = static_cast<uint32_t>(pos - (end ? 2 : 1));
  token->name = name_;
  token->name_src = static_cast<uint32_t>(pos);
  token->tag = HtmlTagFromName(name_);
  token->self_closing = self_closing;
  token->class_name =
      has_class_ ? std::string_view(class_) : std::string_view();
  token->id = has_id_ ? std::string_view(id_) : std::string_view();
  token->role = has_role_ ? std::string_view(role_) : std::string_view();
  token->input_type = has_type_ ? std::string_view(type_) : std::string_view();
  token->has_href = has_href_;
  return true;
}

void HtmlTokenizer::StoreAttribute(std::string_view name, size_t value_begin,
                                   size_t value_end) {
  std::string* value = nullptr;
  bool* has = nullptr;
  if (name.size() == 5 && EqualsLower(name, "class")) {
    value = &class_, has = &has_class_;
  } else if (name.size() == 2 && EqualsLower(name, "id")) {
    value = &id_, has = &has_id_;
  } else if (name.size() == 4) {
    if (EqualsLower(name, "role")) {
      value = &role_, has = &has_role_;
    } else if (EqualsLower(name, "type")) {
      value = &type_, has = &has_type_;
    } else if (EqualsLower(name, "href")) {
      has_href_ = true;
    }
  }
  if (value == nullptr || *has) return;  // not read, or a duplicate
  *has = true;
  value->clear();
  for (size_t i = value_begin; i < value_end;) {
    const char c = html_[i];
    if (c == '&') {
      const size_t len = DecodeCharacterReference(html_.substr(0, value_end), i,
                                                  /*in_attribute=*/true, value);
      if (len > 0) {
        i += len;
        continue;
      }
    }
    if (c == '\r') {
      value->push_back('\n');
      i += i + 1 < value_end && html_[i + 1] == '\n' ? 2 : 1;
      continue;
    }
    if (c == '\0') {
      *value += "\xEF\xBF\xBD";
    } else {
      value->push_back(c);
    }
    ++i;
  }
}

void HtmlTokenizer::EmitText(size_t begin, size_t end, HtmlToken* token) {
  token->type = HtmlTokenType::kText;
  token->text = html_.substr(begin, end - begin);
  token->verbatim = true;
  token->src = static_cast<uint32_t>(begin);
  token->src_len = static_cast<uint32_t>(end - begin);
  pos_ = end;
}

void HtmlTokenizer::EmitDecoded(size_t src, size_t src_len, HtmlToken* token) {
  token->type = HtmlTokenType::kText;
  token->text = decoded_;
  token->verbatim = false;
  token->src = static_cast<uint32_t>(src);
  token->src_len = static_cast<uint32_t>(src_len);
  pos_ = src + src_len;
}

bool HtmlTokenizer::IsEndTagAt(size_t pos) const {
  const size_t len = raw_end_name_.size();
  const size_t after = pos + 2 + len;
  return after < html_.size() && html_[pos + 1] == '/' &&
         EqualsLower(html_.substr(pos + 2, len), raw_end_name_) &&
         (IsHtmlSpace(html_[after]) || html_[after] == '/' ||
          html_[after] == '>');
}

size_t HtmlTokenizer::FindEndTag(size_t pos) const {
  const size_t n = html_.size();
  while (pos < n) {
    const void* lt = std::memchr(html_.data() + pos, '<', n - pos);
    if (lt == nullptr) return n;
    pos = static_cast<const char*>(lt) - html_.data();
    if (IsEndTagAt(pos)) return pos;
    ++pos;
  }
  return n;
}

size_t HtmlTokenizer::FindScriptEnd(size_t pos) const {
  // The script data states of the standard, reduced to what decides where
  // the script ends: "<!--" escapes, "<script" inside an escape
  // double-escapes (its "</script>" does not end the script), "-->"
  // returns to plain script data.
  const size_t n = html_.size();
  enum { kPlain, kEscaped, kDoubleEscaped } state = kPlain;
  auto script_name_at = [&](size_t q) {  // "script" + a delimiter at q
    return q + 6 < n && EqualsLower(html_.substr(q, 6), "script") &&
           (IsHtmlSpace(html_[q + 6]) || html_[q + 6] == '/' ||
            html_[q + 6] == '>');
  };
  int dashes = 0;
  size_t q = pos;
  while (q < n) {
    if (state == kPlain) {
      const void* lt = std::memchr(html_.data() + q, '<', n - q);
      if (lt == nullptr) return n;
      q = static_cast<const char*>(lt) - html_.data();
      if (IsEndTagAt(q)) return q;
      if (html_.compare(q, 4, "<!--") == 0) {
        state = kEscaped;
        dashes = 2;
        q += 4;
      } else {
        ++q;
      }
      continue;
    }
    const char c = html_[q];
    if (c == '-') {
      ++dashes;
      ++q;
      continue;
    }
    if (c == '>' && dashes >= 2) {
      state = kPlain;
      ++q;
      continue;
    }
    dashes = 0;
    if (c == '<') {
      if (state == kEscaped) {
        if (IsEndTagAt(q)) return q;
        if (script_name_at(q + 1)) {
          state = kDoubleEscaped;
          q += 7;
          continue;
        }
      } else if (q + 1 < n && html_[q + 1] == '/' && script_name_at(q + 2)) {
        state = kEscaped;
        q += 8;
        continue;
      }
    }
    ++q;
  }
  return n;
}

}  // namespace neardup::text
