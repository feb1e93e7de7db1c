// Adds every document of corpus files (JSON Lines, WARC, files: what
// `neardup audit` reads) to a collection of a running server, with Add
// over gRPC from several threads: the setup of the collection-audit
// benchmark (docs/BENCHMARKS.md, "Audit").
//
//   build/release/bench/jsonl_load --collection c /tmp/corpus.jsonl

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "service/corpus/reader.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "server address");
ABSL_FLAG(std::string, collection, "", "collection (must exist)");
ABSL_FLAG(int, threads, 8, "concurrent clients");

int main(int argc, char** argv) {
  std::vector<char*> inputs = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> paths(inputs.begin() + 1, inputs.end());
  const std::string collection = absl::GetFlag(FLAGS_collection);
  if (paths.empty() || collection.empty()) {
    std::fprintf(stderr, "usage: jsonl_load --collection C INPUT...\n");
    return 2;
  }
  auto reader = neardup::corpus::Reader::Open(paths, {});
  auto client = neardup::client::Client::Connect(absl::GetFlag(FLAGS_server));
  if (!reader.ok() || !client.ok()) {
    std::fprintf(stderr, "cannot open the inputs or the server\n");
    return 1;
  }
  std::mutex mu;  // guards the reader
  std::atomic<uint64_t> added{0}, failed{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < absl::GetFlag(FLAGS_threads); ++t) {
    threads.emplace_back([&] {
      neardup::corpus::Document d;
      while (true) {
        {
          std::lock_guard<std::mutex> lock(mu);
          auto more = (*reader)->Next(&d);
          if (!more.ok() || !*more) return;
        }
        neardup::v1::AddRequest req;
        req.set_collection(collection);
        req.mutable_document()->set_id(d.id);
        req.mutable_document()->set_content(d.content);
        req.mutable_document()->set_content_type(d.media_type);
        req.mutable_document()->set_charset(d.charset);
        if ((*client)->Add(req).ok()) {
          ++added;
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double s = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("%llu added, %llu failed in %.1f s (%.0f documents/s)\n",
              static_cast<unsigned long long>(added.load()),
              static_cast<unsigned long long>(failed.load()), s,
              added.load() / s);
  return failed.load() == 0 ? 0 : 1;
}
