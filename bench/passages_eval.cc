// PAN-style evaluation of passage Search (bench/pan_metrics.h): how much of
// each planted passage Search finds, in the right source, with how few and
// how exact detections, and what else it reports.
//
// The corpus is made at run time from the manual pages installed on this
// machine and is never written anywhere: English pages from
// /usr/share/man/man[1-8], Chinese pages (package manpages-zh) from
// /usr/share/man/zh_CN/man[1-8], in a seeded random order, at most
// --per_family pages of one family (gcloud_*, git-*, EVP_*). Each page is
// rendered with groff to plain text and only its prose paragraphs are kept
// (no option lists, tables or synopses). So that the truth is complete, a
// paragraph is also left out when an earlier document or its own page
// already has any run of 16 of its words (Han characters): the documents
// share no text that Search could rightly report. Pages with little prose
// left are skipped. Per language, the documents are split at random into
// SOURCES, stored in a passage collection of an in-process Store in a
// temporary RocksDB, and HOSTS, never stored.
//
// A suspicious document is a host with one passage of a random source put
// in at a paragraph boundary: 50-600 words of English, 100-1200 units of
// Chinese (a unit is one Han character or one run of other non-space
// characters). The passage is obfuscated with none, 10% or 30% random edits:
// each word, with that probability, is replaced by a random corpus word,
// deleted, or followed by an inserted random word. Some hosts go in with
// nothing inserted (negatives). The truth case is the passage's code point
// range in the suspicious document and the ORIGINAL passage's range in its
// source. Every passage that Search reports becomes a detection. Printed
// to stdout as markdown: PAN precision, recall, granularity and plagdet per
// language and edit rate, with Search latency; detections on negatives;
// matched_tokens of the detections that hit a case and of the others; and
// the scores if passages under a few matched_tokens thresholds were dropped.
//
//   build/release/bench/passages_eval --cases 100 --sources 700
//
// --oracle skips the index: each suspicious document is compared with its
// true source only (passages::Compare), which isolates alignment from
// retrieval. --dump writes every case and detection with the start of its
// text. Everything is a function of --seed and the installed pages.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/pan_metrics.h"
#include "service/engine/engine.h"
#include "service/index/store.h"
#include "service/passages/passages.h"
#include "service/text/analyze.h"

ABSL_FLAG(uint64_t, seed, 1, "seed of the corpus split and the cases");
ABSL_FLAG(int, cases, 100, "suspicious documents per language and edit rate");
ABSL_FLAG(int, negatives, 50,
          "suspicious documents with nothing inserted, per language");
ABSL_FLAG(int, sources, 700,
          "documents stored per language (fewer if the pages run out)");
ABSL_FLAG(int, hosts, 150, "host documents per language (never stored)");
ABSL_FLAG(int, max_doc_units, 6000,
          "a document is cut after this many words or Han characters");
ABSL_FLAG(int, per_family, 2,
          "pages kept per family (the name up to its first - _ . or :)");
ABSL_FLAG(int, top_k, 10, "SearchOptions::top_k");
ABSL_FLAG(uint32_t, passage_max_docs, 0,
          "CollectionParams::passage_max_docs (0: the default)");
ABSL_FLAG(std::string, db, "",
          "RocksDB directory (must not hold the collection); empty: a fresh "
          "temporary directory, removed at the end");
ABSL_FLAG(bool, oracle, false,
          "no index: compare each suspicious document with its true source");
ABSL_FLAG(int, jobs, 2, "man pages rendered in parallel");
ABSL_FLAG(std::string, dump, "",
          "write every case and detection here as tab-separated lines");

namespace neardup::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kCollection[] = "sources";
constexpr double kEditRates[] = {0, 0.1, 0.3};
constexpr const char* kEditNames[] = {"none", "10%", "30%"};
constexpr int kNumEditRates = 3;

// Portable randomness: std::mt19937_64 is specified exactly, unlike the
// standard distributions and std::shuffle.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // Returns a number in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return engine_() % n; }
  // Returns a number in [lo, hi]. REQUIRES: lo <= hi.
  uint64_t Between(uint64_t lo, uint64_t hi) { return lo + Below(hi - lo + 1); }
  // Returns a number in [0, 1).
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------- UTF-8

// Decodes the code point at `s[i]` into `cp` and its length into `len`.
// Returns false for bytes that are not well-formed UTF-8 (the service
// rejects those, so such documents are left out).
bool DecodeAt(std::string_view s, size_t i, char32_t& cp, size_t& len) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    len = 1;
    return true;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return false;
  }
  if (i + len > s.size()) return false;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  return cp >= kMinForLength[len] && cp <= 0x10FFFF &&
         !(cp >= 0xD800 && cp <= 0xDFFF);
}

bool IsHan(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 ||
         c == 0x3000;
}

