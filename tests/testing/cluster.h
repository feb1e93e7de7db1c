// LocalCluster: a replicated deployment on loopback for tests and
// benchmarks (docs/SCALE.md): a three-member etcd (Debian's etcd-server)
// and neardupd nodes of one node group, each a real process writing its
// output to a file in the cluster's directory. Ports are picked free.
//
// Example:
//   LocalCluster::Options o;
//   o.neardupd = NEARDUPD_PATH;
//   o.dir = tmp;
//   auto cluster = LocalCluster::Start(o);   // a primary is elected
//   int p = *(*cluster)->PrimaryIndex();
//   (*cluster)->Kill(p);                      // kill -9
//   (*cluster)->WaitForPrimary(absl::Seconds(5), /*other_than=*/p);
//
// Not thread-safe. The destructor kills every process it started.

#ifndef NEARDUP_TESTS_TESTING_CLUSTER_H_
#define NEARDUP_TESTS_TESTING_CLUSTER_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace neardup::testing {

// A process started with its stdout and stderr appended to a file.
class LoggedProcess {
 public:
  // `argv[0]` is a path.
  static absl::StatusOr<std::unique_ptr<LoggedProcess>> Start(
      const std::vector<std::string>& argv, const std::string& log);
  ~LoggedProcess();
  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the process to end.
  void Stop(int signal);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
int FreePort();

class LocalCluster {
 public:
  struct Options {
    std::string neardupd;  // path of the binary
    std::string dir;       // for databases, etcd's data and logs
    int nodes = 3;
    int lease_seconds = 1;
    bool ack_replica = false;
    std::string group = "g1";
    std::vector<std::string> extra_flags;
    // Nodes not started by Start (started later with StartNode).
    int deferred_nodes = 0;
    // The address etcd and the nodes listen on (a test host in a network
    // namespace needs one it can reach), and per node: another one, and
    // a command the node runs under (e.g. ip netns exec NS).
    std::string host = "127.0.0.1";
    std::map<int, std::string> node_hosts;
    std::map<int, std::vector<std::string>> node_prefixes;
  };

  // Why a cluster cannot run here (no etcd binary), or "".
  static std::string Unavailable();

  // Starts etcd and the nodes, and waits until a primary is elected.
  static absl::StatusOr<std::unique_ptr<LocalCluster>> Start(
      const Options& options);
  ~LocalCluster();

  const std::string& etcd_endpoints() const { return etcd_endpoints_; }
  std::string address(int node) const;
  std::string db(int node) const;
  std::string log(int node) const;
  // Every node, deferred ones included.
  int nodes() const { return static_cast<int>(ports_.size()); }
  const Options& options() const { return options_; }

  // The index of the node etcd names primary, or -1 for none.
  absl::StatusOr<int> PrimaryIndex() const;
  // Waits until etcd names a primary other than `other_than`; returns it.
  absl::StatusOr<int> WaitForPrimary(absl::Duration timeout,
                                     int other_than = -1) const;
  // Starts node `node` (again, on its database).
  absl::Status StartNode(int node);
  // kill -9 by default; waits for it to end.
  void Kill(int node, int signal = 9);
  bool running(int node) const;
  // Process ids (0 if not running), for CPU accounting.
  pid_t pid(int node) const;
  std::vector<pid_t> etcd_pids() const;

 private:
  explicit LocalCluster(Options options) : options_(std::move(options)) {}

  Options options_;
  std::string etcd_endpoints_;
  std::vector<std::unique_ptr<LoggedProcess>> etcd_;
  std::vector<int> ports_;
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<LoggedProcess>> processes_;
};

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTING_CLUSTER_H_
