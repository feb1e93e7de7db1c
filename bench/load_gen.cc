// Load generator: N documents of realistic length, made at run time from
// real English text on this machine (the copyright and licence files of
// Debian's installed packages, cut into distinct sentences; a document is
// 12-20 sentences drawn at random), with near-duplicates planted at a known
// edit rate. Measures, over the real gRPC API on loopback (an in-process
// neardupd on 127.0.0.1:0) or on the Store directly (--in_process):
//
//   1. ingest: CheckAndAdd of every document from --threads clients; a
//      planted copy must come back DUPLICATE of its original (recall), a
//      fresh document NEW (false positives);
//   2. Check latency (p50/p99) and throughput at concurrency 1 and
//      --threads, on queries that are half planted copies, half new text;
//   3. disk bytes per document, peak RSS.
//
//   build/release/bench/load_gen --docs 1000000 --db /tmp/neardup-load
//
// Every loop is bounded by --docs and --queries; nothing listens beyond
// 127.0.0.1. Documents are a pure function of their number and --seed, so
// nothing is held in memory and every run sees the same corpus.

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/bench_files.h"
#include "client/client.h"
#include "service/common/executor.h"
#include "service/engine/engine.h"
#include "service/index/store.h"
#include "service/server/server.h"
#include "service/text/analyze.h"
#include "service/text/shingle.h"

ABSL_FLAG(int, docs, 100000, "documents to ingest");
ABSL_FLAG(int, queries, 20000, "Check calls per concurrency level");
ABSL_FLAG(int, threads, 16, "concurrent clients");
ABSL_FLAG(double, check_rate, 5000,
          "open-loop Check rate over --threads clients (0: skip)");
ABSL_FLAG(int, batch, 1,
          "documents per ingest call; above 1, CheckAndAddBatch (1..1000)");
ABSL_FLAG(double, ingest_during_checks, 0,
          "documents per second added (CheckAndAddBatch of 100, one more "
          "client) while the open-loop Check runs (0: none)");
ABSL_FLAG(bool, settle, true,
          "wait for RocksDB's flushes and compactions before timing Check");
ABSL_FLAG(double, planted, 0.05, "fraction of documents that are copies");
ABSL_FLAG(double, edit_rate, 0.02,
          "fraction of words replaced in a planted copy");
ABSL_FLAG(std::string, db, "/tmp/neardup-load", "database (wiped first)");
ABSL_FLAG(bool, in_process, false, "call the engine directly, not gRPC");
ABSL_FLAG(int, server_threads, 0,
          "the server's worker threads (neardupd --threads; 0: one per core)");
ABSL_FLAG(bool, sync, false, "collection with synced writes");
ABSL_FLAG(uint64_t, seed, 42, "corpus seed");
ABSL_FLAG(int, simhash_distance, 0, "collection's SimHash distance (0..3)");
ABSL_FLAG(bool, passages, false,
          "collection with a passage index; run --searches Search calls");
ABSL_FLAG(int, searches, 2000, "Search calls per concurrency level");
ABSL_FLAG(bool, html, false,
          "send each document as a web page (about 14 KB of markup, inline "
          "style and script, navigation, related links, footer, with the "
          "text in paragraphs); Search queries stay plain text");
ABSL_FLAG(std::string, corpus, "sentences",
          "sentences: documents of 12-20 licence sentences (shared by many "
          "documents); words: 300-500 words drawn from the licence texts' "
          "word stream (real word frequencies, few shared passages)");

namespace neardup::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Distinct sentences of 6-60 words from the machine's licence texts.
std::vector<std::string> LoadSentences() {
  std::set<std::string> unique;
  std::vector<std::string> files;
  for (const auto& e :
       std::filesystem::directory_iterator("/usr/share/common-licenses")) {
    files.push_back(e.path());
  }
  for (const auto& e : std::filesystem::directory_iterator("/usr/share/doc")) {
    const auto copyright = e.path() / "copyright";
    if (std::filesystem::is_regular_file(copyright)) files.push_back(copyright);
  }
  for (const std::string& f : files) {
    std::string text = ReadFile(f);
    std::replace(text.begin(), text.end(), '\n', ' ');
    for (absl::string_view s : absl::StrSplit(text, ". ")) {
      const size_t words = std::count(s.begin(), s.end(), ' ') + 1;
      if (words >= 6 && words <= 60) unique.emplace(s);
    }
  }
  return {unique.begin(), unique.end()};
}

