// Access control, TLS and the server's observability, end to end: the real
// NearDupServer on 127.0.0.1:0 with a token file, TLS certificates made
// by openssl for the test, and the metrics endpoint scraped by a real
// Prometheus server (Debian's prometheus package) on loopback.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "service/server/server.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace neardup {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::RunCommand;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAdmin[] = "admin-token-0123456789abcdef";
constexpr char kCrawler[] = "crawler-token-0123456789abcd";
constexpr char kEditor[] = "editor-token-0123456789abcde";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

std::string Tokens(bool with_crawler) {
  std::string text = absl::StrCat("# test tokens\nops ", kAdmin, " admin:*\n",
                                  "editors ", kEditor, " read:news-*\n");
  if (with_crawler) {
    absl::StrAppend(&text, "crawler ", kCrawler, " write:pages read:*\n");
  }
  return text;
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = neardup::testing::MakeScratchDir("secure"); }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Start(server::NearDupServer::Options options) {
    options.db_path = dir_ + "/db";
    options.listen = "127.0.0.1:0";
    auto server = server::NearDupServer::Start(options);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
  }

  std::string Target() const {
    return absl::StrCat("127.0.0.1:", server_->port());
  }

  std::unique_ptr<client::Client> ClientWith(client::Client::Options options) {
    options.timeout = absl::Seconds(20);
    auto client = client::Client::Connect(Target(), options);
    EXPECT_THAT(client, IsOk());
    return client.ok() ? std::move(*client) : nullptr;
  }
  std::unique_ptr<client::Client> ClientWithToken(const std::string& token) {
    client::Client::Options options;
    options.token = token;
    return ClientWith(options);
  }

  // Makes a CA, a server certificate for 127.0.0.1 and a client
  // certificate, all signed by the CA, under dir_ (EC keys: fast), named
  // `prefix`ca.pem, `prefix`server.pem, `prefix`server.key and so on.
  void MakeCertificates(const std::string& prefix = "") {
    if (!std::filesystem::exists("/usr/bin/openssl")) {
      GTEST_SKIP() << "openssl is not installed (deploy/install-deps.sh "
                      "installs it); the TLS tests need it to make "
                      "certificates";
    }
    auto run = [](const std::vector<std::string>& argv) {
      neardup::testing::CommandResult r = RunCommand(argv);
      ASSERT_EQ(r.exit_code, 0) << argv[1] << ": " << r.err;
    };
    const std::string d = dir_ + "/" + prefix;
    WriteFile(d + "server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", d + "ca.key",
         "-out", d + "ca.pem", "-days", "2", "-subj",
         absl::StrCat("/CN=neardup test CA ", prefix)});
    for (const char* who : {"server", "client"}) {
      const std::string w = d + who;
      run({"/usr/bin/openssl", "req", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", w + ".key",
           "-out", w + ".csr", "-subj",
           absl::StrCat("/CN=neardup test ", who)});
      std::vector<std::string> sign = {"/usr/bin/openssl",
                                       "x509",
                                       "-req",
                                       "-in",
                                       w + ".csr",
                                       "-CA",
                                       d + "ca.pem",
                                       "-CAkey",
                                       d + "ca.key",
                                       "-CAcreateserial",
                                       "-out",
                                       w + ".pem",
                                       "-days",
                                       "2"};
      if (std::string(who) == "server") {
        sign.insert(sign.end(), {"-extfile", d + "server.ext"});
      }
      run(sign);
    }
  }

  std::string dir_;
  std::unique_ptr<server::NearDupServer> server_;
};

