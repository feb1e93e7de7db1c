#include "client/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/admin_command.h"
#include "client/args.h"
#include "client/audit_command.h"
#include "client/client.h"
#include "client/import_command.h"
#include "client/router.h"
#include "google/protobuf/util/json_util.h"
#include "service/common/version.h"
#include "service/report/passages_html.h"
#include "service/report/text_format.h"
#include "service/sketch/fingerprint.h"
#include "service/text/utf8.h"

namespace neardup::client {
namespace {

// Reads a whole file ("-" is standard input) as bytes. A directory is an
// INVALID_ARGUMENT (reading one would throw from the stream).
absl::StatusOr<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin),
                       std::istreambuf_iterator<char>());
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        " is a directory; give the files in it (neardup audit reads "
        "whole directories)"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read file: ", path));
  }
  std::string data((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat("error reading file: ", path));
  }
  return data;
}

std::string Json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  // Printing a message we built cannot fail; the status is dropped.
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

absl::Status ParseMetadata(const Args& args,
                           google::protobuf::Map<std::string, std::string>* m) {
  auto it = args.values.find("meta");
  if (it == args.values.end()) return absl::OkStatus();
  for (const std::string& kv : it->second) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--meta needs KEY=VALUE: ", kv));
    }
    (*m)[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return absl::OkStatus();
}

// One CLI run: parsed arguments, the connection and the output streams.
class Cli {
 public:
  Cli(Args args, std::ostream& out, std::ostream& err)
      : args_(std::move(args)), out_(out), err_(err) {}

  int Run() {
    if (args_.Flag("help")) {
      out_ << ::neardup::client::Usage();
      return kExitOk;
    }
    if (args_.Flag("version")) {
      out_ << "neardup " << kVersion << " (fingerprint version "
           << sketch::kFingerprintVersion << ")\n";
      return kExitOk;
    }
    if (args_.positional.empty()) {
      err_ << ::neardup::client::Usage();
      return kExitUsage;
    }
    const std::string command = args_.positional[0];
    absl::Status s;
    if (command == "collections") {
      s = Collections();
    } else if (command == "add") {
      s = AddFiles();
    } else if (command == "check") {
      s = CheckFile();
    } else if (command == "get") {
      s = GetDoc();
    } else if (command == "delete") {
      s = DeleteDoc();
    } else if (command == "repeats") {
      s = RepeatsFile();
    } else if (command == "compare") {
      s = CompareFiles();
    } else if (command == "search") {
      s = SearchFile();
    } else if (command == "admin") {
      AuditEnvironment env = Environment();
      s = RunAdminCommand(args_, &env);
      usage_error_ = usage_error_ || env.usage_error;
    } else if (command == "audit") {
      AuditEnvironment env = Environment();
      s = RunAuditCommand(args_, &env);
      usage_error_ = usage_error_ || env.usage_error;
    } else if (command == "help") {
      out_ << ::neardup::client::Usage();
      return kExitOk;
    } else {
      return UsageFail(absl::StrCat("unknown command: ", command));
    }
    if (usage_error_) return UsageFail(std::string(s.message()));
    if (!s.ok()) {
      err_ << "neardup: " << absl::StatusCodeToString(s.code()) << ": "
           << s.message() << "\n";
      return kExitError;
    }
    return kExitOk;
  }

 private:
  int UsageFail(const std::string& message) {
    err_ << "neardup: " << message << "\n"
         << "Run 'neardup help' for usage.\n";
    return kExitUsage;
  }

  // Marks `s` (if not OK) as a usage error and returns it.
  absl::Status Usage(absl::Status s) {
    if (!s.ok()) usage_error_ = true;
    return s;
  }
  absl::Status Usage(const std::string& message) {
    return Usage(absl::InvalidArgumentError(message));
  }