class Corpus {
 public:
  Corpus(uint64_t seed, double planted, double edit_rate, bool words, bool html)
      : sentences_(LoadSentences()),
        seed_(seed),
        planted_(planted),
        edit_rate_(edit_rate),
        words_mode_(words),
        html_(html) {
    for (const std::string& s : sentences_) {
      for (absl::string_view w : absl::StrSplit(s, ' ', absl::SkipEmpty())) {
        // No "<http://...>": a text that starts with one is sniffed as
        // HTML, rightly, and has no text once its "tags" are dropped.
        if (absl::StrContains(w, '<')) continue;
        if (words_.size() < 2000000) words_.emplace_back(w);
      }
    }
  }

  size_t sentences() const { return sentences_.size(); }

  // Document n: a planted copy of an earlier document (Original(n) >= 0)
  // or fresh text.
  int64_t Original(int64_t n) const {
    std::mt19937_64 rng(seed_ ^ (uint64_t(n) * 0x9e3779b97f4a7c15ULL));
    if (n == 0 ||
        std::uniform_real_distribution<double>(0, 1)(rng) >= planted_) {
      return -1;
    }
    return static_cast<int64_t>(rng() % uint64_t(n));
  }

  // A Search query: fresh text of 300 words with `copied` words of
  // document `source` (from word `from`) pasted into its middle, about
  // `edit_rate` of them replaced.
  std::string QueryWithPassage(int64_t query, int64_t source, int copied,
                               double edit_rate, size_t* from) const {
    const std::string host_text = FreshWords(query, 300);
    const std::vector<absl::string_view> host =
        absl::StrSplit(host_text, ' ', absl::SkipEmpty());
    const std::string src = PlainText(source);  // the page's words
    const std::vector<absl::string_view> words =
        absl::StrSplit(src, ' ', absl::SkipEmpty());
    std::mt19937_64 rng(seed_ ^ uint64_t(query) * 977);
    *from = words.size() > size_t(copied)
                ? rng() % (words.size() - size_t(copied))
                : 0;
    std::string out;
    auto add = [&](absl::string_view w) {
      if (!out.empty()) out.push_back(' ');
      out.append(w.data(), w.size());
    };
    for (size_t i = 0; i < host.size() / 2; ++i) add(host[i]);
    for (size_t i = *from; i < std::min(words.size(), *from + copied); ++i) {
      const bool edit =
          std::uniform_real_distribution<double>(0, 1)(rng) < edit_rate;
      add(edit ? absl::string_view(words_[rng() % words_.size()]) : words[i]);
    }
    for (size_t i = host.size() / 2; i < host.size(); ++i) add(host[i]);
    return out;
  }

  std::string Text(int64_t n) const {
    return html_ ? Page(n, PlainText(n)) : PlainText(n);
  }

 private:
  std::string PlainText(int64_t n) const {
    const int64_t original = Original(n);
    if (original < 0) return Fresh(n);
    // A copy: the original's words with edit_rate of them replaced.
    std::mt19937_64 rng(seed_ + 7 * uint64_t(n));
    std::string out;
    for (absl::string_view w :
         absl::StrSplit(Fresh(original), ' ', absl::SkipEmpty())) {
      if (!out.empty()) out.push_back(' ');
      if (std::uniform_real_distribution<double>(0, 1)(rng) < edit_rate_) {
        out.append(words_[rng() % words_.size()]);
      } else {
        out.append(w.data(), w.size());
      }
    }
    return out;
  }