// Returns the number of code points of `s`, which is valid UTF-8.
uint32_t CodePoints(std::string_view s) {
  uint32_t n = 0;
  for (char c : s) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

// A word of the edit model: one Han character, or a run of characters that
// are neither space nor Han.
struct Unit {
  uint32_t byte_start = 0;
  uint32_t byte_end = 0;
  uint32_t cp_start = 0;
  uint32_t cp_end = 0;
  bool han = false;
};

// Returns the units of `text`, or nullopt if it is not valid UTF-8.
std::optional<std::vector<Unit>> SplitUnits(std::string_view text) {
  std::vector<Unit> units;
  bool in_run = false;  // inside a run of non-Han characters
  uint32_t cp_index = 0;
  for (size_t i = 0; i < text.size(); ++cp_index) {
    char32_t c;
    size_t len;
    if (!DecodeAt(text, i, c, len)) return std::nullopt;
    const uint32_t at = static_cast<uint32_t>(i);
    if (IsSpace(c)) {
      in_run = false;
    } else if (IsHan(c)) {
      units.push_back(
          {at, at + static_cast<uint32_t>(len), cp_index, cp_index + 1, true});
      in_run = false;
    } else if (in_run) {
      units.back().byte_end = at + static_cast<uint32_t>(len);
      units.back().cp_end = cp_index + 1;
    } else {
      units.push_back(
          {at, at + static_cast<uint32_t>(len), cp_index, cp_index + 1, false});
      in_run = true;
    }
    i += len;
  }
  return units;
}

// -------------------------------------------------------------- corpus

struct Language {
  std::string code;              // "en", "zh"
  std::string man_root;          // holds man1 .. man8
  uintmax_t min_file_bytes = 0;  // compressed page, to skip stubs
  uint32_t min_units = 0;        // shortest document kept
  uint32_t passage_min = 0;      // planted passage, in units
  uint32_t passage_max = 0;
  bool (*is_prose)(std::string_view) = nullptr;  // one collapsed line
};

struct Doc {
  std::string id;
  std::string text;  // paragraphs separated by blank lines
  std::vector<Unit> units;
};

// Returns the output of the shell command `command` ("" if it fails).
std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[1 << 16];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  pclose(pipe);  // groff's exit status says nothing the text does not
  return out;
}

