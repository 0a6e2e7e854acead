// What every C++ model program of every workload shares (STYLE: "shared plumbing lives once"):
// its command line, the clock around its measured phase, its self-checks, and the one JSON line
// it prints. A model file holds only what differs between models.
//
// The contract with the harness (harness/README.md): a program is started as
//   wl-<workload>-<model> --model <id> [--time-scale S] [--<param> <value>]...
// runs the scenario once, checks its own output (order of events, results, bytes), and prints
// exactly one line of JSON on stdout:
//   {"workload": "count", "model": "aio-epoll", "status": "ok", "params": {...},
//    "elapsed_s": 1.0012, "metrics": {...}}
// with status "failed" (exit 1) and an "error" when a check or the run failed, or "unsupported"
// (exit 77) with the reason when the model cannot sensibly run these parameters. Bad arguments
// are a one-line error on stderr and exit 2. Diagnostics go to stderr, never stdout.
#pragma once

#include <sys/types.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace wl {

using Json = nlohmann::ordered_json;

// Thrown by Workload::unsupported; caught by wl::main.
struct Unsupported {
  std::string reason;
};

// CLI11 validator: a number greater than zero (with a short message).
extern const CLI::Validator positive;

class Workload {
 public:
  // `models`: the model ids this program runs as (--model must be one of them).
  Workload(std::string workload, std::vector<std::string> models, int argc, char** argv);

  // Add the workload's own options here, then call parse().
  CLI::App& cli() noexcept { return m_app; }
  // Parses the command line (exits 2 with one line on stderr on bad input) and records the
  // common parameters.
  void parse();

  const std::string& model() const noexcept { return m_model; }
  double time_scale() const noexcept { return m_time_scale; }
  // A lecture duration (in seconds) at this run's time scale.
  std::chrono::nanoseconds scaled(double lecture_seconds) const;

  // What the output reports. Parameters are recorded as given (after parse, add the
  // workload's own); metrics are the workload's own measurements and ideals.
  Json& params() noexcept { return m_params; }
  Json& metrics() noexcept { return m_metrics; }

  // Records a failed self-check (the run then reports "failed" with every failed check).
  void check(bool ok, const std::string& what);
  // The measured phase took `seconds` (the workload's own clock).
  void elapsed(double seconds) noexcept { m_elapsed = seconds; }
  // This model cannot run these parameters: reported as "unsupported" with the reason.
  [[noreturn]] void unsupported(const std::string& reason) { throw Unsupported{reason}; }

  // Prints the JSON line; returns the exit code. Used by wl::main.
  int report(const std::string& error = {}) const;
  int report_unsupported(const std::string& reason) const;

 private:
  std::string m_workload;
  int m_argc;
  char** m_argv;
  CLI::App m_app;
  std::string m_model;
  double m_time_scale = 1.0;
  Json m_params = Json::object();
  Json m_metrics = Json::object();
  std::vector<std::string> m_failed_checks;
  double m_elapsed = -1;
};

// Runs `body` and reports: ok, failed (a failed check, an exception, no elapsed time), or
// unsupported. Returns the exit code for main(). `models`: the model ids this program serves.
int main(int argc, char** argv, const std::string& workload, std::vector<std::string> models,
         const std::function<void(Workload&)>& body);

// The workload's own clock (steady, around the measured phase only).
class Stopwatch {
 public:
  Stopwatch() : m_t0(std::chrono::steady_clock::now()) {}
  void restart() { m_t0 = std::chrono::steady_clock::now(); }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count();
  }

 private:
  std::chrono::steady_clock::time_point m_t0;
};

// The order in which things happened ("One", "Two"), for the self-checks. Thread-safe.
class EventLog {
 public:
  void add(std::string event);
  std::vector<std::string> events() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_events;
};

// The same across processes: children write their events into a pipe the parent reads after.
// Each event is one write of at most PIPE_BUF bytes, so events from different processes never
// interleave within a line. Create before fork(); collect() in the parent after the children.
class PipeEventLog {
 public:
  PipeEventLog();
  ~PipeEventLog();
  PipeEventLog(const PipeEventLog&) = delete;
  PipeEventLog& operator=(const PipeEventLog&) = delete;
  void add(const std::string& event);  // in any process
  std::vector<std::string> collect();  // in the parent, once every writer has finished

 private:
  int m_fd[2];
};

// The `processes` models' children (multiprocessing's way). spawn() runs `f` in a fork()ed copy
// of this process, which then _exit()s: 0 when `f` returned, 1 when it threw (the error on
// stderr). A child never returns into the parent's code, so it can never print a result line.
// wait_all() reaps every child (retrying on EINTR) and says whether all of them exited with 0.
class Children {
 public:
  Children() = default;
  Children(const Children&) = delete;
  Children& operator=(const Children&) = delete;
  ~Children();  // reaps any child not yet waited for

  template <class F>
  pid_t spawn(F&& f) {
    const pid_t pid = fork_checked();
    if (pid == 0) {
      int code = 0;
      try {
        f();
      } catch (const std::exception& e) {
        report_child_error(e.what());
        code = 1;
      } catch (...) {
        report_child_error("unknown exception");
        code = 1;
      }
      child_exit(code);
    }
    m_pids.push_back(pid);
    return pid;
  }

  bool wait_all();
  std::size_t size() const noexcept { return m_pids.size(); }

 private:
  static pid_t fork_checked();
  [[noreturn]] static void child_exit(int code);
  static void report_child_error(const char* what);
  std::vector<pid_t> m_pids;
};

// Keeps this thread busy for `d` (real CPU work, not a sleep): a person thinking, a
// CPU-bound step. Returns a value derived from the work so that it cannot be optimised away.
unsigned long burn_cpu(std::chrono::nanoseconds d);

// From /proc/self/status, in KiB: the resident set now and its peak (VmHWM).
long rss_kb();
long peak_rss_kb();

std::string join(const std::vector<std::string>& v, const char* sep = " ");

}  // namespace wl
