// Running one workload program in a fresh process and seeing everything about how it went.
//
// The child is started as posix_spawn starts one (clone with CLONE_VM | CLONE_VFORK, so it does
// not first copy the harness, then exec), in a process group of its own, so that a timeout or a
// Ctrl-C can end it together with any processes it forked, and with PR_SET_PDEATHSIG(SIGKILL),
// which posix_spawn cannot set, so that it dies with the harness even when the harness is
// killed with SIGKILL (what it forked is the sweep's: run_mark.hpp). Its stdout and stderr are
// read concurrently (neither can fill and stall it); wait4 gives its CPU time, peak RSS and
// context switches.
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
  // The last max_output bytes of each stream (a program may print without end: a traceback per
  // failed accept), and how many bytes before them were dropped.
  std::string out;
  std::string err;
  std::size_t out_dropped = 0;
  std::size_t err_dropped = 0;
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
  std::size_t max_output = 1 << 20;         // each stream keeps its last this many bytes
  int cpu = -1;                             // pin it to this CPU (-1: not pinned)
};

ProcessResult run_process(const ProcessOptions& opts);

// The last `keep` bytes of a stream that may never end, and how many came before them; memory
// stays under twice `keep` whatever the stream's length.
class StreamTail {
 public:
  explicit StreamTail(std::size_t keep) : m_keep(keep) {}
  void append(const char* data, std::size_t n);
  std::string text() const;  // the bytes kept
  std::size_t dropped() const noexcept { return m_total - text_size(); }

 private:
  std::size_t text_size() const noexcept { return m_buf.size() - m_start; }
  std::size_t m_keep;
  std::size_t m_total = 0;
  std::size_t m_start = 0;  // m_buf[m_start..] is the tail
  std::string m_buf;
};

// For an error message: the last `n` bytes of a stream's kept tail `kept` (trailing whitespace
// trimmed), preceded by "...[41.6 MB of stderr dropped]..." when anything came before them
// (`dropped` bytes the tail did not keep, and what of the tail is not shown). Empty for an
// empty stream.
std::string excerpt(const std::string& kept, std::size_t dropped, std::size_t n,
                    const std::string& stream = "stderr");
// A byte count as people read it: "512 B", "4.1 kB", "41.6 MB".
std::string byte_size_text(std::size_t bytes);

// Starts argv[0] (a path) with stdout/stderr on the given descriptors, stdin from /dev/null, in
// a new process group, the signals the harness handles at their defaults and none blocked,
// pinned to `cpu` (-1: not), killed (SIGKILL) when the calling thread ends: call it from the
// thread that outlives the child. Records the group (record_process_group). Returns 0 (started,
// `pid` set) or the error number of what failed, exec included.
int spawn_in_group(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                   int out_fd, int err_fd, int cpu, pid_t& pid);
// Has `pid` exited? It is not reaped (wait4 can still collect its rusage).
bool exited(pid_t pid);
// SIGTERM to the group, half a second, then SIGKILL.
void kill_group(pid_t pid);

}  // namespace asyncbench