std::string ShellQuote(std::string_view s) {
  std::string quoted = "'";
  for (char c : s) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// Renders a gzipped man page to UTF-8 text. Lines are as long as groff
// allows, so that every filled paragraph comes out as one line, unhyphenated.
std::string RenderManPage(const std::string& path) {
  return RunCommand(
      absl::StrCat("zcat -- ", ShellQuote(path),
                   " | groff -Kutf-8 -t -man -Tutf8 -P-cbou -rLL=4000n -rHY=0 "
                   "2>/dev/null"));
}

// Returns `line` trimmed with each run of spaces and tabs made one space.
std::string CollapseSpaces(std::string_view line) {
  std::string out;
  for (char c : line) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// English prose: a dozen words or more, nearly all of them plain words,
// ending like a sentence.
bool IsEnglishProse(std::string_view line) {
  const std::vector<absl::string_view> words =
      absl::StrSplit(absl::string_view(line.data(), line.size()), ' ');
  if (words.size() < 12) return false;
  size_t plain = 0;
  for (absl::string_view w : words) {
    while (!w.empty() && absl::string_view("(\"'").find(w.front()) !=
                             absl::string_view::npos) {
      w.remove_prefix(1);
    }
    while (!w.empty() && absl::string_view(".,;:!?)\"'").find(w.back()) !=
                             absl::string_view::npos) {
      w.remove_suffix(1);
    }
    bool ok = !w.empty() && absl::ascii_isalpha(w.front());
    for (char c : w)
      ok = ok && (absl::ascii_isalpha(c) || c == '-' || c == '\'');
    plain += ok;
  }
  const char last = line.back();
  return plain >= 0.8 * words.size() &&
         (last == '.' || last == '!' || last == '?' || last == ':');
}

// Chinese prose: mostly Han characters, with Chinese punctuation.
bool IsChineseProse(std::string_view line) {
  size_t han = 0, other = 0;
  for (size_t i = 0; i < line.size();) {
    char32_t c;
    size_t len;
    if (!DecodeAt(line, i, c, len)) return false;
    if (IsHan(c)) {
      ++han;
    } else if (c != ' ') {
      ++other;
    }
    i += len;
  }
  const bool punctuated = line.find("，") != std::string_view::npos ||
                          line.find("。") != std::string_view::npos;
  return han >= 15 && han >= other && punctuated;
}

// Returns the prose paragraphs of a rendered page that no earlier page had
// (`seen` holds the earlier ones, lower-cased), and adds them to `seen`.
std::vector<std::string> NewProseParagraphs(
    std::string_view rendered, const Language& lang,
    absl::flat_hash_set<std::string>& seen) {
  std::vector<std::string> paragraphs;
  for (absl::string_view piece : absl::StrSplit(
           absl::string_view(rendered.data(), rendered.size()), '\n')) {
    const std::string_view line(piece.data(), piece.size());
    // Table columns and page headers are laid out with runs of spaces.
    if (line.find("    ", line.find_first_not_of(" \t") + 1) !=
        std::string_view::npos) {
      continue;
    }
    std::string text = CollapseSpaces(line);
    if (text.empty() || !lang.is_prose(text)) continue;
    if (!seen.insert(absl::AsciiStrToLower(text)).second) continue;
    paragraphs.push_back(std::move(text));
  }
  return paragraphs;
}

// Returns the gzipped, non-symlink pages of at least `min_bytes` under
// `root`/man1 .. man8, sorted by path.
std::vector<std::string> ListManPages(const std::string& root,
                                      uintmax_t min_bytes) {
  std::vector<std::string> pages;
  for (int section = 1; section <= 8; ++section) {
    const std::filesystem::path dir = root + "/man" + std::to_string(section);
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      const std::string path = e.path().string();
      if (e.is_symlink() || !e.is_regular_file() || path.size() < 3 ||
          path.compare(path.size() - 3, 3, ".gz") != 0) {
        continue;
      }
      const uintmax_t size = e.file_size(ec);
      // Documents are cut at --max_doc_units anyway, and giant pages (perl,
      // ffmpeg-all) would take most of the render time.
      if (!ec && size >= min_bytes && size <= (uintmax_t{60} << 10)) {
        pages.push_back(path);
      }
    }
  }
  std::sort(pages.begin(), pages.end());
  return pages;
}

// Returns the family of a page: its file name up to the first '-', '_',
// '.' or ':', lower-cased ("gcloud", "git", "evp", "create"). Pages of one
// family share whole paragraphs, which would be text reuse that the truth
// does not know about.
std::string Family(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  return absl::AsciiStrToLower(name.substr(0, name.find_first_of("-_.:")));
}

// Exact runs of this many units that two documents share, or that one
// repeats, are text reuse that Search may rightly report (its shortest
// passage is 16 tokens) and that the truth would not know about. A
// paragraph with such a run is left out of its document.
constexpr size_t kReuseUnits = 16;

// Returns the hash of each run of kReuseUnits `units` of `text` (ASCII
// case folded), in order: FNV-1a, the same on every run and host.
std::vector<uint64_t> RunHashes(std::string_view text,
                                const std::vector<Unit>& units) {
  constexpr uint64_t kBasis = 0xcbf29ce484222325ULL;
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  std::vector<uint64_t> unit_hashes;
  for (const Unit& u : units) {
    uint64_t h = kBasis;
    for (uint32_t i = u.byte_start; i < u.byte_end; ++i) {
      h = (h ^ static_cast<uint8_t>(absl::ascii_tolower(text[i]))) * kPrime;
    }
    unit_hashes.push_back(h);
  }
  std::vector<uint64_t> runs;
  for (size_t i = 0; i + kReuseUnits <= unit_hashes.size(); ++i) {
    uint64_t h = kBasis;
    for (size_t k = i; k < i + kReuseUnits; ++k) {
      h = (h ^ unit_hashes[k]) * kPrime;
    }
    runs.push_back(h);
  }
  return runs;
}

// What the documents built so far hold, to keep later ones independent.
struct CorpusState {
  absl::flat_hash_set<std::string> paragraphs;  // lower-cased
  absl::flat_hash_set<uint64_t> runs;           // RunHashes of kept docs
  size_t reused_paragraphs = 0;                 // left out for a known run
};

struct CorpusOptions {
  size_t wanted = 0;       // documents
  uint32_t max_units = 0;  // per document
  size_t per_family = 2;   // documents per family
  int jobs = 1;            // pages rendered in parallel
};

// Returns up to `options.wanted` documents of `lang`: pages in a seeded
// random order, rendered `options.jobs` at a time, cleaned and cut to
// `options.max_units`, at most `options.per_family` per family. A page with
// fewer than lang.min_units units of new prose is skipped: a paragraph is
// left out if an earlier one (in `state`, of any language) or its own page
// has the same text or any of its runs of kReuseUnits units.
std::vector<Doc> BuildCorpus(const Language& lang, const CorpusOptions& options,
                             Rng& rng, CorpusState& state) {
  std::vector<std::string> pages =
      ListManPages(lang.man_root, lang.min_file_bytes);
  rng.Shuffle(pages);
  std::vector<Doc> docs;
  absl::flat_hash_map<std::string, size_t> family_docs;
  size_t next_page = 0, rendered_pages = 0;
  const size_t chunk_size = 16 * static_cast<size_t>(options.jobs);
  while (next_page < pages.size() && docs.size() < options.wanted) {
    // The next pages of families that are not full yet, counting the pages
    // of this chunk as if they will all be kept.
    std::vector<const std::string*> chunk;
    absl::flat_hash_map<std::string, size_t> pending;
    for (; next_page < pages.size() && chunk.size() < chunk_size; ++next_page) {
      const std::string family = Family(pages[next_page]);
      auto it = family_docs.find(family);
      const size_t kept = it == family_docs.end() ? 0 : it->second;
      if (kept + pending[family] >= options.per_family) continue;
      ++pending[family];
      chunk.push_back(&pages[next_page]);
    }
    std::vector<std::string> rendered(chunk.size());
    std::atomic<size_t> next{0};
    std::vector<std::thread> workers;
    for (int j = 0; j < options.jobs; ++j) {
      workers.emplace_back([&] {
        for (size_t i; (i = next.fetch_add(1)) < chunk.size();) {
          rendered[i] = RenderManPage(*chunk[i]);
        }
      });
    }
    for (std::thread& t : workers) t.join();
    rendered_pages += chunk.size();
    // Kept in page order, so the result does not depend on thread timing.
    for (size_t i = 0; i < chunk.size() && docs.size() < options.wanted; ++i) {
      Doc doc;
      uint32_t units = 0;
      absl::flat_hash_set<uint64_t> doc_runs;
      for (std::string& p :
           NewProseParagraphs(rendered[i], lang, state.paragraphs)) {
        const std::optional<std::vector<Unit>> u = SplitUnits(p);
        if (!u.has_value()) break;
        if (units + u->size() > options.max_units) break;
        const std::vector<uint64_t> runs = RunHashes(p, *u);
        const absl::flat_hash_set<uint64_t> distinct(runs.begin(), runs.end());
        if (distinct.size() < runs.size() ||
            std::any_of(runs.begin(), runs.end(), [&](uint64_t h) {
              return state.runs.contains(h) || doc_runs.contains(h);
            })) {
          ++state.reused_paragraphs;
          continue;
        }
        doc_runs.insert(runs.begin(), runs.end());
        units += static_cast<uint32_t>(u->size());
        if (!doc.text.empty()) doc.text += "\n\n";
        doc.text += p;
      }
      if (units < lang.min_units) continue;
      doc.units = *SplitUnits(doc.text);
      state.runs.insert(doc_runs.begin(), doc_runs.end());
      const std::string name =
          std::filesystem::path(*chunk[i]).filename().string();
      doc.id = absl::StrCat(lang.code, "/", name.substr(0, name.size() - 3));
      ++family_docs[Family(*chunk[i])];
      docs.push_back(std::move(doc));
    }
  }
  std::fprintf(stderr,
               "%s: %zu pages listed, %zu rendered, %zu documents; so far "
               "%zu paragraphs left out for reused text\n",
               lang.code.c_str(), pages.size(), rendered_pages, docs.size(),
               state.reused_paragraphs);
  return docs;
}

// ------------------------------------------------------ suspicious docs

struct Suspicious {
  std::string id;
  size_t lang = 0;  // index into the languages
  int edit = -1;    // index into kEditRates; -1: a negative
  std::string text;
  std::optional<Annotation> truth;
};

std::string_view UnitText(const Doc& d, const Unit& u) {
  return std::string_view(d.text).substr(u.byte_start,
                                         u.byte_end - u.byte_start);
}

bool StartsWithHan(std::string_view s) {
  char32_t c;
  size_t len;
  return !s.empty() && DecodeAt(s, 0, c, len) && IsHan(c);
}

bool EndsWithHan(std::string_view s) {
  size_t i = s.size();
  while (i > 0 && (static_cast<uint8_t>(s[i - 1]) & 0xC0) == 0x80) --i;
  return i > 0 && StartsWithHan(s.substr(i - 1));
}

// Returns units [begin, end) of `src` with each unit, with probability
// `rate`, replaced by a random `vocabulary` unit, deleted, or followed by
// one. Units keep their original separators; two units that would touch are
// spaced unless one of them is Han (Chinese needs no spaces).
std::string Obfuscate(const Doc& src, size_t begin, size_t end, double rate,
                      const std::vector<std::string_view>& vocabulary,
                      Rng& rng) {
  const auto separator_after = [&](size_t i) -> std::string_view {
    if (i + 1 >= end) return "";
    return std::string_view(src.text).substr(
        src.units[i].byte_end,
        src.units[i + 1].byte_start - src.units[i].byte_end);
  };
  std::vector<std::pair<std::string_view, std::string_view>> out;  // unit, sep
  for (size_t i = begin; i < end; ++i) {
    const std::string_view unit = UnitText(src, src.units[i]);
    const std::string_view sep = separator_after(i);
    if (rng.Unit() >= rate) {
      out.emplace_back(unit, sep);
      continue;
    }
    const std::string_view word = vocabulary[rng.Below(vocabulary.size())];
    switch (rng.Below(3)) {
      case 0:  // replace
        out.emplace_back(word, sep);
        break;
      case 1:  // delete
        break;
      default:  // insert after
        out.emplace_back(unit, "");
        out.emplace_back(word, sep);
        break;
    }
  }
  if (out.empty()) out.emplace_back(UnitText(src, src.units[begin]), "");
  std::string text;
  for (size_t i = 0; i < out.size(); ++i) {
    text += out[i].first;
    if (i + 1 == out.size()) break;
    if (!out[i].second.empty()) {
      text += out[i].second;
    } else if (!EndsWithHan(out[i].first) && !StartsWithHan(out[i + 1].first)) {
      text += ' ';
    }
  }
  return text;
}

// Returns `host` with `passage` put in as a paragraph at a random paragraph
// boundary; sets `cp_start` to the passage's first code point.
std::string InsertAtParagraph(const std::string& host, std::string_view passage,
                              Rng& rng, uint32_t& cp_start) {
  std::vector<size_t> boundaries = {0};
  for (size_t p = host.find("\n\n"); p != std::string::npos;
       p = host.find("\n\n", p + 2)) {
    boundaries.push_back(p + 2);
  }
  boundaries.push_back(host.size());
  const size_t at = boundaries[rng.Below(boundaries.size())];
  std::string text = host.substr(0, at);
  if (at == host.size()) text += "\n\n";
  cp_start = CodePoints(text);
  text += passage;
  if (at < host.size()) {
    text += "\n\n";
    text.append(host, at, std::string::npos);
  }
  return text;
}

// ------------------------------------------------------------- scoring

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * v.size()));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

