// Builds HTML pages around an article in two site templates of our own
// making, with navigation menus, link lists, headers, footers, cookie
// banners, scripts and styles: test input for main-content extraction.

#ifndef NEARDUP_TESTS_TESTING_HTML_PAGES_H_
#define NEARDUP_TESTS_TESTING_HTML_PAGES_H_

#include <string>

namespace neardup::testing {

// Returns `article` (title line, blank line, paragraphs separated by blank
// lines) as HTML in template A ("news site") or B ("blog"). Text is
// HTML-escaped; the first line becomes the heading.
std::string PageInTemplateA(const std::string& article);
std::string PageInTemplateB(const std::string& article);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTING_HTML_PAGES_H_