TEST_F(SecurityTest, TokensAndScopesDecideEveryCall) {
  const std::string tokens = dir_ + "/tokens";
  WriteFile(tokens, Tokens(/*with_crawler=*/true));
  server::NearDupServer::Options options;
  options.token_file = tokens;
  Start(options);
  auto anonymous = ClientWithToken("");
  auto stranger = ClientWithToken("not-a-token-of-this-server");
  auto admin = ClientWithToken(kAdmin);
  auto crawler = ClientWithToken(kCrawler);
  auto editor = ClientWithToken(kEditor);

  EXPECT_THAT(anonymous->ListCollections(),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("needs a bearer token")));
  EXPECT_THAT(stranger->ListCollections(),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("unknown bearer token")));
  EXPECT_THAT(crawler->CreateCollection("pages", {}),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("token crawler has no admin access to "
                                 "collection pages")));
  ASSERT_THAT(admin->CreateCollection("pages", {}), IsOk());
  ASSERT_THAT(admin->CreateCollection("news-de", {}), IsOk());

  const std::string text = neardup::testing::GeneratedText(1, 200);
  auto add = [&](client::Client* c, const std::string& coll) {
    v1::AddRequest req;
    req.set_collection(coll);
    req.mutable_document()->set_id("doc");
    req.mutable_document()->set_content(text);
    return c->Add(req).status();
  };
  auto check = [&](client::Client* c, const std::string& coll) {
    v1::CheckRequest req;
    req.set_collection(coll);
    req.mutable_document()->set_content(text);
    return c->Check(req).status();
  };
  EXPECT_THAT(add(crawler.get(), "pages"), IsOk());
  EXPECT_THAT(add(crawler.get(), "news-de"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("no write access to collection news-de")));
  EXPECT_THAT(check(crawler.get(), "news-de"), IsOk());  // read:*
  EXPECT_THAT(add(editor.get(), "news-de"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(check(editor.get(), "news-de"), IsOk());
  EXPECT_THAT(check(editor.get(), "pages"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(editor->Get("pages", "doc"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(crawler->Delete("news-de", "doc"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // A token without admin scope cannot drop, even with write access.
  EXPECT_THAT(crawler->DropCollection("pages"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("no admin access")));
  EXPECT_EQ(admin->GetCollection("pages")->document_count(), 1u);

  // Listing shows what the caller may read.
  auto listed = editor->ListCollections();
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name(), "news-de");
  EXPECT_EQ(admin->ListCollections()->size(), 2u);

  // Compare touches no collection: any known token, no anonymous.
  v1::CompareRequest compare;
  compare.mutable_a()->set_content(text);
  compare.mutable_b()->set_content(text);
  EXPECT_THAT(editor->Compare(compare), IsOk());
  EXPECT_THAT(anonymous->Compare(compare),
              StatusIs(absl::StatusCode::kUnauthenticated));

  // A bulk import needs write access to the collection it names.
  v1::ImportHeader header;
  header.set_collection("news-de");
  auto stream = crawler->BeginImport(header);
  absl::Status imported =
      stream.ok() ? (*stream)->Commit().status() : stream.status();
  EXPECT_THAT(imported, StatusIs(absl::StatusCode::kPermissionDenied,
                                 HasSubstr("no write access")));

  // A token taken out of the file stops working at the reload.
  WriteFile(tokens, Tokens(/*with_crawler=*/false));
  ASSERT_THAT(server_->ReloadTokens(), IsOk());
  EXPECT_THAT(check(crawler.get(), "pages"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // A broken file keeps the tokens in force.
  WriteFile(tokens, "ops short read:*\n");
  EXPECT_THAT(
      server_->ReloadTokens(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1")));
  EXPECT_THAT(admin->DropCollection("pages"), IsOk());
}

TEST_F(SecurityTest, AnAddressOthersCanReachNeedsTokens) {
  server::NearDupServer::Options options;
  options.db_path = dir_ + "/db";
  options.listen = "0.0.0.0:0";  // refused before anything is bound
  EXPECT_THAT(server::NearDupServer::Start(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("refusing to serve 0.0.0.0:0 without a "
                                 "token file")));
}

TEST_F(SecurityTest, TlsOnlyServerRefusesPlaintextAndUnknownCas) {
  MakeCertificates();
  if (IsSkipped()) return;
  server::NearDupServer::Options options;
  options.tls_cert_file = dir_ + "/server.pem";
  options.tls_key_file = dir_ + "/server.key";
  Start(options);

  client::Client::Options plain;
  plain.timeout = absl::Seconds(5);
  auto plaintext = client::Client::Connect(Target(), plain);
  ASSERT_THAT(plaintext, IsOk());
  EXPECT_THAT((*plaintext)->ListCollections(),
              StatusIs(absl::StatusCode::kUnavailable));

  client::Client::Options system_roots;
  system_roots.tls = true;  // the test CA is not among them
  system_roots.timeout = absl::Seconds(5);
  auto untrusted = client::Client::Connect(Target(), system_roots);
  ASSERT_THAT(untrusted, IsOk());
  EXPECT_THAT((*untrusted)->ListCollections(),
              StatusIs(absl::StatusCode::kUnavailable));

  client::Client::Options tls;
  tls.tls_ca_file = dir_ + "/ca.pem";
  auto trusted = ClientWith(tls);
  EXPECT_THAT(trusted->CreateCollection("c", {}), IsOk());
  EXPECT_THAT(trusted->ListCollections(), IsOk());
}

// A renewed certificate is picked up without a restart: the server's files
// are replaced (by rename, as certbot and cert-manager do) with a
// certificate of another CA, and new connections soon present it. Each
// attempt is a new channel; the wait is bounded by 30 s, about 30 times the
// refresh interval.
TEST_F(SecurityTest, RenewedCertificatesAreServedWithoutARestart) {
  MakeCertificates();
  if (IsSkipped()) return;
  MakeCertificates("renewed-");
  server::NearDupServer::Options options;
  options.tls_cert_file = dir_ + "/server.pem";
  options.tls_key_file = dir_ + "/server.key";
  options.tls_refresh_seconds = 1;
  Start(options);

  auto list_trusting = [&](const std::string& ca) {
    client::Client::Options tls;
    tls.tls_ca_file = dir_ + "/" + ca;
    tls.timeout = absl::Seconds(5);
    auto client = client::Client::Connect(Target(), tls);
    EXPECT_THAT(client, IsOk());
    return client.ok() ? (*client)->ListCollections().status()
                       : client.status();
  };
  EXPECT_THAT(list_trusting("ca.pem"), IsOk());
  EXPECT_THAT(list_trusting("renewed-ca.pem"),
              StatusIs(absl::StatusCode::kUnavailable));

  // Key first, then certificate: the watcher rejects a mismatched pair
  // and keeps serving the old one until both agree.
  std::filesystem::rename(dir_ + "/renewed-server.key", dir_ + "/server.key");
  std::filesystem::rename(dir_ + "/renewed-server.pem", dir_ + "/server.pem");
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  absl::Status renewed = list_trusting("renewed-ca.pem");
  while (!renewed.ok() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(200));  // the watcher's own period
    renewed = list_trusting("renewed-ca.pem");
  }
  EXPECT_THAT(renewed, IsOk()) << "the renewed certificate was not served "
                                  "within 30 s";
  EXPECT_THAT(list_trusting("ca.pem"),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(SecurityTest, MutualTlsNeedsAClientCertificateOfTheCa) {
  MakeCertificates();
  if (IsSkipped()) return;
  server::NearDupServer::Options options;
  options.tls_cert_file = dir_ + "/server.pem";
  options.tls_key_file = dir_ + "/server.key";
  options.tls_client_ca_file = dir_ + "/ca.pem";
  Start(options);

  client::Client::Options no_cert;
  no_cert.tls_ca_file = dir_ + "/ca.pem";
  no_cert.timeout = absl::Seconds(5);
  auto anonymous = client::Client::Connect(Target(), no_cert);
  ASSERT_THAT(anonymous, IsOk());
  EXPECT_THAT((*anonymous)->ListCollections(), Not(IsOk()));

  client::Client::Options with_cert = no_cert;
  with_cert.tls_cert_file = dir_ + "/client.pem";
  with_cert.tls_key_file = dir_ + "/client.key";
  auto known = ClientWith(with_cert);
  EXPECT_THAT(known->CreateCollection("c", {}), IsOk());

  client::Client::Options half = no_cert;
  half.tls_cert_file = dir_ + "/client.pem";  // no key
  EXPECT_THAT(client::Client::Connect(Target(), half),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Sends `bytes` as the request of `method` and returns the call's status.
grpc::Status RawCall(grpc::GenericStub* stub, const std::string& method,
                     const std::string& bytes, grpc::ClientContext* ctx) {
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::Status status;
  absl::Notification done;
  stub->UnaryCall(ctx, method, grpc::StubOptions(), &request, &response,
                  [&](grpc::Status s) {
                    status = std::move(s);
                    done.Notify();
                  });
  done.WaitForNotification();
  return status;
}

// gRPC's callback API answers a request it cannot parse with a bare
// UNIMPLEMENTED; the server says what is wrong instead. Every call gets a
// request id back, the client's own when it sent one.
TEST_F(SecurityTest, UnparsableRequestsAreInvalidArgumentWithARequestId) {
  Start({});
  auto channel =
      grpc::CreateChannel(Target(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  for (const std::string& bytes :
       {std::string("\xff\xff\xff\xff not protobuf"),
        // AddRequest{collection: "c\xff"}: a string field that is not UTF-8
        std::string("\x0a\x02"
                    "c\xff",
                    4)}) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-request-id", "test-42");
    const grpc::Status status =
        RawCall(&stub, "/neardup.v1.NearDup/Add", bytes, &ctx);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(),
                HasSubstr("could not be parsed as a Add request"));
    auto id = ctx.GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(id, ctx.GetServerInitialMetadata().end());
    EXPECT_EQ(std::string(id->second.data(), id->second.size()), "test-42");
  }
  // An rpc the service does not have stays UNIMPLEMENTED.
  grpc::ClientContext ctx;
  EXPECT_EQ(
      RawCall(&stub, "/neardup.v1.NearDup/NoSuchRpc", "", &ctx).error_code(),
      grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(SecurityTest, MetricsAndHealthOverHttp) {
  server::NearDupServer::Options options;
  options.metrics_listen = "127.0.0.1:0";
  Start(options);
  ASSERT_GT(server_->metrics_port(), 0);
  auto client = ClientWithToken("");
  ASSERT_THAT(client->CreateCollection("c", {}), IsOk());
  v1::CheckRequest check;
  check.set_collection("c");
  check.mutable_document()->set_content("some words to check");
  ASSERT_THAT(client->Check(check), IsOk());
  check.set_collection("missing");
  ASSERT_THAT(client->Check(check), StatusIs(absl::StatusCode::kNotFound));

  httplib::Client http("127.0.0.1", server_->metrics_port());
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics) << httplib::to_string(metrics.error());
  EXPECT_EQ(metrics->status, 200);
  const std::string& page = metrics->body;
  EXPECT_THAT(page, HasSubstr("neardup_rpc_duration_seconds_count{method="
                              "\"Check\",code=\"OK\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("neardup_rpc_duration_seconds_count{method="
                              "\"Check\",code=\"NOT_FOUND\"} 1\n"));
  EXPECT_THAT(page,
              HasSubstr("neardup_collection_documents{collection=\"c\"} 0"));
  for (const char* name :
       {"neardup_small_pool_queued_calls", "neardup_large_pool_refused_total",
        "neardup_inflight_request_bytes", "neardup_rocksdb_sst_bytes",
        "neardup_disk_free_bytes", "neardup_open_files"}) {
    EXPECT_THAT(page, HasSubstr(absl::StrCat("\n", name, " "))) << name;
  }
  auto health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

// Returns a TCP port free on 127.0.0.1 right now (for a child process that
// must be told its port).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// A real Prometheus server scrapes neardupd's metrics and answers a query
// over them.
TEST_F(SecurityTest, PrometheusScrapesTheMetrics) {
  if (!std::filesystem::exists("/usr/bin/prometheus")) {
    GTEST_SKIP() << "/usr/bin/prometheus is absent: install Debian's "
                    "prometheus package (deploy/install-deps.sh does)";
  }
  server::NearDupServer::Options options;
  options.metrics_listen = "127.0.0.1:0";
  Start(options);
  auto client = ClientWithToken("");
  ASSERT_THAT(client->CreateCollection("scraped", {}), IsOk());
  v1::AddRequest add;
  add.set_collection("scraped");
  add.mutable_document()->set_id("d");
  add.mutable_document()->set_content(neardup::testing::GeneratedText(3, 100));
  ASSERT_THAT(client->Add(add), IsOk());

  const int web_port = FreePort();
  ASSERT_GT(web_port, 0);
  WriteFile(dir_ + "/prometheus.yml",
            absl::StrCat("global:\n  scrape_interval: 1s\n"
                         "scrape_configs:\n  - job_name: neardup\n"
                         "    static_configs:\n      - targets: ['127.0.0.1:",
                         server_->metrics_port(), "']\n"));
  neardup::testing::Subprocess prometheus(
      {"/usr/bin/prometheus", "--config.file=" + dir_ + "/prometheus.yml",
       "--storage.tsdb.path=" + dir_ + "/tsdb",
       absl::StrCat("--web.listen-address=127.0.0.1:", web_port)});
  ASSERT_TRUE(prometheus.running());

  // Prometheus is another process: ask it until it has scraped, at most
  // for a minute.
  httplib::Client api("127.0.0.1", web_port);
  std::string answer;
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    auto r = api.Get(
        "/api/v1/query?query=neardup_collection_documents%7Bcollection%3D%22"
        "scraped%22%7D");
    if (r && r->status == 200 &&
        r->body.find("\"value\"") != std::string::npos) {
      answer = r->body;
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_FALSE(answer.empty()) << "Prometheus never had the metric; its log:\n"
                               << prometheus.output();
  EXPECT_THAT(answer, HasSubstr("\"job\":\"neardup\""));
  EXPECT_THAT(answer, HasSubstr(",\"1\"]"));  // one document
  auto up = api.Get("/api/v1/query?query=up%7Bjob%3D%22neardup%22%7D");
  ASSERT_TRUE(up);
  EXPECT_THAT(up->body, HasSubstr(",\"1\"]"));
}

}  // namespace
}  // namespace neardup