  // Document n as a page of a site: the same template for every page,
  // with the page's own title, ids, dates and related links.
  std::string Page(int64_t n, const std::string& text) const {
    std::mt19937_64 rng(seed_ * 977 + uint64_t(n));
    const std::string title = FreshWords(n + 7, 8);
    std::string page = absl::StrCat(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content=\"width=device-width\"><title>",
        title, " | The Licence Review</title><link rel=canonical href=\"",
        "https://review.example/", n, "/", rng() % 100000, "\"><style>");
    for (int i = 0; i < 60; ++i) {
      absl::StrAppend(&page, ".c", i, ",.c", i, ">a{margin:", i % 7,
                      "px auto;padding:", i % 5, "px;color:#", 100 + i, "}");
    }
    absl::StrAppend(&page,
                    "</style><script>window.dataLayer=window.dataLayer||[];"
                    "dataLayer.push({page:",
                    n, ",section:'", words_[rng() % words_.size()],
                    "',ab:", rng() % 4, ",ts:", 1700000000 + rng() % 9999999,
                    "});</script><script type=\"application/ld+json\">"
                    "{\"@type\":\"Article\",\"headline\":\"",
                    title, "\",\"datePublished\":\"2026-", 1 + rng() % 12, "-",
                    1 + rng() % 28,
                    "\"}</script></head><body><header><nav><ul>");
    for (int i = 0; i < 25; ++i) {
      absl::StrAppend(&page, "<li class=c", i, "><a href=\"/section/", i, "\">",
                      words_[(i * 7919) % words_.size()], "</a></li>");
    }
    absl::StrAppend(&page, "</ul></nav></header><main><article><h1>", title,
                    "</h1><p class=byline>By ", words_[rng() % words_.size()],
                    "</p><p>");
    int in_paragraph = 0;
    for (char c : text) {
      page.push_back(c);
      if (c == ' ' && ++in_paragraph == 60) {
        page += "</p>\n<p>";
        in_paragraph = 0;
      }
    }
    page += "</p></article><aside><h2>Related</h2><ul>";
    for (int i = 0; i < 10; ++i) {
      absl::StrAppend(&page, "<li><a href=\"/", rng() % 1000000, "\">",
                      FreshWords(int64_t(rng() % 1000000), 7), "</a></li>");
    }
    page += "</ul></aside></main><footer><ul>";
    for (int i = 0; i < 12; ++i) {
      absl::StrAppend(&page, "<li><a href=\"/about/", i, "\">",
                      words_[(i * 104729) % words_.size()], "</a></li>");
    }
    return page +
           "</ul><p>Copyright 2026 The Licence Review</p></footer>"
           "</body></html>";
  }

  std::string FreshWords(int64_t n, int count) const {
    std::mt19937_64 rng(seed_ * 131 + uint64_t(n));
    std::string out;
    for (int i = 0; i < count; ++i) {
      if (i > 0) out.push_back(' ');
      out.append(words_[rng() % words_.size()]);
    }
    return out;
  }

  std::string Fresh(int64_t n) const {
    if (words_mode_) {
      return FreshWords(
          n, 300 + static_cast<int>((seed_ + uint64_t(n) * 7919) % 201));
    }
    std::mt19937_64 rng(seed_ * 31 + uint64_t(n));
    const int count = 12 + static_cast<int>(rng() % 9);
    std::string out;
    for (int i = 0; i < count; ++i) {
      out.append(sentences_[rng() % sentences_.size()]);
      out.append(". ");
    }
    return out;
  }

  std::vector<std::string> sentences_;
  std::vector<std::string> words_;
  uint64_t seed_;
  double planted_, edit_rate_;
  bool words_mode_;
  bool html_;
};

// One client: gRPC or the Store itself.
class Target {
 public:
  virtual ~Target() = default;
  // Returns the id of the best match (empty: none), or false on error.
  virtual bool CheckAndAdd(const std::string& id, const std::string& text,
                           std::string* match, bool* added) = 0;
  virtual bool Check(const std::string& text, std::string* match) = 0;
  // One GetCollection: the cost of a call that does no work.
  virtual bool Ping() = 0;
  // One Search; the best source's id (empty: none) and the query start
  // of its first passage.
  virtual bool Search(const std::string& text, std::string* source,
                      uint32_t* query_start) = 0;
  // One CheckAndAddBatch; per document: whether it succeeded, its best
  // match and whether it was added. False if the call failed.
  struct Outcome {
    bool ok = false;
    bool added = false;
    std::string match;
  };
  virtual bool CheckAndAddBatch(const std::vector<std::string>& ids,
                                const std::vector<std::string>& texts,
                                std::vector<Outcome>* out) = 0;
};