  absl::Status Connect() {
    Client::Options options;
    if (args_.Has("timeout")) {
      absl::StatusOr<double> t = ParseDouble("timeout", args_.Value("timeout"));
      if (!t.ok() || *t <= 0) {
        return Usage(absl::StrCat("--timeout needs a positive number: ",
                                  args_.Value("timeout")));
      }
      options.timeout = absl::Seconds(*t);
    }
    // The token: --token-file, else $NEARDUP_TOKEN (a file keeps it out
    // of the process list and the shell's history).
    if (args_.Has("token-file")) {
      absl::StatusOr<std::string> token = ReadFile(args_.Value("token-file"));
      if (!token.ok()) return token.status();
      options.token = std::string(absl::StripAsciiWhitespace(*token));
      if (options.token.empty()) {
        return Usage(absl::StrCat("--token-file ", args_.Value("token-file"),
                                  " is empty"));
      }
    } else if (const char* env = std::getenv("NEARDUP_TOKEN")) {
      options.token = std::string(absl::StripAsciiWhitespace(env));
    }
    options.tls = args_.Flag("tls");
    options.tls_ca_file = args_.Value("tls-ca");
    options.tls_cert_file = args_.Value("tls-cert");
    options.tls_key_file = args_.Value("tls-key");
    std::string server = args_.Value("server", std::string(kDefaultServer));
    if (args_.Has("etcd")) {
      if (args_.Has("server")) {
        return Usage("give --server or --etcd, not both");
      }
      absl::StatusOr<std::string> routed = Route(options);
      if (!routed.ok()) return routed.status();
      server = *routed;
    }
    auto client = Client::Connect(server, options);
    if (!client.ok()) return Usage(client.status());
    client_ = std::move(*client);
    return absl::OkStatus();
  }

  // With --etcd: the node this command goes to. Writes go to the primary
  // of the collection's node group, reads to a caught-up member
  // (client/router.h); `collections create --group G` places the
  // collection first.
  absl::StatusOr<std::string> Route(const Client::Options& options) {
    auto router = Router::Connect(args_.Value("etcd"), options);
    if (!router.ok()) return Usage(router.status());
    const std::string command = args_.positional[0];
    const std::string sub =
        args_.positional.size() > 1 ? args_.positional[1] : "";
    std::string collection = args_.Value("collection");
    if (command == "collections" && args_.positional.size() > 2) {
      collection = args_.positional[2];
    }
    const bool write = command == "add" || command == "delete" ||
                       (command == "check" && args_.Flag("add")) ||
                       (command == "collections" &&
                        (sub == "create" || sub == "drop" || sub == "import"));
    if (collection.empty()) {
      // About no one collection (collections list): the group given, or
      // the only one.
      std::string group = args_.Value("group");
      if (group.empty()) {
        auto groups = (*router)->Groups();
        if (!groups.ok()) return groups.status();
        if (groups->size() != 1) {
          return Usage(absl::StrCat(groups->size(),
                                    " node groups are up: give --group GROUP"));
        }
        group = groups->begin()->first;
      }
      return write ? (*router)->PrimaryOfGroup(group)
                   : (*router)->ReaderOfGroup(group);
    }
    if (command == "collections" && sub == "create" && args_.Has("group")) {
      absl::Status s = (*router)->Place(collection, args_.Value("group"));
      if (!s.ok()) return s;
    }
    return write ? (*router)->PrimaryOf(collection)
                 : (*router)->ReaderOf(collection);
  }

  // Returns the -c/--collection value or a usage error.
  absl::StatusOr<std::string> Collection() {
    if (!args_.Has("collection")) {
      return Usage(
          absl::StrCat(args_.positional[0], " needs a collection: -c NAME"));
    }
    return args_.Value("collection");
  }

  // Checks the positional count: `min` to `max` after the command words.
  absl::Status Positional(size_t skip, size_t min, size_t max,
                          const std::string& what) {
    const size_t n = args_.positional.size() - skip;
    if (n < min || n > max) return Usage(absl::StrCat("usage: neardup ", what));
    return absl::OkStatus();
  }

  // What the audit and import commands need of the CLI.
  AuditEnvironment Environment() {
    AuditEnvironment env;
    env.out = &out_;
    env.err = &err_;
    env.err_is_terminal = &err_ == &std::cerr && isatty(2);
    env.connect = [this]() -> absl::StatusOr<Client*> {
      absl::Status c = Connect();
      if (!c.ok()) return c;
      return client_.get();
    };
    return env;
  }