struct Outcome {
  std::vector<Annotation> detections;
  std::vector<uint32_t> matched;  // each detection's matched_tokens
  double millis = 0;
  bool failed = false;
};

// Everything about one row of the table.
struct Row {
  Row(std::string lang_code, std::string edit_rate)
      : lang(std::move(lang_code)), edits(std::move(edit_rate)) {}

  std::string lang;
  std::string edits;
  std::vector<Annotation> cases;
  std::vector<Annotation> detections;
  std::vector<uint32_t> matched;  // each detection's matched_tokens
  std::vector<double> millis;
  size_t docs = 0;
  size_t docs_with_detections = 0;
  size_t failures = 0;

  void Add(const Suspicious& s, const Outcome& o) {
    ++docs;
    if (s.truth.has_value()) cases.push_back(*s.truth);
    detections.insert(detections.end(), o.detections.begin(),
                      o.detections.end());
    matched.insert(matched.end(), o.matched.begin(), o.matched.end());
    docs_with_detections += !o.detections.empty();
    millis.push_back(o.millis);
    failures += o.failed;
  }
};

// Median, over detected cases, of |Δstart| + |Δend| between a case and its
// most overlapping detection: on the suspicious side (`source` false) or
// the source side, in code points.
double MedianBoundaryError(const Row& row, bool source) {
  std::vector<double> errors;
  for (const Annotation& c : row.cases) {
    const Annotation* best = nullptr;
    uint32_t best_overlap = 0;
    for (const Annotation& d : row.detections) {
      if (!Detects(d, c)) continue;
      const uint32_t lo = std::max(d.suspicious.start, c.suspicious.start);
      const uint32_t hi = std::min(d.suspicious.end, c.suspicious.end);
      if (best == nullptr || hi - lo > best_overlap) {
        best = &d;
        best_overlap = hi - lo;
      }
    }
    if (best == nullptr) continue;
    const CharRange& x = source ? best->source : best->suspicious;
    const CharRange& y = source ? c.source : c.suspicious;
    errors.push_back(std::abs(double(x.start) - y.start) +
                     std::abs(double(x.end) - y.end));
  }
  return Percentile(errors, 0.5);
}

