#include "service/text/html_tags.h"

#include <array>
#include <cstdint>
#include <iterator>

namespace neardup::text {
namespace {

struct NamedTag {
  std::string_view name;
  HtmlTag tag;
};

// Sorted by name (the X-macro list is alphabetical).
constexpr NamedTag kTags[] = {
#define NEARDUP_HTML_TAG_ENTRY(e, name) {name, HtmlTag::e},
    NEARDUP_HTML_TAGS(NEARDUP_HTML_TAG_ENTRY)
#undef NEARDUP_HTML_TAG_ENTRY
};

constexpr bool IsSorted() {
  for (size_t i = 1; i < std::size(kTags); ++i) {
    if (!(kTags[i - 1].name < kTags[i].name)) return false;
  }
  return true;
}
static_assert(IsSorted(), "NEARDUP_HTML_TAGS must be in order of name");

}  // namespace

HtmlTag HtmlTagFromName(std::string_view lower_name) {
  // Open addressing over a hash of length, first, second and last letter:
  // one probe for nearly every name (tag lookups are per tag, so hot).
  constexpr size_t kSlots = 1024;
  auto hash = [](std::string_view n) {
    const size_t c0 = static_cast<unsigned char>(n[0]);
    const size_t c1 = n.size() > 1 ? static_cast<unsigned char>(n[1]) : 0;
    const size_t cl = static_cast<unsigned char>(n.back());
    return (n.size() * 131 + c0 * 31 + c1 * 7 + cl * 17) & (kSlots - 1);
  };
  static const auto* slots = [&] {
    auto* t = new std::array<uint8_t, kSlots>();  // 0: empty; else index + 1
    for (size_t i = 0; i < std::size(kTags); ++i) {
      size_t h = hash(kTags[i].name);
      while ((*t)[h] != 0) h = (h + 1) & (kSlots - 1);
      (*t)[h] = static_cast<uint8_t>(i + 1);
    }
    return t;
  }();
  if (lower_name.empty() || lower_name.size() > 14) return HtmlTag::kOther;
  for (size_t h = hash(lower_name);; h = (h + 1) & (kSlots - 1)) {
    const uint8_t slot = (*slots)[h];
    if (slot == 0) return HtmlTag::kOther;
    if (kTags[slot - 1].name == lower_name) return kTags[slot - 1].tag;
  }
}

std::string_view HtmlTagName(HtmlTag tag) {
  const size_t i = static_cast<size_t>(tag);
  return i == 0 || i > std::size(kTags) ? std::string_view()
                                        : kTags[i - 1].name;
}

}  // namespace neardup::text