  absl::Status Collections() {
    if (args_.positional.size() < 2) {
      return Usage(
          "usage: neardup collections create|list|get|drop|import ...");
    }
    const std::string sub = args_.positional[1];
    if (sub == "import") {
      AuditEnvironment env = Environment();
      absl::Status s = RunImportCommand(args_, &env);
      usage_error_ = usage_error_ || env.usage_error;
      return s;
    }
    if (sub == "create") {
      absl::Status s = Usage(AllowOnly(
          args_, "collections create",
          {"threshold", "num-perm", "word-shingle", "char-shingle",
           "no-fold-traditional", "simhash-distance", "sync", "passages",
           "passage-max-docs", "keep-repeats", "group", "ack-replica"}));
      if (!s.ok()) return s;
      s = Positional(2, 1, 1, "collections create NAME [--threshold T] ...");
      if (!s.ok()) return s;
      v1::CollectionParams params;
      if (args_.Has("threshold")) {
        auto t = ParseDouble("threshold", args_.Value("threshold"));
        if (!t.ok()) return Usage(t.status());
        params.set_threshold(*t);
      }
      for (auto [flag, setter] :
           std::vector<std::pair<std::string,
                                 void (v1::CollectionParams::*)(uint32_t)>>{
               {"num-perm", &v1::CollectionParams::set_num_perm},
               {"word-shingle", &v1::CollectionParams::set_word_shingle_size},
               {"char-shingle", &v1::CollectionParams::set_char_shingle_size},
               {"simhash-distance",
                &v1::CollectionParams::set_simhash_distance},
               {"passage-max-docs",
                &v1::CollectionParams::set_passage_max_docs}}) {
        if (!args_.Has(flag)) continue;
        auto v = ParseUint(flag, args_.Value(flag));
        if (!v.ok()) return Usage(v.status());
        (params.*setter)(*v);
      }
      if (args_.Flag("no-fold-traditional")) params.set_fold_traditional(false);
      if (args_.Flag("sync")) params.set_sync(true);
      if (args_.Flag("ack-replica")) params.set_ack_replica(true);
      if (args_.Flag("passages")) params.set_passages(true);
      if (args_.Flag("keep-repeats")) params.set_collapse_repeats(false);
      if (args_.Has("passage-max-docs") && !args_.Flag("passages")) {
        return Usage("--passage-max-docs applies only with --passages");
      }
      if (s = Connect(); !s.ok()) return s;
      auto c = client_->CreateCollection(args_.positional[2], params);
      if (!c.ok()) return c.status();
      if (args_.Flag("json")) {
        out_ << Json(*c) << "\n";
      } else {
        out_ << "created collection " << c->name() << ": "
             << DescribeCollection(*c) << "\n";
      }
      return absl::OkStatus();
    }
    if (sub == "list") {
      absl::Status s = Usage(AllowOnly(args_, "collections list", {}));
      if (!s.ok()) return s;
      if (s = Positional(2, 0, 0, "collections list"); !s.ok()) return s;
      if (s = Connect(); !s.ok()) return s;
      auto list = client_->ListCollections();
      if (!list.ok()) return list.status();
      if (args_.Flag("json")) {
        v1::ListCollectionsResponse resp;
        for (const auto& c : *list) *resp.add_collections() = c;
        out_ << Json(resp) << "\n";
      } else if (list->empty()) {
        out_ << "no collections\n";
      } else {
        for (const auto& c : *list) {
          out_ << c.name() << "\t" << DescribeCollection(c) << "\n";
        }
      }
      return absl::OkStatus();
    }
    if (sub == "get" || sub == "drop") {
      absl::Status s = Usage(AllowOnly(args_, "collections " + sub, {}));
      if (!s.ok()) return s;
      if (s = Positional(2, 1, 1, "collections " + sub + " NAME"); !s.ok()) {
        return s;
      }
      if (s = Connect(); !s.ok()) return s;
      const std::string& name = args_.positional[2];
      if (sub == "get") {
        auto c = client_->GetCollection(name);
        if (!c.ok()) return c.status();
        if (args_.Flag("json")) {
          out_ << Json(*c) << "\n";
        } else {
          out_ << c->name() << ": " << DescribeCollection(*c) << "\n";
        }
        return absl::OkStatus();
      }
      auto dropped = client_->DropCollection(name);
      if (!dropped.ok()) return dropped.status();
      if (args_.Flag("json")) {
        v1::DropCollectionResponse resp;
        resp.set_documents_dropped(*dropped);
        out_ << Json(resp) << "\n";
      } else {
        out_ << "dropped collection " << name << " (" << *dropped
             << " documents)\n";
      }
      return absl::OkStatus();
    }
    return Usage(absl::StrCat("unknown collections command: ", sub));
  }

  static std::string DescribeCollection(const v1::Collection& c) {
    return absl::StrFormat(
               "%d documents, threshold %g, %d permutations (%d bands x %d "
               "rows), "
               "shingles of %d words / %d characters, %s, SimHash distance %d, "
               "%s, %s, %s, fingerprint v%d",
               c.document_count(), c.params().threshold(),
               c.params().num_perm(), c.lsh().bands(), c.lsh().rows(),
               c.params().word_shingle_size(), c.params().char_shingle_size(),
               c.params().fold_traditional()
                   ? "Traditional folded to Simplified"
                   : "no Chinese folding",
               c.params().simhash_distance(),
               c.params().sync() ? "synced writes" : "writes not synced",
               c.params().collapse_repeats() ? "repeats collapsed"
                                             : "repeats kept",
               c.params().passages()
                   ? absl::StrCat("passage index (boilerplate: in more than ",
                                  c.params().passage_max_docs(), " documents)")
                   : std::string("no passage index"),
               c.fingerprint_version()) +
           (c.params().ack_replica()
                ? ", writes answered once a replica has them"
                : "");
  }