class GrpcTarget : public Target {
 public:
  explicit GrpcTarget(std::unique_ptr<client::Client> c) : c_(std::move(c)) {}
  bool CheckAndAdd(const std::string& id, const std::string& text,
                   std::string* match, bool* added) override {
    v1::CheckAndAddRequest req;
    req.set_collection("load");
    req.mutable_document()->set_id(id);
    req.mutable_document()->set_content(text);
    auto r = c_->CheckAndAdd(req);
    if (!r.ok()) return false;
    *added = r->added();
    *match = r->matches().empty() ? "" : r->matches(0).id();
    return true;
  }
  bool Check(const std::string& text, std::string* match) override {
    v1::CheckRequest req;
    req.set_collection("load");
    req.mutable_document()->set_content(text);
    auto r = c_->Check(req);
    if (!r.ok()) return false;
    *match = r->matches().empty() ? "" : r->matches(0).id();
    return true;
  }
  bool Ping() override { return c_->GetCollection("load").ok(); }
  bool Search(const std::string& text, std::string* source,
              uint32_t* query_start) override {
    v1::SearchRequest req;
    req.set_collection("load");
    req.mutable_document()->set_content(text);
    auto r = c_->Search(req);
    if (!r.ok()) return false;
    *source = r->sources().empty() ? "" : r->sources(0).id();
    *query_start = r->sources().empty() || r->sources(0).passages().empty()
                       ? 0
                       : r->sources(0).passages(0).query_start();
    return true;
  }
  bool CheckAndAddBatch(const std::vector<std::string>& ids,
                        const std::vector<std::string>& texts,
                        std::vector<Outcome>* out) override {
    v1::CheckAndAddBatchRequest req;
    req.set_collection("load");
    for (size_t i = 0; i < ids.size(); ++i) {
      v1::Document* d = req.add_documents();
      d->set_id(ids[i]);
      d->set_content(texts[i]);
    }
    auto r = c_->CheckAndAddBatch(req);
    if (!r.ok()) {
      std::fprintf(stderr, "CheckAndAddBatch: %s\n",
                   r.status().ToString().c_str());
      return false;
    }
    out->clear();
    for (const auto& res : r->results()) {
      if (res.code() != 0) {
        std::fprintf(stderr, "document: %d %s\n", res.code(),
                     res.message().c_str());
      }
      const auto& resp = res.response();
      out->push_back({res.code() == 0, resp.added(),
                      resp.matches().empty() ? "" : resp.matches(0).id()});
    }
    return true;
  }

 private:
  std::unique_ptr<client::Client> c_;
};

class StoreTarget : public Target {
 public:
  explicit StoreTarget(engine::Engine* s) : s_(s) {}
  bool CheckAndAdd(const std::string& id, const std::string& text,
                   std::string* match, bool* added) override {
    engine::DocumentInput d;
    d.id = id;
    d.content = text;
    auto r = s_->CheckAndAdd("load", d, {});
    if (!r.ok()) return false;
    *added = r->added;
    *match = r->matches.empty() ? "" : r->matches[0].id;
    return true;
  }
  bool Check(const std::string& text, std::string* match) override {
    engine::DocumentInput d;
    d.content = text;
    auto r = s_->Check("load", d, {});
    if (!r.ok()) return false;
    *match = r->matches.empty() ? "" : r->matches[0].id;
    return true;
  }
  bool Ping() override { return s_->GetCollection("load").ok(); }
  bool Search(const std::string& text, std::string* source,
              uint32_t* query_start) override {
    engine::DocumentInput d;
    d.content = text;
    auto r = s_->Search("load", d, {});
    if (!r.ok()) return false;
    *source = r->sources.empty() ? "" : r->sources[0].id;
    *query_start = r->sources.empty() || r->sources[0].passages.empty()
                       ? 0
                       : r->sources[0].passages[0].a.cp_start;
    return true;
  }
  bool CheckAndAddBatch(const std::vector<std::string>& ids,
                        const std::vector<std::string>& texts,
                        std::vector<Outcome>* out) override {
    std::vector<engine::DocumentInput> docs(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      docs[i].id = ids[i];
      docs[i].content = texts[i];
    }
    auto r = s_->CheckAndAddBatch("load", docs, {});
    if (!r.ok()) return false;
    out->clear();
    for (const auto& res : *r) {
      if (!res.ok()) {
        out->push_back({});
        continue;
      }
      out->push_back(
          {true, res->added, res->matches.empty() ? "" : res->matches[0].id});
    }
    return true;
  }

