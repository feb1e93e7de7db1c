#include "tests/testing/planted.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "service/report/text_format.h"
#include "tests/testing/corpus.h"
#include "tests/testing/fixtures.h"

namespace neardup::testing {
namespace {

void Write(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

std::vector<std::string> Words(const std::string& text) {
  return absl::StrSplit(text, ' ', absl::SkipEmpty());
}

// `text` without its last `n` words.
std::string DropLast(const std::string& text, size_t n) {
  std::vector<std::string> w = Words(text);
  w.resize(w.size() > n ? w.size() - n : 0);
  return absl::StrJoin(w, " ");
}

// `text` with exactly `count` words replaced by new ones, spread evenly:
// each replaced word changes four word shingles, so the Jaccard similarity
// to `text` is known up to the few chance collisions of new words.
std::string ReplaceWords(const std::string& text, size_t count, uint64_t seed) {
  std::vector<std::string> w = Words(text);
  for (size_t i = 0; i < count && !w.empty(); ++i) {
    const size_t at = (2 * i + 1) * w.size() / (2 * count);
    w[at] = absl::StrCat("x", GeneratedText(seed + i, 1));
  }
  return absl::StrJoin(w, " ");
}

// The same words, other line breaks and capitals: the same normalized
// text.
std::string Rewrapped(const std::string& text) {
  std::vector<std::string> w = Words(text);
  std::string out;
  for (size_t i = 0; i < w.size(); ++i) {
    std::string word = w[i];
    if (i % 7 == 0 && !word.empty())
      word[0] = static_cast<char>(toupper(word[0]));
    absl::StrAppend(&out, i == 0 ? "" : (i % 9 == 0 ? "\n" : "  "), word);
  }
  return out;
}

// `body` as an article of paragraphs of three sentences (as news pages
// have; main-content extraction drops runs of very short blocks at the
// edges of an article) between a navigation bar and a footer.
std::string Html(const std::string& title, const std::string& body) {
  std::string paragraphs;
  int sentences = 0;
  for (absl::string_view p : absl::StrSplit(body, ". ")) {
    absl::StrAppend(&paragraphs, sentences % 3 == 0 ? "<p>" : " ", p, ".",
                    sentences % 3 == 2 ? "</p>\n" : "");
    ++sentences;
  }
  if (sentences % 3 != 0) paragraphs += "</p>\n";
  return absl::StrCat(
      "<!DOCTYPE html><html><head><title>", title,
      "</title></head><body>\n<nav><a href=\"/\">Home</a> <a href=\"/a\">"
      "About</a></nav>\n<article>\n",
      paragraphs, "</article>\n<footer>Copyright</footer></body></html>\n");
}

std::string WarcRecord(const std::string& uri, const PlantedDoc& d) {
  const std::string http = absl::StrCat(
      "HTTP/1.1 200 OK\r\nContent-Type: ", d.html ? "text/html" : "text/plain",
      "; charset=utf-8\r\n\r\n", d.content);
  return absl::StrCat(
      "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: ", uri,
      "\r\nContent-Type: application/http; msgtype=response"
      "\r\nContent-Length: ",
      http.size(), "\r\n\r\n", http, "\r\n\r\n");
}

}  // namespace

std::string GzipMember(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

PlantedCorpus MakePlantedCorpus(uint64_t seed, int families, int unrelated) {
  PlantedCorpus c;
  for (int f = 0; f < families; ++f) {
    const std::string family = absl::StrCat("family", f);
    const std::string base = GeneratedText(seed * 1000 + f, 300);
    c.docs.push_back({family + "-base", base, false, family});
    // Jaccard to the base about 0.94 and 0.91.
    c.docs.push_back({family + "-edit1",
                      DropLast(ReplaceWords(base, 2, seed * 77 + f * 10), 3),
                      false, family});
    c.docs.push_back({family + "-edit2",
                      DropLast(ReplaceWords(base, 3, seed * 91 + f * 10), 5),
                      false, family});
    c.docs.push_back({family + "-rewrap", Rewrapped(base), false, family});
    c.docs.push_back({family + "-html", Html(family, base), true, family});
  }
  c.docs.push_back(
      {"zh-simplified", ReadTestData("article_zh.txt"), false, "zh"});
  c.docs.push_back(
      {"zh-traditional", ReadTestData("article_zh_hant.txt"), false, "zh"});
  // The chain: blocks of 20 words, A = b0..b19 plus 10 words (longest),
  // B = b3..b22, C = b6..b25: each shares 17 of 23 blocks with the next
  // (Jaccard about 0.74) and A shares 14 of 26 with C (about 0.54).
  std::vector<std::string> blocks;
  for (int b = 0; b < 26; ++b) {
    blocks.push_back(GeneratedText(seed * 5000 + b, 20));
  }
  auto join = [&](int from, int to) {
    std::vector<std::string> part(blocks.begin() + from, blocks.begin() + to);
    return absl::StrJoin(part, " ");
  };
  const std::string a = join(0, 20) + " " + GeneratedText(seed * 7000, 10);
  c.docs.push_back({"chain-a", a, false, "chain"});
  c.docs.push_back({"chain-b", join(3, 23), false, "chain"});
  c.docs.push_back({"chain-c", join(6, 26), false, "chain"});
  c.chain = {"chain-a", "chain-b", "chain-c"};
  for (int u = 0; u < unrelated; ++u) {
    c.docs.push_back({absl::StrCat("unrelated", u),
                      GeneratedText(seed * 9000 + u, 200 + u % 50), false, ""});
  }
  return c;
}

std::string PlantedId(const PlantedDoc& d, const std::string& dir,
                      PlantedFormat format) {
  switch (format) {
    case PlantedFormat::kFiles:
      return absl::StrCat(dir, "/files/", d.name, d.html ? ".html" : ".txt");
    case PlantedFormat::kJsonl:
    case PlantedFormat::kJsonlGz:
      return d.name;
    case PlantedFormat::kWarc:
    case PlantedFormat::kWarcGz:
      break;
  }
  return absl::StrCat("http://planted.example/", d.name);
}

std::string WritePlanted(const PlantedCorpus& c, const std::string& dir,
                         PlantedFormat format) {
  switch (format) {
    case PlantedFormat::kFiles: {
      for (const PlantedDoc& d : c.docs) {
        Write(PlantedId(d, dir, format), d.content);
      }
      return dir + "/files";
    }
    case PlantedFormat::kJsonl:
    case PlantedFormat::kJsonlGz: {
      std::string lines;
      for (const PlantedDoc& d : c.docs) {
        absl::StrAppend(&lines, "{\"id\": ", report::JsonString(d.name),
                        ", \"text\": ", report::JsonString(d.content), "}\n");
      }
      const bool gz = format == PlantedFormat::kJsonlGz;
      const std::string path =
          dir + (gz ? "/corpus.jsonl.gz" : "/corpus.jsonl");
      Write(path, gz ? GzipMember(lines) : lines);
      return path;
    }
    case PlantedFormat::kWarc:
    case PlantedFormat::kWarcGz:
      break;
  }
  const bool gz = format == PlantedFormat::kWarcGz;
  std::string warc;
  for (const PlantedDoc& d : c.docs) {
    const std::string r = WarcRecord(PlantedId(d, dir, format), d);
    warc += gz ? GzipMember(r) : r;
  }
  const std::string path = dir + (gz ? "/crawl.warc.gz" : "/crawl.warc");
  Write(path, warc);
  return path;
}

std::vector<std::vector<std::string>> AuditClusters(const std::string& dir) {
  std::vector<std::vector<std::string>> out;
  std::istringstream lines(Slurp(dir + "/clusters.jsonl"));
  const std::regex id("\"id\":\"([^\"]*)\"");
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string>& ids = out.emplace_back();
    for (auto it = std::sregex_iterator(line.begin(), line.end(), id);
         it != std::sregex_iterator(); ++it) {
      ids.push_back((*it)[1]);
    }
  }
  return out;
}

std::map<std::string, int> ClusterOf(const std::string& dir) {
  std::map<std::string, int> out;
  const std::vector<std::vector<std::string>> clusters = AuditClusters(dir);
  for (size_t c = 0; c < clusters.size(); ++c) {
    for (const std::string& id : clusters[c]) out[id] = static_cast<int>(c) + 1;
  }
  return out;
}

std::map<std::string, std::string> AuditResults(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const char* f : {"clusters.jsonl", "duplicates.tsv", "report.html"}) {
    out[f] = Slurp(dir + "/" + f);
  }
  const std::string summary = Slurp(dir + "/summary.json");
  out["summary.json"] = summary.substr(0, summary.find("\"run\""));
  return out;
}

}  // namespace neardup::testing