  // Options that say how to read a document file.
  static constexpr std::initializer_list<const char*> kInputOptions = {
      "content-type", "charset", "lenient", "whole-page"};

  std::set<std::string> WithInputOptions(std::set<std::string> names) const {
    for (const char* o : kInputOptions) names.insert(o);
    return names;
  }

  // Reads `file` into `doc` with the input options of the command line:
  // text/html for .html/.htm files unless --content-type says otherwise
  // (other files: the server sniffs).
  absl::Status FillDocument(const std::string& file, v1::Document* doc) {
    auto content = ReadFile(file);
    if (!content.ok()) return content.status();
    doc->set_content(std::move(*content));
    std::string type = args_.Value("content-type");
    if (type.empty()) {
      const std::string lower = absl::AsciiStrToLower(file);
      if (absl::EndsWith(lower, ".html") || absl::EndsWith(lower, ".htm")) {
        type = "text/html";
      }
    }
    doc->set_content_type(type);
    doc->set_charset(args_.Value("charset"));
    doc->set_lenient_decoding(args_.Flag("lenient"));
    if (args_.Flag("whole-page")) doc->set_main_content(false);
    return absl::OkStatus();
  }

  absl::Status AddFiles() {
    absl::Status s = Usage(
        AllowOnly(args_, "add",
                  WithInputOptions({"collection", "id", "upsert", "meta"})));
    if (!s.ok()) return s;
    auto coll = Collection();
    if (!coll.ok()) return coll.status();
    if (args_.positional.size() < 2) {
      return Usage("usage: neardup add -c COLL [--id ID] FILE...");
    }
    if (args_.Has("id") && args_.positional.size() != 2) {
      return Usage("--id needs exactly one FILE");
    }
    for (size_t i = 1; i < args_.positional.size(); ++i) {
      if (args_.positional[i] == "-" && !args_.Has("id")) {
        return Usage("standard input (-) needs --id");
      }
    }
    v1::AddRequest req;
    req.set_collection(*coll);
    req.set_upsert(args_.Flag("upsert"));
    if (s = Usage(
            ParseMetadata(args_, req.mutable_document()->mutable_metadata()));
        !s.ok()) {
      return s;
    }
    if (s = Connect(); !s.ok()) return s;
    std::vector<std::string> json_items;
    absl::Status first_error;
    for (size_t i = 1; i < args_.positional.size(); ++i) {
      const std::string& file = args_.positional[i];
      const std::string id = args_.Value("id", file);
      req.mutable_document()->set_id(id);
      const absl::Status filled = FillDocument(file, req.mutable_document());
      absl::StatusOr<v1::AddResponse> resp =
          filled.ok() ? client_->Add(req)
                      : absl::StatusOr<v1::AddResponse>(filled);
      if (!resp.ok()) {
        err_ << "neardup: " << file << ": "
             << absl::StatusCodeToString(resp.status().code()) << ": "
             << resp.status().message() << "\n";
        if (first_error.ok()) {
          first_error = absl::Status(resp.status().code(),
                                     absl::StrCat(file, " not added"));
        }
        continue;
      }
      if (args_.Flag("json")) {
        json_items.push_back(absl::StrCat(
            "{\"file\":", report::JsonString(file), ",\"id\":",
            report::JsonString(id), ",\"response\":", Json(*resp), "}"));
      } else {
        out_ << (resp->replaced() ? "replaced " : "added ") << id << " ("
             << resp->stats().tokens() << " tokens, "
             << resp->stats().shingles() << " shingles"
             << (resp->stats().html() ? ", HTML" : "") << ", "
             << resp->stats().charset() << ")\n";
      }
    }
    if (args_.Flag("json")) {
      out_ << "{\"documents\":[" << absl::StrJoin(json_items, ",") << "]}\n";
    }
    return first_error;
  }