// Returns whether `d` detects any of `cases`.
bool DetectsAny(const Annotation& d, const std::vector<Annotation>& cases) {
  return std::any_of(cases.begin(), cases.end(),
                     [&](const Annotation& c) { return Detects(d, c); });
}

// Returns `row` without the detections of fewer than `min_matched` matched
// tokens.
Row WithMinMatched(const Row& row, uint32_t min_matched) {
  Row kept = row;
  kept.detections.clear();
  kept.matched.clear();
  for (size_t j = 0; j < row.detections.size(); ++j) {
    if (row.matched[j] < min_matched) continue;
    kept.detections.push_back(row.detections[j]);
    kept.matched.push_back(row.matched[j]);
  }
  return kept;
}

// Prints, per row, the matched_tokens of detections that detect a case
// and of those that do not (p10 / p50 / p90).
void PrintMatchedTokens(const std::vector<Row>& rows) {
  std::printf(
      "\n| lang | detections of a case | matched tokens p10 / p50 / p90 | "
      "spurious | matched tokens p10 / p50 / p90 |\n"
      "|---|---:|---:|---:|---:|\n");
  for (const Row& row : rows) {
    std::vector<double> good, bad;
    for (size_t j = 0; j < row.detections.size(); ++j) {
      (DetectsAny(row.detections[j], row.cases) ? good : bad)
          .push_back(row.matched[j]);
    }
    std::printf(
        "| %s | %zu | %.0f / %.0f / %.0f | %zu | %.0f / %.0f / %.0f |\n",
        row.lang.c_str(), good.size(), Percentile(good, 0.1),
        Percentile(good, 0.5), Percentile(good, 0.9), bad.size(),
        Percentile(bad, 0.1), Percentile(bad, 0.5), Percentile(bad, 0.9));
  }
}

// Prints precision, recall and plagdet of each row as if Search dropped
// passages with fewer matched tokens than a few thresholds.
void PrintMinMatchedSweep(const std::vector<Row>& rows) {
  std::printf("\n| min matched tokens |");
  for (const Row& row : rows) {
    std::printf(" %s P | %s R | %s plagdet |", row.lang.c_str(),
                row.lang.c_str(), row.lang.c_str());
  }
  std::printf("\n|---:|");
  for (size_t i = 0; i < rows.size(); ++i) std::printf("---:|---:|---:|");
  std::printf("\n");
  for (uint32_t min_matched : {0, 16, 24, 32, 48, 64}) {
    std::printf("| %u |", min_matched);
    for (const Row& row : rows) {
      const Row kept = WithMinMatched(row, min_matched);
      const PanScores s = EvaluatePan(kept.cases, kept.detections);
      std::printf(" %.3f | %.3f | %.3f |", s.precision, s.recall, s.plagdet);
    }
    std::printf("\n");
  }
}

