#include "tests/testing/cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "service/replication/etcd.h"

namespace neardup::testing {
namespace {

constexpr char kEtcd[] = "/usr/bin/etcd";

}  // namespace

absl::StatusOr<std::unique_ptr<LoggedProcess>> LoggedProcess::Start(
    const std::vector<std::string>& argv, const std::string& log) {
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot open ", log));
  std::vector<char*> args;
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    // Signals blocked by a test thread stay blocked across exec.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fd);
  auto p = std::unique_ptr<LoggedProcess>(new LoggedProcess());
  p->pid_ = pid;
  return p;
}

LoggedProcess::~LoggedProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

void LoggedProcess::Stop(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string LocalCluster::Unavailable() {
  if (access(kEtcd, X_OK) != 0) {
    return "etcd is not installed (/usr/bin/etcd, Debian's etcd-server; "
           "deploy/install-deps.sh installs it)";
  }
  return "";
}

absl::StatusOr<std::unique_ptr<LocalCluster>> LocalCluster::Start(
    const Options& options) {
  if (std::string why = Unavailable(); !why.empty()) {
    return absl::FailedPreconditionError(why);
  }
  auto cluster = std::unique_ptr<LocalCluster>(new LocalCluster(options));
  std::filesystem::create_directories(options.dir);
  std::vector<int> client(3), peer(3);
  std::vector<std::string> initial, endpoints;
  for (int i = 0; i < 3; ++i) {
    client[i] = FreePort();
    peer[i] = FreePort();
    initial.push_back(
        absl::StrCat("e", i, "=http://", options.host, ":", peer[i]));
    endpoints.push_back(absl::StrCat(options.host, ":", client[i]));
  }
  for (int i = 0; i < 3; ++i) {
    const std::string c = absl::StrCat("http://", options.host, ":", client[i]);
    const std::string p = absl::StrCat("http://", options.host, ":", peer[i]);
    auto e = LoggedProcess::Start(
        {kEtcd, "--name", absl::StrCat("e", i), "--data-dir",
         absl::StrCat(options.dir, "/etcd", i), "--listen-client-urls", c,
         "--advertise-client-urls", c, "--listen-peer-urls", p,
         "--initial-advertise-peer-urls", p, "--initial-cluster",
         absl::StrJoin(initial, ","), "--initial-cluster-state", "new",
         // Fast elections in etcd itself, and a one-second lease minimum.
         "--heartbeat-interval", "50", "--election-timeout", "500"},
        absl::StrCat(options.dir, "/etcd", i, ".log"));
    if (!e.ok()) return e.status();
    cluster->etcd_.push_back(std::move(*e));
  }
  cluster->etcd_endpoints_ = absl::StrJoin(endpoints, ",");
  // Up when it answers.
  auto etcd = replication::EtcdClient::Connect(cluster->etcd_endpoints_);
  if (!etcd.ok()) return etcd.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!(*etcd)->Get("/neardup/probe").ok()) {
    if (absl::Now() > deadline) {
      return absl::UnavailableError(
          absl::StrCat("etcd did not start; see ", options.dir, "/etcd0.log"));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  const int total = options.nodes + options.deferred_nodes;
  for (int i = 0; i < total; ++i) {
    cluster->ports_.push_back(FreePort());
    auto host = options.node_hosts.find(i);
    cluster->addresses_.push_back(absl::StrCat(
        host == options.node_hosts.end() ? options.host : host->second, ":",
        cluster->ports_.back()));
    cluster->processes_.emplace_back();
  }
  for (int i = 0; i < options.nodes; ++i) {
    absl::Status s = cluster->StartNode(i);
    if (!s.ok()) return s;
  }
  absl::StatusOr<int> primary = cluster->WaitForPrimary(absl::Seconds(30));
  if (!primary.ok()) return primary.status();
  return cluster;
}

LocalCluster::~LocalCluster() {
  for (auto& p : processes_) {
    if (p != nullptr) p->Stop(SIGKILL);
  }
  for (auto& e : etcd_) e->Stop(SIGKILL);
}

std::string LocalCluster::address(int node) const { return addresses_[node]; }
std::string LocalCluster::db(int node) const {
  return absl::StrCat(options_.dir, "/node", node);
}
std::string LocalCluster::log(int node) const {
  return absl::StrCat(options_.dir, "/node", node, ".log");
}

bool LocalCluster::running(int node) const {
  return processes_[node] != nullptr && processes_[node]->running();
}

pid_t LocalCluster::pid(int node) const {
  return running(node) ? processes_[node]->pid() : 0;
}

std::vector<pid_t> LocalCluster::etcd_pids() const {
  std::vector<pid_t> out;
  for (const auto& e : etcd_) out.push_back(e->pid());
  return out;
}

absl::Status LocalCluster::StartNode(int node) {
  std::vector<std::string> argv;
  auto prefix = options_.node_prefixes.find(node);
  if (prefix != options_.node_prefixes.end()) argv = prefix->second;
  for (const std::string& a :
       {options_.neardupd,
        std::string("--db"),
        db(node),
        std::string("--listen"),
        addresses_[node],
        std::string("--etcd"),
        etcd_endpoints_,
        std::string("--group"),
        options_.group,
        std::string("--node_name"),
        absl::StrCat("n", node),
        std::string("--lease_seconds"),
        absl::StrCat(options_.lease_seconds),
        std::string("--ack"),
        std::string(options_.ack_replica ? "replica" : "primary"),
        std::string("--threads"),
        std::string("2"),
        std::string("--block_cache_mb"),
        std::string("16"),
        std::string("--write_buffer_mb"),
        std::string("16"),
        std::string("--allow_anonymous")}) {
    argv.push_back(a);
  }
  for (const std::string& f : options_.extra_flags) argv.push_back(f);
  auto p = LoggedProcess::Start(argv, log(node));
  if (!p.ok()) return p.status();
  processes_[node] = std::move(*p);
  return absl::OkStatus();
}

void LocalCluster::Kill(int node, int signal) {
  if (processes_[node] != nullptr) processes_[node]->Stop(signal);
}

absl::StatusOr<int> LocalCluster::PrimaryIndex() const {
  auto etcd = replication::EtcdClient::Connect(etcd_endpoints_);
  if (!etcd.ok()) return etcd.status();
  auto kv = (*etcd)->Get(replication::GroupPrefix(options_.group) + "primary");
  if (!kv.ok()) return kv.status();
  if (!kv->has_value()) return -1;
  const std::string& v = (*kv)->value;
  const std::string name = v.substr(0, v.find('\n'));
  for (int i = 0; i < static_cast<int>(ports_.size()); ++i) {
    if (name == absl::StrCat("n", i)) return i;
  }
  return -1;
}

absl::StatusOr<int> LocalCluster::WaitForPrimary(absl::Duration timeout,
                                                 int other_than) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<int> p = PrimaryIndex();
    if (p.ok() && *p >= 0 && *p != other_than) return *p;
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no new primary within ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

}  // namespace neardup::testing