  absl::Status CheckFile() {
    absl::Status s =
        Usage(AllowOnly(args_, "check",
                        WithInputOptions({"collection", "add", "id",
                                          "threshold", "top-k", "meta"})));
    if (!s.ok()) return s;
    auto coll = Collection();
    if (!coll.ok()) return coll.status();
    if (s = Positional(1, 1, 1, "check -c COLL FILE [--add] [--id ID]");
        !s.ok()) {
      return s;
    }
    const bool add = args_.Flag("add");
    if ((args_.Has("id") || args_.Has("meta")) && !add) {
      return Usage("--id and --meta apply only with --add");
    }
    const std::string& file = args_.positional[1];
    if (add && file == "-" && !args_.Has("id")) {
      return Usage("standard input (-) needs --id with --add");
    }
    double threshold = 0;
    uint32_t top_k = 0;
    if (args_.Has("threshold")) {
      auto t = ParseDouble("threshold", args_.Value("threshold"));
      if (!t.ok()) return Usage(t.status());
      threshold = *t;
    }
    if (args_.Has("top-k")) {
      auto k = ParseUint("top-k", args_.Value("top-k"));
      if (!k.ok()) return Usage(k.status());
      top_k = *k;
    }
    if (s = Connect(); !s.ok()) return s;

    // Both calls are reported as a CheckAndAddResponse ("added" false for
    // a plain check), so the JSON has one shape.
    v1::CheckAndAddResponse resp;
    const std::string id = args_.Value("id", file);
    if (add) {
      v1::CheckAndAddRequest req;
      req.set_collection(*coll);
      req.set_threshold(threshold);
      req.set_top_k(top_k);
      req.mutable_document()->set_id(id);
      if (s = Usage(
              ParseMetadata(args_, req.mutable_document()->mutable_metadata()));
          !s.ok()) {
        return s;
      }
      if (s = FillDocument(file, req.mutable_document()); !s.ok()) return s;
      auto r = client_->CheckAndAdd(req);
      if (!r.ok()) return r.status();
      resp = std::move(*r);
    } else {
      v1::CheckRequest req;
      req.set_collection(*coll);
      req.set_threshold(threshold);
      req.set_top_k(top_k);
      if (s = FillDocument(file, req.mutable_document()); !s.ok()) return s;
      auto r = client_->Check(req);
      if (!r.ok()) return r.status();
      *resp.mutable_matches() = r->matches();
      *resp.mutable_stats() = r->stats();
    }
    if (args_.Flag("json")) {
      out_ << Json(resp) << "\n";
      return absl::OkStatus();
    }
    PrintMatches(resp);
    if (add) {
      if (resp.added()) {
        out_ << "added as " << id << "\n";
      } else if (resp.already_stored()) {
        out_ << "not added: id " << id << " is already stored\n";
      } else {
        out_ << "not added: near duplicate of " << resp.matches(0).id() << "\n";
      }
    }
    return absl::OkStatus();
  }

  void PrintMatches(const v1::CheckAndAddResponse& resp) {
    const std::string stats = absl::StrCat(resp.stats().tokens(), " tokens, ",
                                           resp.stats().shingles(), " shingles",
                                           resp.stats().html() ? ", HTML" : "",
                                           ", ", resp.stats().charset());
    if (resp.stats().repeated_fraction() > 0) {
      out_ << absl::StrFormat(
          "the document repeats itself: %.1f%% of it is a second copy, "
          "matched without it\n",
          100 * resp.stats().repeated_fraction());
    }
    if (resp.matches().empty()) {
      out_ << "no match (" << stats << ")\n";
      return;
    }
    out_ << resp.matches_size()
         << (resp.matches_size() == 1 ? " match" : " matches") << " (" << stats
         << ")\n";
    out_ << "jaccard  contained  contains  hamming  exact  id\n";
    for (const v1::Match& m : resp.matches()) {
      out_ << absl::StrFormat("%7.3f  %9.3f  %8.3f  %7d  %-5s  %s\n",
                              m.jaccard(), m.containment(),
                              m.reverse_containment(), m.hamming_distance(),
                              m.exact() ? "yes" : "no", m.id());
    }
  }

  absl::Status GetDoc() {
    absl::Status s =
        Usage(AllowOnly(args_, "get", {"collection", "fingerprint"}));
    if (!s.ok()) return s;
    auto coll = Collection();
    if (!coll.ok()) return coll.status();
    if (s = Positional(1, 1, 1, "get -c COLL ID"); !s.ok()) return s;
    if (s = Connect(); !s.ok()) return s;
    auto doc =
        client_->Get(*coll, args_.positional[1], args_.Flag("fingerprint"));
    if (!doc.ok()) return doc.status();
    if (args_.Flag("json") || args_.Flag("fingerprint")) {
      out_ << Json(*doc) << "\n";
      return absl::OkStatus();
    }
    out_ << "id: " << doc->id() << "\n"
         << "bytes: " << doc->stats().content_bytes() << "\n"
         << "tokens: " << doc->stats().tokens() << "\n"
         << "shingles: " << doc->stats().shingles() << "\n"
         << "simhash: " << absl::StrFormat("%016x", doc->stats().simhash())
         << "\n"
         << "added: "
         << absl::FormatTime(absl::FromUnixSeconds(doc->add_time().seconds()),
                             absl::UTCTimeZone())
         << "\n"
         << "fingerprint version: " << doc->fingerprint_version() << "\n";
    for (const auto& [k, v] : doc->metadata()) {
      out_ << "meta " << k << ": " << v << "\n";
    }
    return absl::OkStatus();
  }

