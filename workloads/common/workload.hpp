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
//
// The command line is CLI11's and the JSON line nlohmann/json's, both header-only libraries:
// included here they were most of every program's 11-14 s compile (CLI11's inline code about
// 8 s, json.hpp 2.5 s more). So both stay inside workload.cpp, compiled once: a program declares
// its options through Workload::option (non-template overloads, one per value type) with a
// wl::Check, and fills params() and metrics() through wl::Fields, whose setters are out of line.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/trace.hpp"

namespace wl {

namespace detail {
// The measured phase, for a counted run (asyncbench run --count, harness/src/count.hpp): the first
// Stopwatch of a program begins it and Workload::elapsed() ends it, so that callgrind counts the
// phase alone (CALLGRIND_START/STOP_INSTRUMENTATION; a few instructions when not under valgrind).
void count_phase_begin() noexcept;
void count_phase_end() noexcept;
}  // namespace detail


// Thrown by Workload::unsupported; caught by wl::main.
struct Unsupported {
  std::string reason;
};

// What an option's value must be; checked by Workload::parse, with CLI11's message (or ours, for
// `positive`) in the one-line error. Make one with range() or one_of(), or use `positive`; a
// default-constructed Check accepts any value of the option's type.
class Check {
 public:
  struct Impl;  // a CLI11 validator, in workload.cpp
  Check() = default;
  explicit Check(std::shared_ptr<const Impl> impl) noexcept : m_impl(std::move(impl)) {}
  const Impl* impl() const noexcept { return m_impl.get(); }

 private:
  std::shared_ptr<const Impl> m_impl;
};

// A whole number in [lo, hi] (CLI11's Range: "Value 0 not in range 1 to 10000").
Check range(int lo, int hi);
Check range(std::uint64_t lo, std::uint64_t hi);
// One of `values` (CLI11's IsMember: "bogus not in {inline,offload}").
Check one_of(std::vector<std::string> values);
// A finite number greater than zero, with a short message ("must be a number greater than 0,
// not '0'"), where CLI11's PositiveNumber prints the range it checks, 0 to DBL_MAX in 309 digits.
extern const Check positive;

// One object of the JSON line ("params" or "metrics"), filled as
//   w.metrics()["ideal_s"] = 1.5;
// with a number, a bool or a string. Keys keep the order in which they were first set; setting a
// key again replaces its value.
class Fields {
 public:
  class Field;
  struct Impl;  // the JSON object, in workload.cpp

  Fields();
  ~Fields();
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;

  Field operator[](std::string key);
  const Impl& impl() const noexcept { return *m_impl; }

 private:
  std::unique_ptr<Impl> m_impl;
};

// What Fields::operator[] returns: assigning to it sets the key. One overload per type, so that
// every integer keeps its JSON kind (signed or unsigned) and a string literal is a string, not a
// bool.
class Fields::Field {
 public:
  Field& operator=(bool v);
  Field& operator=(int v);
  Field& operator=(unsigned v);
  Field& operator=(long v);
  Field& operator=(unsigned long v);
  Field& operator=(long long v);
  Field& operator=(unsigned long long v);
  Field& operator=(double v);
  Field& operator=(const char* v);
  Field& operator=(const std::string& v);

