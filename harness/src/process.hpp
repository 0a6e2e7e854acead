// Running one workload program in a fresh process and seeing everything about how it went.
//
// The child is started with posix_spawn (vfork semantics, so it does not first copy the
// harness) in a process group of its own, so that a timeout or a Ctrl-C can end it together with
// any processes it forked. Its stdout and stderr are read concurrently (neither can fill and
// stall it); wait4 gives its CPU time, peak RSS and context switches.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace asyncbench {

struct ProcessResult {
  bool started = false;
  std::string start_error;  // why it could not be started
  bool timed_out = false;
  bool interrupted = false;  // ended because `stop` was raised
  int exit_code = -1;        // when it exited
  int signal = 0;            // when a signal ended it
  std::string out;
  std::string err;
  double wall_s = 0;
  double cpu_s = 0;  // user + system of the child (and of the children it waited for)
  long max_rss_kb = 0;
  long ctx_switches = 0;  // voluntary + involuntary
};

struct ProcessOptions {
  std::vector<std::string> argv;
  std::vector<std::string> extra_env;  // NAME=value added to the harness's environment
  std::chrono::milliseconds timeout{60'000};
  const std::atomic<bool>* stop = nullptr;  // raised by a signal handler: end the child now
  std::size_t max_output = 1 << 20;         // each stream is cut here (a runaway program)
  int cpu = -1;                             // pin it to this CPU (-1: not pinned)
};

ProcessResult run_process(const ProcessOptions& opts);

// posix_spawn of argv[0] (a path) with stdout/stderr on the given descriptors, stdin from
// /dev/null, in a new process group, signals at their defaults, pinned to `cpu` (-1: not).
// Returns posix_spawn's error number (0: started, `pid` set).
int spawn_in_group(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                   int out_fd, int err_fd, int cpu, pid_t& pid);
// Has `pid` exited? It is not reaped (wait4 can still collect its rusage).
bool exited(pid_t pid);
// SIGTERM to the group, half a second, then SIGKILL.
void kill_group(pid_t pid);

}  // namespace asyncbench
