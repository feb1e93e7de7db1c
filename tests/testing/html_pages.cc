#include "tests/testing/html_pages.h"

#include <sstream>
#include <vector>

namespace neardup::testing {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Splits an article into its title and paragraphs.
void Split(const std::string& article, std::string* title,
           std::vector<std::string>* paragraphs) {
  std::istringstream in(article);
  std::string line, para;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {
      *title = line;
      first = false;
      continue;
    }
    if (line.empty()) {
      if (!para.empty()) paragraphs->push_back(para);
      para.clear();
    } else {
      para += (para.empty() ? "" : " ") + line;
    }
  }
  if (!para.empty()) paragraphs->push_back(para);
}

std::string Paragraphs(const std::vector<std::string>& ps) {
  std::string out;
  for (const auto& p : ps) out += "    <p>" + Escape(p) + "</p>\n";
  return out;
}

}  // namespace

std::string PageInTemplateA(const std::string& article) {
  std::string title;
  std::vector<std::string> ps;
  Split(article, &title, &ps);
  return R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>)" +
         Escape(title) + R"( | Daily Courier</title>
<style>body{font-family:serif} .nav a{color:#333}</style>
<script>window.analytics=[];function track(e){analytics.push(e)}</script>
</head><body>
<header class="site-header"><a href="/">Daily Courier</a> &middot; Since 1921</header>
<nav class="nav"><ul>
  <li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
  <li><a href="/science">Science</a></li><li><a href="/sport">Sport</a></li>
  <li><a href="/culture">Culture</a></li><li><a href="/opinion">Opinion</a></li>
</ul></nav>
<main><article>
  <h1>)" +
         Escape(title) + R"(</h1>
  <p class="byline">By a staff reporter &mdash; 12 March</p>
)" + Paragraphs(ps) +
         R"(</article>
<aside class="related"><h3>Related stories</h3><ul>
  <li><a href="/a1">Council approves new budget after long debate</a></li>
  <li><a href="/a2">Railway timetable changes from next month</a></li>
  <li><a href="/a3">Ten walks to try before the summer</a></li>
</ul></aside></main>
<div class="cookie-banner">We use cookies to improve your experience on our
site. By continuing to browse you agree to our use of cookies.
<a href="/privacy">Privacy policy</a> <button>Accept</button></div>
<footer><p>&copy; 2025 Daily Courier Ltd. All rights reserved.</p>
<p><a href="/about">About us</a> | <a href="/contact">Contact</a> |
<a href="/terms">Terms</a></p></footer>
<script>track("pageview")</script>
</body></html>
)";
}

std::string PageInTemplateB(const std::string& article) {
  std::string title;
  std::vector<std::string> ps;
  Split(article, &title, &ps);
  return R"(<html><head>
<meta name="viewport" content="width=device-width">
<link rel="stylesheet" href="/theme.css">
<title>)" +
         Escape(title) +
         R"(</title></head>
<body class="blog">
<div id="top-menu"><a href="/">Home</a> <a href="/archive">Archive</a>
<a href="/tags">Tags</a> <a href="/feed">RSS</a></div>
<div id="wrapper">
 <div class="post-content">
  <h2 class="post-title">)" +
         Escape(title) + R"(</h2>
  <div class="entry">
)" + Paragraphs(ps) +
         R"(  </div>
  <div class="share-buttons"><a href="#tw">Share on Twitter</a>
  <a href="#fb">Share on Facebook</a></div>
 </div>
 <div class="sidebar"><h4>Most read</h4>
  <a href="/p/1">Why we moved the office</a><br>
  <a href="/p/2">Notes from the conference</a><br>
  <p>Subscribe to our newsletter for weekly updates.</p></div>
</div>
<div id="comments"><h4>2 comments</h4><p>Great read, thanks!</p>
<p>I walked there last weekend.</p></div>
<div id="site-footer">Powered by a static site generator.
Content licensed under CC BY 4.0.</div>
<noscript>Please enable JavaScript for the best experience.</noscript>
</body></html>
)";
}

}  // namespace neardup::testing