 private:
  friend class Fields;
  Field(Impl& fields, std::string key) : m_fields(fields), m_key(std::move(key)) {}
  Impl& m_fields;
  std::string m_key;
};

// The registry (workloads/models.json, compiled in by CMake) as the programs need it.
// The ids of the models whose program is `source` (aio.cpp: aio-epoll, aio-uring), in registry
// order; throws std::invalid_argument for a source no model has.
std::vector<std::string> models_of(const std::string& source);
// The aio backend a model selects ("epoll", "io_uring"), or "" for a model that is not aio's.
std::string backend_of(const std::string& model);
// How early by a precise clock the model's timers may fire (libuv: 2 ms), 0 if never.
double timer_resolution_s(const std::string& model);

class Workload {
 public:
  // `models`: the model ids this program runs as (--model must be one of them).
  Workload(std::string workload, std::vector<std::string> models, int argc, char** argv);
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  // Declares one of the workload's own options (before parse()): `--name <value>`, optional,
  // stored into `value` (which keeps its default when the option is absent), `help` shown by
  // --help, `check` applied to the value as given. Example:
  //   w.option("--tasks", tasks, "how many tasks", wl::range(1, 10000));
  void option(const std::string& name, int& value, const std::string& help,
              const Check& check = {});
  void option(const std::string& name, long& value, const std::string& help,
              const Check& check = {});
  void option(const std::string& name, std::uint64_t& value, const std::string& help,
              const Check& check = {});
  void option(const std::string& name, double& value, const std::string& help,
              const Check& check = {});
  void option(const std::string& name, std::string& value, const std::string& help,
              const Check& check = {});
  // Parses the command line (exits 2 with one line on stderr on bad input, 0 after printing
  // --help) and records the common parameters.
  void parse();

  // How this program was started (argv[0]), which begins its error lines.
  const char* program_name() const noexcept { return m_argc > 0 ? m_argv[0] : ""; }
  const std::string& model() const noexcept { return m_model; }
  double time_scale() const noexcept { return m_time_scale; }
  // A lecture duration (in seconds) at this run's time scale.
  std::chrono::nanoseconds scaled(double lecture_seconds) const;

  // What the output reports. Parameters are recorded as given (after parse, add the
  // workload's own); metrics are the workload's own measurements and ideals.
  Fields& params() noexcept { return m_params; }
  Fields& metrics() noexcept { return m_metrics; }

  // Records a failed self-check (the run then reports "failed" with every failed check).
  void check(bool ok, const std::string& what);
  // The run cannot have taken less than `ideal_s` (1 % and the model's timer resolution aside,
  // from the registry): a run that did finished before its sleeps could.
  void check_not_early(double elapsed_s, double ideal_s,
                       const std::string& what = "finished before the sleeps could");
  // How early this model's timers may fire by a precise clock (registry: timer_resolution_s).
  double timer_resolution_s() const { return wl::timer_resolution_s(m_model); }
  // The measured phase took `seconds` (the workload's own clock).
  void elapsed(double seconds) noexcept {
    detail::count_phase_end();
    m_elapsed = seconds;
  }
  // This model cannot run these parameters: reported as "unsupported" with the reason.
  [[noreturn]] void unsupported(const std::string& reason) { throw Unsupported{reason}; }

  // Prints the JSON line; returns the exit code. Used by wl::main.
  int report(const std::string& error = {}) const;
  int report_unsupported(const std::string& reason) const;

 private:
  struct Cli;  // the CLI11 parser, in workload.cpp

  std::string m_workload;
  int m_argc;
  char** m_argv;
  std::unique_ptr<Cli> m_cli;
  std::string m_model;
  double m_time_scale = 1.0;
  Fields m_params;
  Fields m_metrics;
  std::vector<std::string> m_failed_checks;
  double m_elapsed = -1;
};

// Runs `body` and reports: ok, failed (a failed check, an exception, no elapsed time), or
// unsupported. Returns the exit code for main(). `models`: the model ids this program serves.
int main(int argc, char** argv, const std::string& workload, std::vector<std::string> models,
         const std::function<void(Workload&)>& body);

#ifdef WL_SOURCE
// wl::main for this program: it runs as the models whose source it is (WL_SOURCE, which
// asyncbench_workload() defines), so no program lists model ids of its own.
inline int main(int argc, char** argv, const std::string& workload,
                const std::function<void(Workload&)>& body) {
  return main(argc, argv, workload, models_of(WL_SOURCE), body);
}
#endif

// The workload's own clock (steady, around the measured phase only).
class Stopwatch {
 public:
  Stopwatch() : m_t0(std::chrono::steady_clock::now()) { detail::count_phase_begin(); }
  void restart() {
    detail::count_phase_begin();
    m_t0 = std::chrono::steady_clock::now();
  }
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
      wl::trace::flush();  // _exit runs no atexit handlers: the child's trace goes now
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
