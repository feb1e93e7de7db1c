// EventBuffer, an HtmlEventSink that records events to replay them later.
// The tree builder of html_reader.cc buffers the events of each open table
// and, separately, what foster parenting moves before the table, and
// replays both, foster content first, when the table ends. Internal to the
// HTML reader.

#ifndef NEARDUP_SERVICE_TEXT_HTML_EVENT_BUFFER_H_
#define NEARDUP_SERVICE_TEXT_HTML_EVENT_BUFFER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "service/text/html_extract.h"
#include "service/text/html_tags.h"

namespace neardup::text::html_internal {

// Records events to replay them later: the content of a table, and what
// foster parenting moves before it. Events are kept as offsets into
// `html` (copies) or into an own store (names, replacements), so the
// views they are reported with need not outlive the call. Not
// thread-safe.
class EventBuffer final : public HtmlEventSink {
 public:
  explicit EventBuffer(std::string_view html) : html_(html) {}

  void StartElement(const HtmlElement& e) override {
    Event ev;
    ev.kind = Event::kStart;
    ev.tag = e.tag;
    ev.has_href = e.has_href;
    ev.a = Store(e.class_name);
    ev.b = Store(e.id);
    ev.c = Store(e.role);
    events_.push_back(ev);
  }
  void EndElement() override {
    Event ev;
    ev.kind = Event::kEnd;
    events_.push_back(ev);
  }
  void AddCopy(std::string_view text, uint32_t src) override {
    Event ev;
    ev.kind = Event::kCopy;
    ev.src = src;
    ev.len = static_cast<uint32_t>(text.size());
    events_.push_back(ev);
  }
  void AddReplacement(std::string_view text, uint32_t src,
                      uint32_t src_len) override {
    Event ev;
    ev.kind = Event::kReplacement;
    ev.src = src;
    ev.len = src_len;
    ev.a = Store(text);
    events_.push_back(ev);
  }

  void Detach(HtmlTag tag) override {
    Event ev;
    ev.kind = Event::kDetach;
    ev.tag = tag;
    events_.push_back(ev);
  }

  // Sends the events recorded to `sink` and forgets them.
  void ReplayTo(HtmlEventSink* sink) {
    for (const Event& ev : events_) {
      switch (ev.kind) {
        case Event::kStart: {
          HtmlElement e;
          e.tag = ev.tag;
          e.has_href = ev.has_href;
          e.class_name = Load(ev.a);
          e.id = Load(ev.b);
          e.role = Load(ev.c);
          sink->StartElement(e);
          break;
        }
        case Event::kEnd:
          sink->EndElement();
          break;
        case Event::kCopy:
          sink->AddCopy(html_.substr(ev.src, ev.len), ev.src);
          break;
        case Event::kReplacement:
          sink->AddReplacement(Load(ev.a), ev.src, ev.len);
          break;
        case Event::kDetach:
          sink->Detach(ev.tag);
          break;
      }
    }
    events_.clear();
    store_.clear();
  }

 private:
  struct Piece {
    uint32_t begin = 0, size = 0;
  };
  struct Event {
    enum Kind : uint8_t { kStart, kEnd, kCopy, kReplacement, kDetach };
    Kind kind = kEnd;
    HtmlTag tag = HtmlTag::kOther;
    bool has_href = false;
    uint32_t src = 0, len = 0;
    Piece a, b, c;
  };

  Piece Store(std::string_view s) {
    Piece p{static_cast<uint32_t>(store_.size()),
            static_cast<uint32_t>(s.size())};
    store_.append(s);
    return p;
  }
  std::string_view Load(Piece p) const {
    return std::string_view(store_).substr(p.begin, p.size);
  }

  const std::string_view html_;
  std::vector<Event> events_;
  std::string store_;
};

}  // namespace neardup::text::html_internal

#endif  // NEARDUP_SERVICE_TEXT_HTML_EVENT_BUFFER_H_
