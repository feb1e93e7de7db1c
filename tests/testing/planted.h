// A generated corpus with planted near copies, for audit tests: families
// of a base text and its copies (edited, re-wrapped, wrapped in HTML, in
// Traditional and Simplified Chinese), a chain of texts each alike to the
// next but the ends unalike, and unrelated texts; written as a directory
// of files, as JSON Lines or as WARC, plain or gzip.

#ifndef NEARDUP_TESTS_TESTING_PLANTED_H_
#define NEARDUP_TESTS_TESTING_PLANTED_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace neardup::testing {

struct PlantedDoc {
  std::string name;     // unique; ids are made from it
  std::string content;  // UTF-8 text or HTML
  bool html = false;
  std::string family;  // "" for an unrelated text
};

struct PlantedCorpus {
  std::vector<PlantedDoc> docs;
  // The chain: chain[0] ~ chain[1] ~ chain[2], chain[0] unlike chain[2];
  // chain[0] is the longest.
  std::vector<std::string> chain;
};

// `families` families of 5 documents (a base of 300 words, two edited
// copies a little shorter, a re-wrapped copy and an HTML-wrapped copy),
// the Chinese article of tests/testdata in both scripts, the chain, and
// `unrelated` unrelated texts. Deterministic in `seed`.
PlantedCorpus MakePlantedCorpus(uint64_t seed, int families, int unrelated);

enum class PlantedFormat { kFiles, kJsonl, kJsonlGz, kWarc, kWarcGz };

// Writes `c` under `dir` in `format`; returns the input to give the audit
// (the directory, or the file). The id of each document: its file path,
// "NAME" in JSON Lines, "http://planted.example/NAME" in WARC.
std::string WritePlanted(const PlantedCorpus& c, const std::string& dir,
                         PlantedFormat format);

// The id a document gets in `format`, written by WritePlanted into `dir`.
std::string PlantedId(const PlantedDoc& d, const std::string& dir,
                      PlantedFormat format);

// An audit's clusters.jsonl in `dir`: each line's ids, representative
// first.
std::vector<std::vector<std::string>> AuditClusters(const std::string& dir);

// id -> cluster number (from 1), from clusters.jsonl in `dir`.
std::map<std::string, int> ClusterOf(const std::string& dir);

// The outputs of an audit in `dir` that must not depend on the run:
// clusters.jsonl, duplicates.tsv, report.html, and summary.json up to its
// "run" object; by file name.
std::map<std::string, std::string> AuditResults(const std::string& dir);

// One gzip member of `data`.
std::string GzipMember(const std::string& data);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTING_PLANTED_H_