void PrintRow(const Row& row) {
  const PanScores s = EvaluatePan(row.cases, row.detections);
  size_t spurious = 0;  // detections that detect no case
  for (const Annotation& d : row.detections) {
    spurious += !DetectsAny(d, row.cases);
  }
  std::printf(
      "| %s | %s | %zu | %zu | %.3f | %.3f | %.3f | **%.3f** | %zu | %zu | "
      "%.0f / %.0f | %.1f | %.1f |\n",
      row.lang.c_str(), row.edits.c_str(), s.cases, s.detected_cases,
      s.precision, s.recall, s.granularity, s.plagdet, s.detections, spurious,
      MedianBoundaryError(row, false), MedianBoundaryError(row, true),
      Percentile(row.millis, 0.5), Percentile(row.millis, 0.99));
}

// Returns code points [range.start, range.end) of `text`, at most `limit`
// of them (then "..."), on one line.
std::string Excerpt(std::string_view text, CharRange range, uint32_t limit) {
  std::string out;
  uint32_t cp = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool starts_cp = (static_cast<uint8_t>(text[i]) & 0xC0) != 0x80;
    if (starts_cp && i > 0) ++cp;
    if (cp >= range.end) break;
    if (cp < range.start) continue;
    if (starts_cp && cp >= range.start + limit) {
      out += "...";
      break;
    }
    out += text[i] == '\n' || text[i] == '\t' ? ' ' : text[i];
  }
  return out;
}

// Writes each case and detection as a line of kind, suspicious doc, start,
// end, source doc, start, end, and the start of both texts.
void Dump(const std::string& path, const std::vector<Suspicious>& docs,
          const std::vector<Outcome>& outcomes,
          const absl::flat_hash_map<std::string, const Doc*>& sources) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return;
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    const auto line = [&](const char* kind, const Annotation& a) {
      auto it = sources.find(a.source_doc);
      std::fprintf(f, "%s\t%s\t%u\t%u\t%s\t%u\t%u\t%s\t%s\n", kind,
                   a.suspicious_doc.c_str(), a.suspicious.start,
                   a.suspicious.end, a.source_doc.c_str(), a.source.start,
                   a.source.end,
                   Excerpt(docs[i].text, a.suspicious, 60).c_str(),
                   it == sources.end()
                       ? ""
                       : Excerpt(it->second->text, a.source, 60).c_str());
    };
    if (docs[i].truth.has_value()) line("case", *docs[i].truth);
    for (const Annotation& d : outcomes[i].detections) line("detection", d);
  }
  std::fclose(f);
}

// ----------------------------------------------------------- detectors

text::InputOptions Utf8Text() {
  text::InputOptions input;
  input.content_type = text::ContentType::kText;
  input.charset = "utf-8";
  return input;
}

Outcome SearchOne(const engine::Engine& store, const Suspicious& s, int top_k) {
  Outcome o;
  const auto start = Clock::now();
  absl::StatusOr<engine::SearchResult> result = store.Search(
      kCollection, engine::DocumentInput{"", s.text, {}, Utf8Text()},
      engine::SearchOptions{static_cast<uint32_t>(top_k), false});
  o.millis =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (!result.ok()) {
    std::fprintf(stderr, "search %s: %s\n", s.id.c_str(),
                 std::string(result.status().message()).c_str());
    o.failed = true;
    return o;
  }
  for (const engine::PassageSource& source : result->sources) {
    for (const passages::MatchedPassage& p : source.passages) {
      o.detections.push_back({s.id,
                              {p.a.cp_start, p.a.cp_end},
                              source.id,
                              {p.b.cp_start, p.b.cp_end}});
      o.matched.push_back(p.matched_tokens);
    }
  }
  return o;
}

// The --oracle detector: passages::Compare with one given source.
Outcome CompareOne(const Suspicious& s, const Doc& source) {
  Outcome o;
  const auto start = Clock::now();
  absl::StatusOr<text::Analysis> a = text::Analyze(s.text, {}, Utf8Text());
  absl::StatusOr<text::Analysis> b = text::Analyze(source.text, {}, Utf8Text());
  if (!a.ok() || !b.ok()) {
    o.failed = true;
    return o;
  }
  const passages::Comparison c = passages::Compare(*a, *b);
  o.millis =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  for (const passages::MatchedPassage& p : c.passages) {
    o.detections.push_back({s.id,
                            {p.a.cp_start, p.a.cp_end},
                            source.id,
                            {p.b.cp_start, p.b.cp_end}});
    o.matched.push_back(p.matched_tokens);
  }
  return o;
}

// ---------------------------------------------------------------- main