  absl::Status DeleteDoc() {
    absl::Status s = Usage(AllowOnly(args_, "delete", {"collection"}));
    if (!s.ok()) return s;
    auto coll = Collection();
    if (!coll.ok()) return coll.status();
    if (s = Positional(1, 1, 1, "delete -c COLL ID"); !s.ok()) return s;
    if (s = Connect(); !s.ok()) return s;
    if (s = client_->Delete(*coll, args_.positional[1]); !s.ok()) return s;
    if (args_.Flag("json")) {
      out_ << "{\"deleted\":" << report::JsonString(args_.positional[1])
           << "}\n";
    } else {
      out_ << "deleted " << args_.positional[1] << "\n";
    }
    return absl::OkStatus();
  }

  // The first `max_cp` code points of bytes [begin, end) of `text`, on one
  // line, for a human-readable report.
  static std::string Excerpt(std::string_view text, uint32_t begin,
                             uint32_t end, size_t max_cp = 40) {
    end = std::min<uint32_t>(end, text.size());
    begin = std::min(begin, end);
    std::string out;
    size_t cps = 0;
    for (uint32_t i = begin; i < end; ++i) {
      const char c = text[i];
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && cps++ == max_cp) {
        return text::ReplaceInvalidUtf8(out) + "...";  // whole characters only
      }
      out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    return text::ReplaceInvalidUtf8(out);
  }

