// A child process with its stdout and stderr on one pipe, for tests that run
// the real neardupd and neardup binaries.

#ifndef NEARDUP_TESTS_TESTING_SUBPROCESS_H_
#define NEARDUP_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace neardup::testing {

// Not thread-safe. The destructor kills (SIGKILL) and reaps a child that is
// still running.
class Subprocess {
 public:
  // Starts `argv[0]` (a path) with `argv`. Check running() for success.
  explicit Subprocess(const std::vector<std::string>& argv);
  ~Subprocess();

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Reads output until a line containing `needle` arrives, and returns that
  // line; returns "" at end of output (the child exited). Blocks: bounded
  // by the child's own lifetime and ctest's timeout.
  std::string ReadLineContaining(const std::string& needle);

  // For a child that is neardupd: reads its "listening on 127.0.0.1:PORT"
  // line and returns PORT, or 0 if it exited first.
  int ReadListeningPort();

  // Returns all output read so far (including lines already returned).
  const std::string& output() const { return output_; }

  // Sends `signal` to the child.
  void Signal(int signal);

  // Reads the remaining output, waits for the child, and returns its exit
  // status (128 + signal number if it was killed).
  int Wait();

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
  size_t consumed_ = 0;  // bytes of output_ already returned as lines
};

// Result of RunCommand.
struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `argv` to completion with stdout and stderr captured separately and
// `input` on its stdin.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& input = "");

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTING_SUBPROCESS_H_