 private:
  engine::Engine* s_;
};

std::string Id(int64_t n) { return absl::StrCat("doc", n); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

int Run() {
  const int docs = absl::GetFlag(FLAGS_docs);
  const int queries = absl::GetFlag(FLAGS_queries);
  const int threads = absl::GetFlag(FLAGS_threads);
  const std::string db = absl::GetFlag(FLAGS_db);
  const bool in_process = absl::GetFlag(FLAGS_in_process);
  const int batch = absl::GetFlag(FLAGS_batch);
  if (docs < 1 || queries < 1 || threads < 1 || threads > 256 || batch < 1 ||
      batch > 1000) {
    std::fprintf(stderr,
                 "load_gen: bad --docs, --queries, --threads or --batch\n");
    return 2;
  }
  const std::string corpus_kind = absl::GetFlag(FLAGS_corpus);
  if (corpus_kind != "sentences" && corpus_kind != "words") {
    std::fprintf(stderr, "load_gen: --corpus is sentences or words\n");
    return 2;
  }
  const bool passages = absl::GetFlag(FLAGS_passages);
  const Corpus corpus(absl::GetFlag(FLAGS_seed), absl::GetFlag(FLAGS_planted),
                      absl::GetFlag(FLAGS_edit_rate), corpus_kind == "words",
                      absl::GetFlag(FLAGS_html));
  if (corpus.sentences() < 1000) {
    std::fprintf(stderr, "load_gen: too little text on this machine\n");
    return 1;
  }
  std::filesystem::remove_all(db);

  std::unique_ptr<server::NearDupServer> server;
  std::unique_ptr<index::Store> store;
  std::unique_ptr<engine::Engine> engine;
  std::vector<std::unique_ptr<Target>> targets;
  index::CollectionParams params;
  params.sync = absl::GetFlag(FLAGS_sync);
  params.simhash_distance = absl::GetFlag(FLAGS_simhash_distance);
  params.passages = passages;
  if (in_process) {
    index::Store::Options o;
    o.path = db;
    auto s = index::Store::Open(o);
    if (!s.ok())
      return std::fprintf(stderr, "%s\n", s.status().ToString().c_str()), 1;
    store = std::move(*s);
    engine = std::make_unique<engine::Engine>(store.get());
    if (!engine->CreateCollection("load", params).ok()) return 1;
    for (int t = 0; t <= threads; ++t) {
      targets.push_back(std::make_unique<StoreTarget>(engine.get()));
    }
  } else {
    server::NearDupServer::Options o;
    o.db_path = db;
    o.listen = "127.0.0.1:0";
    o.worker_threads = absl::GetFlag(FLAGS_server_threads);
    auto s = server::NearDupServer::Start(o);
    if (!s.ok())
      return std::fprintf(stderr, "%s\n", s.status().ToString().c_str()), 1;
    server = std::move(*s);
    const std::string addr = absl::StrCat("127.0.0.1:", server->port());
    auto admin = client::Client::Connect(addr);
    v1::CollectionParams p;
    p.set_sync(params.sync.value_or(false));
    p.set_simhash_distance(*params.simhash_distance);
    p.set_passages(passages);
    if (!admin.ok() || !(*admin)->CreateCollection("load", p).ok()) return 1;
    // One per client thread, and one for --ingest_during_checks.
    for (int t = 0; t <= threads; ++t) {
      // One channel per client thread, as separate crawler workers have.
      client::Client::Options co;
      auto c = client::Client::Connect(addr, co);
      if (!c.ok()) return 1;
      targets.push_back(std::make_unique<GrpcTarget>(std::move(*c)));
    }
  }
  std::printf(
      "corpus: %zu distinct sentences; %d documents, %.0f%% planted "
      "copies with %.0f%% of words edited; %s, %d clients, %d per call\n",
      corpus.sentences(), docs, 100 * absl::GetFlag(FLAGS_planted),
      100 * absl::GetFlag(FLAGS_edit_rate),
      in_process ? "in process" : "gRPC on loopback", threads, batch);

  // 1. Ingest.
  std::atomic<int64_t> next{0}, errors{0}, planted{0}, found{0}, fresh{0},
      false_dup{0}, above{0}, found_above{0}, reordered{0};
  // Whether a planted copy is close enough to its original that recall is
  // promised: exact shingle-set Jaccard at the threshold (0.8) or above.
  auto Promised = [&](int64_t copy, int64_t original) {
    auto a = text::Analyze(corpus.Text(copy));
    auto b = text::Analyze(corpus.Text(original));
    return a.ok() && b.ok() &&
           text::SetJaccard(a->shingle_set, b->shingle_set) >= 0.8;
  };
  // Counts one ingested document against what was planted. Concurrent
  // calls may store a copy before its original; the original then comes
  // back as a duplicate of its copy, which finds the pair just as well.
  auto Tally = [&](int64_t n, bool added, const std::string& match) {
    const int64_t original = corpus.Original(n);
    if (original >= 0) {
      ++planted;
      // Found if reported as a duplicate of its original, or of another
      // copy of it (a copy's copy is also a near copy).
      const bool hit = !added && !match.empty();
      found += hit;
      if (Promised(n, original)) {
        ++above;
        found_above += hit;
      }
      return;
    }
    ++fresh;
    if (added) return;
    const int64_t m =
        match.size() > 3 ? std::atoll(match.c_str() + 3) : int64_t{-1};
    if (m > n && corpus.Original(m) == n) {
      ++reordered;
      ++found;
      found_above += Promised(m, n);
    } else {
      ++false_dup;
    }
  };
  const auto start = Clock::now();
  std::mutex mark_mu;  // the last progress line
  int64_t mark_docs = 0;
  auto mark_time = start;
  {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        std::vector<std::string> ids, texts;
        std::vector<Target::Outcome> outcomes;
        for (int64_t first = next.fetch_add(batch); first < docs;
             first = next.fetch_add(batch)) {
          const int64_t end = std::min<int64_t>(first + batch, docs);
          ids.clear();
          texts.clear();
          for (int64_t n = first; n < end; ++n) {
            ids.push_back(Id(n));
            texts.push_back(corpus.Text(n));
          }
          if (batch == 1) {
            outcomes.assign(1, {});
            outcomes[0].ok = targets[t]->CheckAndAdd(
                ids[0], texts[0], &outcomes[0].match, &outcomes[0].added);
          } else if (!targets[t]->CheckAndAddBatch(ids, texts, &outcomes)) {
            outcomes.assign(ids.size(), {});
          }
          for (int64_t n = first; n < end; ++n) {
            const Target::Outcome& o = outcomes[n - first];
            if (!o.ok) {
              ++errors;
              continue;
            }
            Tally(n, o.added, o.match);
          }
          if (first / 100000 != end / 100000 && end < docs) {
            const auto now = Clock::now();
            std::lock_guard<std::mutex> lock(mark_mu);
            std::printf(
                "  %lld documents, %.0f docs/s; %.0f docs/s over the last "
                "%lld\n",
                static_cast<long long>(end),
                end / std::chrono::duration<double>(now - start).count(),
                (end - mark_docs) /
                    std::chrono::duration<double>(now - mark_time).count(),
                static_cast<long long>(end - mark_docs));
            std::fflush(stdout);
            mark_docs = end;
            mark_time = now;
          }
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  const double ingest_s =
      std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("ingest: %d documents in %.1f s = %.0f docs/s; errors %lld\n",
              docs, ingest_s, docs / ingest_s,
              static_cast<long long>(errors.load()));
  std::printf(
      "recall of planted copies: %lld / %lld = %.4f; fresh documents "
      "reported as duplicates: %lld / %lld = %.5f\n",
      static_cast<long long>(found.load()),
      static_cast<long long>(planted.load()),
      planted ? double(found) / planted : 0.0,
      static_cast<long long>(false_dup.load()),
      static_cast<long long>(fresh.load()),
      fresh ? double(false_dup) / fresh : 0.0);
  std::printf(
      "originals stored after their copy (found through the copy): %lld\n",
      static_cast<long long>(reordered.load()));
  std::printf(
      "recall of planted copies with exact Jaccard >= 0.8: %lld / "
      "%lld = %.4f\n",
      static_cast<long long>(found_above.load()),
      static_cast<long long>(above.load()),
      above ? double(found_above) / above : 0.0);

  // The database at rest before Check is timed: flushes and compactions
  // the ingest left running finish first (at most ten minutes).
  if (absl::GetFlag(FLAGS_settle)) {
    const auto t0 = Clock::now();
    const index::Store& s = server ? server->store() : *store;
    const bool settled = s.WaitForBackgroundWork(absl::Minutes(10));
    std::printf("background work %s after %.1f s\n",
                settled ? "finished" : "still running",
                std::chrono::duration<double>(Clock::now() - t0).count());
    std::fflush(stdout);
  }

  // 2. Check latency. Closed loop at concurrency 1 and `threads` (each
  // client sends its next query when the last returns: the throughput
  // ceiling), then open loop: `threads` clients together sending
  // --check_rate queries per second on a fixed schedule, latency counted
  // from each query's scheduled time, so a stall is charged to every query
  // it delays (no coordinated omission).
  auto run_checks = [&](int concurrency, double rate) {
    std::vector<std::vector<double>> lat(concurrency);
    const auto qstart = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < concurrency; ++t) {
      workers.emplace_back([&, t] {
        std::mt19937_64 rng(1000 + t);
        for (int64_t i = t; i < queries; i += concurrency) {
          // Half near copies of stored documents, half new text.
          const std::string text =
              i % 2 == 0 ? corpus.Text(int64_t(rng() % uint64_t(docs)))
                         : corpus.Text(docs + i);
          auto t0 = Clock::now();
          if (rate > 0) {
            t0 = qstart + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(i / rate));
            std::this_thread::sleep_until(t0);
          }
          std::string match;
          if (!targets[t]->Check(text, &match)) ++errors;
          lat[t].push_back(
              std::chrono::duration<double, std::micro>(Clock::now() - t0)
                  .count());
        }
      });
    }
    for (auto& w : workers) w.join();
    const double secs =
        std::chrono::duration<double>(Clock::now() - qstart).count();
    std::vector<double> all;
    for (const auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    std::printf(
        "check, %d clients, %s: %d queries, %.0f/s, p50 %.0f us, p99 "
        "%.0f us, max %.0f us\n",
        concurrency,
        rate > 0 ? absl::StrCat("open loop at ", rate, "/s").c_str()
                 : "closed loop",
        queries, queries / secs, Percentile(all, 0.5), Percentile(all, 0.99),
        Percentile(all, 1.0));
  };
  // The floor: calls that do no work, closed loop from every client.
  {
    const auto pstart = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int64_t i = t; i < queries; i += threads) {
          if (!targets[t]->Ping()) ++errors;
        }
      });
    }
    for (auto& w : workers) w.join();
    std::printf(
        "GetCollection, %d clients, closed loop: %d calls, %.0f/s\n", threads,
        queries,
        queries / std::chrono::duration<double>(Clock::now() - pstart).count());
  }
  run_checks(1, 0);
  run_checks(threads, 0);
  if (absl::GetFlag(FLAGS_check_rate) > 0) {
    run_checks(threads, absl::GetFlag(FLAGS_check_rate));
  }
  if (const double rate = absl::GetFlag(FLAGS_ingest_during_checks);
      rate > 0 && absl::GetFlag(FLAGS_check_rate) > 0) {
    // New documents (numbered past every query) in batches of 100 on a
    // fixed schedule from one more client, until the checks are done;
    // at most ten minutes' worth.
    std::atomic<bool> checks_done{false};
    int64_t added = 0;
    const auto istart = Clock::now();
    std::thread ingester([&] {
      const int64_t first = int64_t(docs) + queries;
      const int64_t limit = int64_t(rate * 600);
      std::vector<std::string> ids, texts;
      std::vector<Target::Outcome> outcomes;
      for (int64_t n = 0; n < limit && !checks_done.load(); n += 100) {
        std::this_thread::sleep_until(
            istart + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(n / rate)));
        ids.clear();
        texts.clear();
        for (int64_t k = n; k < n + 100; ++k) {
          ids.push_back(Id(first + k));
          texts.push_back(corpus.Text(first + k));
        }
        if (!targets[threads]->CheckAndAddBatch(ids, texts, &outcomes)) {
          ++errors;
        }
        added += 100;
      }
    });
    run_checks(threads, absl::GetFlag(FLAGS_check_rate));
    checks_done = true;
    ingester.join();
    std::printf(
        "  (while %lld documents were added at %.0f docs/s)\n",
        static_cast<long long>(added),
        added / std::chrono::duration<double>(Clock::now() - istart).count());
  }

  // 3. Search latency (closed loop), with a 60-word passage of a stored
  // (fresh) document pasted into each query (every other one with 10% of its
  // words edited); found = the best source is that document and its
  // first passage starts within 3 words' worth of characters of where
  // the passage was put.
  auto run_searches = [&](int concurrency) {
    const int searches = absl::GetFlag(FLAGS_searches);
    std::vector<std::vector<double>> lat(concurrency);
    std::atomic<int64_t> hits{0};
    const auto qstart = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < concurrency; ++t) {
      workers.emplace_back([&, t] {
        std::mt19937_64 rng(5000 + t);
        for (int64_t i = t; i < searches; i += concurrency) {
          // A fresh document: always stored, where a planted copy is
          // mostly refused as a near duplicate and so cannot be found.
          int64_t source = int64_t(rng() % uint64_t(docs));
          for (int tries = 0; tries < 1000 && corpus.Original(source) >= 0;
               ++tries) {
            source = int64_t(rng() % uint64_t(docs));
          }
          size_t from = 0;
          const std::string text = corpus.QueryWithPassage(
              docs + 1000000 + i, source, 60, i % 2 ? 0.1 : 0, &from);
          // Where the passage was put: after the host's first 150 words.
          size_t at = 0;
          for (int spaces = 0; at < text.size() && spaces < 150; ++at) {
            spaces += text[at] == ' ';
          }
          const auto t0 = Clock::now();
          std::string found;
          uint32_t start = 0;
          if (!targets[t]->Search(text, &found, &start)) ++errors;
          lat[t].push_back(
              std::chrono::duration<double, std::micro>(Clock::now() - t0)
                  .count());
          const double off = std::abs(double(start) - double(at));
          hits += found == Id(source) && off < 40;
        }
      });
    }
    for (auto& w : workers) w.join();
    const double secs =
        std::chrono::duration<double>(Clock::now() - qstart).count();
    std::vector<double> all;
    for (const auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    std::printf(
        "search, %d clients, closed loop: %d queries, %.0f/s, p50 %.0f us, "
        "p99 %.0f us, max %.0f us; passage found %lld / %d\n",
        concurrency, searches, searches / secs, Percentile(all, 0.5),
        Percentile(all, 0.99), Percentile(all, 1.0),
        static_cast<long long>(hits.load()), searches);
  };
  if (passages) {
    run_searches(1);
    run_searches(threads);
  }

  if (server) {
    const Executor& e = server->executor();
    std::printf(
        "server executor: %d threads, at most %zu of %zu calls waiting, %llu "
        "refused (RESOURCE_EXHAUSTED)\n",
        e.threads(), e.peak_queued(), e.max_queued(),
        static_cast<unsigned long long>(e.rejected()));
  }

  // 4. Disk and memory.
  targets.clear();
  server.reset();
  engine.reset();
  store.reset();
  {
    // Reopening replays the write-ahead log into table files and drops
    // it: what stays on disk for a collection at rest.
    index::Store::Options o;
    o.path = db;
    auto reopened = index::Store::Open(o);
    if (!reopened.ok()) return 1;
  }
  const uint64_t bytes = DirBytes(db);
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::printf("disk: %.2f MB = %.0f bytes per document; peak RSS %.0f MB\n",
              bytes / 1e6, double(bytes) / docs, usage.ru_maxrss / 1024.0);
  return errors.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace neardup::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return neardup::bench::Run();
}