  absl::Status RepeatsFile() {
    absl::Status s =
        Usage(AllowOnly(args_, "repeats", WithInputOptions({"collapsed"})));
    if (!s.ok()) return s;
    if (s = Positional(1, 1, 1, "repeats FILE [--collapsed]"); !s.ok()) {
      return s;
    }
    const bool collapsed = args_.Flag("collapsed");
    if (collapsed && args_.Flag("json")) {
      return Usage("--collapsed prints the text itself; not with --json");
    }
    v1::RepeatsRequest req;
    req.set_return_collapsed(collapsed);
    if (s = FillDocument(args_.positional[1], req.mutable_document());
        !s.ok()) {
      return s;
    }
    if (s = Connect(); !s.ok()) return s;
    auto r = client_->Repeats(req);
    if (!r.ok()) return r.status();
    if (collapsed) {
      out_ << r->collapsed();
    } else if (args_.Flag("json")) {
      out_ << Json(*r) << "\n";
    } else {
      const std::string& text = req.document().content();
      out_ << absl::StrFormat(
          "%d repeated passage%s, %.1f%% of the text repeated\n",
          r->passages_size(), r->passages_size() == 1 ? "" : "s",
          100 * r->repeated_fraction());
      for (int i = 0; i < r->passages_size(); ++i) {
        const v1::RepeatedPassage& p = r->passages(i);
        out_ << "passage " << i + 1 << ", " << p.occurrences_size()
             << " occurrences: "
             << Excerpt(text, p.occurrences(0).byte_start(),
                        p.occurrences(0).byte_end())
             << "\n";
        for (const v1::TextSpan& o : p.occurrences()) {
          out_ << absl::StrFormat("  characters %d-%d (bytes %d-%d)\n",
                                  o.start(), o.end(), o.byte_start(),
                                  o.byte_end());
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status CompareFiles() {
    absl::Status s =
        Usage(AllowOnly(args_, "compare", WithInputOptions({"html"})));
    if (!s.ok()) return s;
    if (s = Positional(1, 2, 2, "compare A B [--html OUT.html]"); !s.ok()) {
      return s;
    }
    v1::CompareRequest req;
    const std::string& file_a = args_.positional[1];
    const std::string& file_b = args_.positional[2];
    if (file_a == "-" && file_b == "-") {
      return Usage("only one of A and B can be standard input (-)");
    }
    if (s = FillDocument(file_a, req.mutable_a()); !s.ok()) return s;
    if (s = FillDocument(file_b, req.mutable_b()); !s.ok()) return s;
    if (s = Connect(); !s.ok()) return s;
    auto r = client_->Compare(req);
    if (!r.ok()) return r.status();
    if (args_.Has("html")) {
      report::HtmlSide left{file_a, req.a().content(), {}};
      report::HtmlSide right{file_b, req.b().content(), {}};
      for (const v1::PassageMatch& p : r->passages()) {
        left.ranges.push_back({p.query_byte_start(), p.query_byte_end()});
        right.ranges.push_back({p.source_byte_start(), p.source_byte_end()});
      }
      if (s = WriteFile(
              args_.Value("html"),
              report::PassagesHtml(absl::StrCat(file_a, " vs ", file_b), left,
                                   {right}));
          !s.ok()) {
        return s;
      }
    }
    if (args_.Flag("json")) {
      out_ << Json(*r) << "\n";
      return absl::OkStatus();
    }
    out_ << absl::StrFormat(
        "jaccard %.3f, %.3f of A is in B, %.3f of B is in A, %d shared "
        "passage%s\n",
        r->jaccard(), r->containment(), r->reverse_containment(),
        r->passages_size(), r->passages_size() == 1 ? "" : "s");
    for (const v1::PassageMatch& p : r->passages()) {
      out_ << absl::StrFormat(
          "  A %d-%d  B %d-%d  %s\n", p.query_start(), p.query_end(),
          p.source_start(), p.source_end(),
          Excerpt(req.a().content(), p.query_byte_start(), p.query_byte_end()));
    }
    return absl::OkStatus();
  }

  absl::Status SearchFile() {
    absl::Status s = Usage(AllowOnly(
        args_, "search", WithInputOptions({"collection", "top-k", "html"})));
    if (!s.ok()) return s;
    auto coll = Collection();
    if (!coll.ok()) return coll.status();
    if (s = Positional(1, 1, 1, "search -c COLL FILE [--html OUT.html]");
        !s.ok()) {
      return s;
    }
    v1::SearchRequest req;
    req.set_collection(*coll);
    if (args_.Has("top-k")) {
      auto k = ParseUint("top-k", args_.Value("top-k"));
      if (!k.ok()) return Usage(k.status());
      req.set_top_k(*k);
    }
    // The page shows the sources' texts: ask for them only then.
    req.set_return_source_text(args_.Has("html"));
    const std::string& file = args_.positional[1];
    if (s = FillDocument(file, req.mutable_document()); !s.ok()) return s;
    if (s = Connect(); !s.ok()) return s;
    auto r = client_->Search(req);
    if (!r.ok()) return r.status();
    if (args_.Has("html")) {
      if (s = WriteFile(args_.Value("html"), SearchHtml(file, req, *r));
          !s.ok()) {
        return s;
      }
      // The texts were for the page; the JSON answer stays small.
      for (v1::PassageSource& src : *r->mutable_sources()) src.clear_text();
    }
    if (args_.Flag("json")) {
      out_ << Json(*r) << "\n";
      return absl::OkStatus();
    }
    const std::string& text = req.document().content();
    out_ << absl::StrFormat(
        "%d source%s, %.1f%% of %s found in them\n", r->sources_size(),
        r->sources_size() == 1 ? "" : "s", 100 * r->coverage(), file);
    for (const v1::PassageSource& src : r->sources()) {
      out_ << absl::StrFormat(
          "%s: %.1f%% of %s, %d passage%s\n", src.id(), 100 * src.containment(),
          file, src.passages_size(), src.passages_size() == 1 ? "" : "s");
      for (const v1::PassageMatch& p : src.passages()) {
        out_ << absl::StrFormat(
            "  query %d-%d  source %d-%d  %s\n", p.query_start(), p.query_end(),
            p.source_start(), p.source_end(),
            Excerpt(text, p.query_byte_start(), p.query_byte_end()));
      }
    }
    return absl::OkStatus();
  }

  // The query on the left, each source below the other on the right;
  // passages numbered across all sources.
  static std::string SearchHtml(const std::string& file,
                                const v1::SearchRequest& req,
                                const v1::SearchResponse& r) {
    report::HtmlSide left{file, req.document().content(), {}};
    std::vector<report::HtmlSide> right;
    for (const v1::PassageSource& src : r.sources()) {
      report::HtmlSide side{src.id(), src.text(), {}};
      // source_text_* count code points of the returned text (a server
      // before them: source_start/source_end did).
      const std::vector<uint32_t> at = text::CodePointOffsets(src.text());
      auto byte = [&](uint32_t cp) {
        return at[std::min<size_t>(cp, at.size() - 1)];
      };
      side.ranges.resize(left.ranges.size());  // earlier sources' passages
      for (const v1::PassageMatch& p : src.passages()) {
        left.ranges.push_back({p.query_byte_start(), p.query_byte_end()});
        const bool text_offsets = p.source_text_end() > 0;
        side.ranges.push_back(
            {byte(text_offsets ? p.source_text_start() : p.source_start()),
             byte(text_offsets ? p.source_text_end() : p.source_end())});
      }
      right.push_back(std::move(side));
    }
    return report::PassagesHtml(
        absl::StrCat(file, ": passages found in ", r.sources_size(),
                     " stored documents"),
        left, right);
  }

  static absl::Status WriteFile(const std::string& path,
                                const std::string& data) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << data;
    f.close();
    if (!f) {
      return absl::UnavailableError(absl::StrCat("cannot write ", path));
    }
    return absl::OkStatus();
  }

  Args args_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<Client> client_;
  bool usage_error_ = false;
};

}  // namespace

std::string Usage() {
  return std::string(
             R"(neardup: client of the neardupd near-duplicate detection server.

Usage: neardup [--server ADDR] [--json] [--timeout SECONDS] COMMAND ...

Collections:
  collections create NAME [--threshold T] [--num-perm N]
                          [--word-shingle N] [--char-shingle N]
                          [--no-fold-traditional] [--simhash-distance K]
                          [--sync] [--keep-repeats]
                          [--passages [--passage-max-docs N]]
                          [--group G] [--ack-replica]   (node groups: the group;
                          answer writes once a replica has them)
  collections list
  collections get NAME
  collections drop NAME
  collections import NAME AUDIT_DIR|INPUT...   (bulk import, see below)
Documents (FILE is text or HTML in any charset; - reads standard input):
  add -c COLL [--id ID] [--upsert] [--meta KEY=VALUE]... FILE...
      Store files; the id defaults to the file name as given.
  check -c COLL FILE [--threshold T] [--top-k N]
      List stored near duplicates of FILE, best first.
  check -c COLL FILE --add [--id ID] [--meta KEY=VALUE]...
      Atomically: if FILE matches nothing, store it.
  get -c COLL ID [--fingerprint]
      What is stored of ID; --fingerprint: with its signatures, as JSON.
  delete -c COLL ID
Passages (offsets: Unicode code points of the file, end exclusive, with
byte offsets beside them):
  repeats FILE [--collapsed]
      Passages that occur more than once inside FILE, with every
      occurrence; --collapsed prints FILE with the later copies removed.
  compare A B [--html OUT.html]
      Resemblance and containment both ways, and the shared passages;
      --html writes a page with both texts side by side, highlighted.
  search -c COLL FILE [--top-k N] [--html OUT.html]
      Stored documents that share passages with FILE (a collection
      created with --passages), most of FILE covered first, with the
      passages; --html writes FILE beside the sources, highlighted.
)") + AuditUsage() +
         AdminUsage() + ImportUsage() +
         R"(Reading documents (add, check, repeats, compare, search):
  --content-type T  text/plain or text/html (default: text/html for .html
                    and .htm files, else the server sniffs the content)
  --charset C       declared charset (gbk, big5, shift_jis, windows-1252,
                    ...); default: UTF-8 or detected
  --lenient         replace undecodable bytes instead of failing
  --whole-page      HTML: keep navigation, footers and link lists too

Options:
  --server ADDR   server address (default 127.0.0.1:50051)
  --etcd ADDRS    instead of --server: etcd endpoints (host:port,...) of a
                  replicated deployment; writes go to the primary of the
                  collection's node group, reads to a caught-up replica
                  (collections create NAME --group G places it)
  --json          print one JSON object (proto3 JSON field names)
  --timeout S     deadline of each call in seconds (default 30)
  --version       print the version and the fingerprint version
  --token-file F  send the bearer token in file F (default: $NEARDUP_TOKEN)
  --tls           connect with TLS (the system's CA roots)
  --tls-ca F      connect with TLS, trusting the CA certificate in F (PEM)
  --tls-cert F, --tls-key F
                  mutual TLS: this client's certificate and key (PEM)

Exit status: 0 success, 1 error reported by the server or reading a file
(message on stderr), 2 usage error.
)";
}

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
  absl::StatusOr<Args> parsed = Parse(args);
  if (!parsed.ok()) {
    err << "neardup: " << parsed.status().message() << "\n"
        << "Run 'neardup help' for usage.\n";
    return kExitUsage;
  }
  return Cli(std::move(*parsed), out, err).Run();
}

}  // namespace neardup::client