int Run() {
  const auto run_start = Clock::now();
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  const int cases = absl::GetFlag(FLAGS_cases);
  const int negatives = absl::GetFlag(FLAGS_negatives);
  const int max_sources = absl::GetFlag(FLAGS_sources);
  const int max_hosts = absl::GetFlag(FLAGS_hosts);
  const bool oracle = absl::GetFlag(FLAGS_oracle);
  if (cases < 0 || negatives < 0 || max_sources < 1 || max_hosts < 1 ||
      absl::GetFlag(FLAGS_jobs) < 1 || absl::GetFlag(FLAGS_per_family) < 1 ||
      absl::GetFlag(FLAGS_top_k) < 1) {
    std::fprintf(stderr, "bad flags\n");
    return 2;
  }
  Rng rng(seed);

  const std::vector<Language> languages = {
      {"en", "/usr/share/man", 1500, 150, 50, 600, &IsEnglishProse},
      {"zh", "/usr/share/man/zh_CN", 800, 200, 100, 1200, &IsChineseProse},
  };

  // 1. Corpus: per language, hosts first, then sources.
  CorpusOptions corpus_options;
  corpus_options.wanted = static_cast<size_t>(max_sources + max_hosts);
  corpus_options.max_units =
      static_cast<uint32_t>(absl::GetFlag(FLAGS_max_doc_units));
  corpus_options.per_family =
      static_cast<size_t>(absl::GetFlag(FLAGS_per_family));
  corpus_options.jobs = absl::GetFlag(FLAGS_jobs);
  CorpusState corpus_state;
  std::vector<std::vector<Doc>> hosts(languages.size());
  std::vector<std::vector<Doc>> sources(languages.size());
  std::vector<std::vector<std::string_view>> vocabulary(languages.size());
  for (size_t l = 0; l < languages.size(); ++l) {
    std::vector<Doc> docs =
        BuildCorpus(languages[l], corpus_options, rng, corpus_state);
    if (docs.size() < 4) {
      std::fprintf(stderr, "%s: only %zu documents; are man pages installed?\n",
                   languages[l].code.c_str(), docs.size());
      return 1;
    }
    // A short corpus keeps the sources/hosts proportion of the flags.
    const size_t n_hosts = std::max<size_t>(
        1, docs.size() * max_hosts / (max_sources + max_hosts));
    for (size_t i = 0; i < docs.size(); ++i) {
      (i < n_hosts ? hosts[l] : sources[l]).push_back(std::move(docs[i]));
    }
  }
  std::vector<const Doc*> source_by_index;  // for the oracle
  for (size_t l = 0; l < languages.size(); ++l) {
    for (const Doc& d : sources[l]) {
      for (const Unit& u : d.units) vocabulary[l].push_back(UnitText(d, u));
    }
  }

  // 2. Suspicious documents.
  std::vector<Suspicious> suspicious;
  for (size_t l = 0; l < languages.size(); ++l) {
    const Language& lang = languages[l];
    uint32_t longest = 0;
    for (const Doc& d : sources[l]) {
      longest = std::max(longest, static_cast<uint32_t>(d.units.size()));
    }
    for (int e = 0; e < kNumEditRates; ++e) {
      for (int k = 0; k < cases; ++k) {
        const uint32_t length = std::min<uint32_t>(
            longest, static_cast<uint32_t>(
                         rng.Between(lang.passage_min, lang.passage_max)));
        const Doc* src;
        do {
          src = &sources[l][rng.Below(sources[l].size())];
        } while (src->units.size() < length);
        const size_t begin = rng.Below(src->units.size() - length + 1);
        const size_t end = begin + length;
        const std::string passage =
            Obfuscate(*src, begin, end, kEditRates[e], vocabulary[l], rng);
        const Doc& host = hosts[l][rng.Below(hosts[l].size())];
        Suspicious s;
        s.id = absl::StrFormat("%s/%s/%03d", lang.code,
                               e == 0   ? "none"
                               : e == 1 ? "10"
                                        : "30",
                               k);
        s.lang = l;
        s.edit = e;
        uint32_t cp_start = 0;
        s.text = InsertAtParagraph(host.text, passage, rng, cp_start);
        s.truth = Annotation{
            s.id,
            {cp_start, cp_start + CodePoints(passage)},
            src->id,
            {src->units[begin].cp_start, src->units[end - 1].cp_end}};
        suspicious.push_back(std::move(s));
        source_by_index.push_back(src);
      }
    }
    for (int k = 0; k < negatives; ++k) {
      Suspicious s;
      s.id = absl::StrFormat("%s/negative/%03d", lang.code, k);
      s.lang = l;
      s.text = hosts[l][rng.Below(hosts[l].size())].text;
      suspicious.push_back(std::move(s));
      source_by_index.push_back(&sources[l][rng.Below(sources[l].size())]);
    }
  }

  // 3. Index the sources (not needed by the oracle).
  std::string db = absl::GetFlag(FLAGS_db);
  const bool temporary_db = db.empty();
  if (temporary_db) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "passages_eval.XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    db = pattern;
  }
  size_t stored = 0;
  double ingest_seconds = 0;
  std::unique_ptr<index::Store> db_store;
  std::unique_ptr<engine::Engine> store;  // over db_store
  if (!oracle) {
    index::Store::Options options;
    options.path = db;
    absl::StatusOr<std::unique_ptr<index::Store>> opened =
        index::Store::Open(options);
    if (!opened.ok()) {
      std::fprintf(stderr, "open %s: %s\n", db.c_str(),
                   std::string(opened.status().message()).c_str());
      return 1;
    }
    db_store = *std::move(opened);
    store = std::make_unique<engine::Engine>(db_store.get());
    index::CollectionParams params;
    params.passages = true;
    params.passage_max_docs = absl::GetFlag(FLAGS_passage_max_docs);
    absl::Status created =
        store->CreateCollection(kCollection, params).status();
    if (!created.ok()) {
      std::fprintf(stderr, "create collection: %s\n",
                   std::string(created.message()).c_str());
      return 1;
    }
    const auto ingest_start = Clock::now();
    for (const std::vector<Doc>& docs : sources) {
      for (const Doc& d : docs) {
        absl::Status added =
            store->Add(kCollection, {d.id, d.text, {}, Utf8Text()}, false)
                .status();
        if (!added.ok()) {
          std::fprintf(stderr, "add %s: %s\n", d.id.c_str(),
                       std::string(added.message()).c_str());
          continue;
        }
        ++stored;
      }
    }
    ingest_seconds =
        std::chrono::duration<double>(Clock::now() - ingest_start).count();
  }

  // 4. Detect.
  std::vector<Outcome> outcomes;
  outcomes.reserve(suspicious.size());
  for (size_t i = 0; i < suspicious.size(); ++i) {
    outcomes.push_back(
        oracle ? CompareOne(suspicious[i], *source_by_index[i])
               : SearchOne(*store, suspicious[i], absl::GetFlag(FLAGS_top_k)));
  }
  store.reset();
  db_store.reset();
  if (temporary_db) {
    std::error_code ec;
    std::filesystem::remove_all(db, ec);
  }
  if (!absl::GetFlag(FLAGS_dump).empty()) {
    absl::flat_hash_map<std::string, const Doc*> by_id;
    for (const std::vector<Doc>& docs : sources) {
      for (const Doc& d : docs) by_id[d.id] = &d;
    }
    Dump(absl::GetFlag(FLAGS_dump), suspicious, outcomes, by_id);
  }

  // 5. Report.
  std::printf("corpus (seed %llu):", static_cast<unsigned long long>(seed));
  for (size_t l = 0; l < languages.size(); ++l) {
    size_t units = 0;
    for (const Doc& d : sources[l]) units += d.units.size();
    std::printf(" %s %zu sources (%zu %s), %zu hosts;",
                languages[l].code.c_str(), sources[l].size(), units,
                l == 0 ? "words" : "units", hosts[l].size());
  }
  std::printf(" %s\n\n", oracle ? "oracle: Compare with the true source"
                                : absl::StrFormat("%zu stored in %.1f s",
                                                  stored, ingest_seconds)
                                      .c_str());
  std::printf(
      "| lang | edits | cases | detected | precision | recall | granularity "
      "| plagdet | detections | spurious | boundary err p50 susp / src "
      "(chars) | p50 ms | p99 ms |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  Row overall("all", "all (+ negatives)");
  std::vector<Row> negative_rows;
  std::vector<Row> language_rows;
  for (size_t l = 0; l < languages.size(); ++l) {
    Row all(languages[l].code, "all (+ negatives)");
    Row negative(languages[l].code, "negatives");
    for (int e = 0; e < kNumEditRates; ++e) {
      Row row(languages[l].code, kEditNames[e]);
      for (size_t i = 0; i < suspicious.size(); ++i) {
        if (suspicious[i].lang == l && suspicious[i].edit == e) {
          row.Add(suspicious[i], outcomes[i]);
        }
      }
      PrintRow(row);
    }
    for (size_t i = 0; i < suspicious.size(); ++i) {
      if (suspicious[i].lang != l) continue;
      all.Add(suspicious[i], outcomes[i]);
      overall.Add(suspicious[i], outcomes[i]);
      if (suspicious[i].edit < 0) negative.Add(suspicious[i], outcomes[i]);
    }
    PrintRow(all);
    language_rows.push_back(std::move(all));
    negative_rows.push_back(std::move(negative));
  }
  PrintRow(overall);
  language_rows.push_back(overall);

  std::printf(
      "\n| lang | negative docs | with detections | detections |\n"
      "|---|---:|---:|---:|\n");
  for (const Row& r : negative_rows) {
    std::printf("| %s | %zu | %zu | %zu |\n", r.lang.c_str(), r.docs,
                r.docs_with_detections, r.detections.size());
  }
  PrintMatchedTokens(language_rows);
  PrintMinMatchedSweep(language_rows);
  std::printf("\n%zu Search failures; run took %.0f s\n", overall.failures,
              std::chrono::duration<double>(Clock::now() - run_start).count());
  return overall.failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace neardup::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return neardup::bench::Run();
}
