// sleep-fanout: `tasks` concurrent tasks each sleep `sleep_s` (times the time scale). Measured:
// the whole fan-out and fan-in (from before the first task is created to after the last one has
// completed), its overhead over the one sleep it ideally takes, and the memory each task costs.
//
// Memory is read inside the workload (SPEC §8: the harness's ru_maxrss would carry its parent's
// peak): VmHWM is reset to VmRSS just before the tasks are created, VmRSS is read as the baseline,
// and VmHWM after the last task has completed is the fan-out's peak. rss_per_task_b =
// (peak − baseline) × 1024 / tasks. Kernel memory (thread and process structures, page tables)
// is in no model's resident set.
#pragma once

#include <fstream>
#include <string>

#include "common/workload.hpp"

namespace sleep_fanout {

// One thread per sleeper: every thread is a kernel task (pid_max is 32768 here, shared with the
// whole machine) with its own stack; 10,000 is the most this suite asks of a machine.
constexpr int max_threads = 10000;
// One process per sleeper: a kernel task, page tables and copied-on-write pages each.
constexpr int max_processes = 1000;

struct Params {
  int tasks = 1000;
  double sleep_s = 1.0;  // lecture seconds

  explicit Params(wl::Workload& w) {
    w.option("--tasks", tasks, "how many concurrent sleepers", wl::range(1, 1000000));
    w.option("--sleep-s", sleep_s, "each sleeper's sleep, in lecture seconds", wl::positive);
    w.parse();
    w.params()["tasks"] = tasks;
    w.params()["sleep_s"] = sleep_s;
  }
};

// Resets VmHWM to the current VmRSS (Linux 4.0+: "5" to /proc/self/clear_refs), so that the
// peak read after the fan-out is the fan-out's own and not start-up's. Returns false when the
// kernel refuses (the peak may then include start-up's).
inline bool reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

// The clock and the memory around the fan-out: start() just before the first task is created,
// stop() just after the last one has completed (in that order: the /proc reads stay outside the
// clock).
class Measure {
 public:
  void start() {
    m_peak_reset = reset_peak_rss();
    m_baseline_kb = wl::rss_kb();
    m_clock.restart();
  }
  void stop() {
    m_elapsed_s = m_clock.seconds();
    m_peak_kb = wl::peak_rss_kb();
  }

  double elapsed_s() const noexcept { return m_elapsed_s; }
  long baseline_kb() const noexcept { return m_baseline_kb; }
  long peak_kb() const noexcept { return m_peak_kb; }
  bool peak_reset() const noexcept { return m_peak_reset; }

 private:
  wl::Stopwatch m_clock;
  double m_elapsed_s = -1;
  long m_baseline_kb = -1;
  long m_peak_kb = -1;
  bool m_peak_reset = false;
};

// The checks and metrics every model reports. `completed`: sleepers that finished their sleep.
// `extra_per_task_b`: memory a task costs outside this process's resident set (the processes
// model's children), added to rss_per_task_b.
inline void report(wl::Workload& w, const Params& p, long completed, const Measure& m,
                   double extra_per_task_b = 0) {
  const double unit = p.sleep_s * w.time_scale();
  const double per_task_b =
      double(m.peak_kb() - m.baseline_kb()) * 1024.0 / p.tasks + extra_per_task_b;
  w.elapsed(m.elapsed_s());
  w.metrics()["ideal_s"] = unit;
  w.metrics()["overhead_s"] = m.elapsed_s() - unit;
  w.metrics()["rss_per_task_b"] = per_task_b;
  w.metrics()["peak_rss_kb"] = m.peak_kb();
  w.metrics()["baseline_rss_kb"] = m.baseline_kb();
  w.metrics()["peak_reset"] = m.peak_reset();
  w.metrics()["tasks"] = p.tasks;
  w.metrics()["completed"] = completed;
  w.check(completed == p.tasks,
          std::to_string(completed) + " of " + std::to_string(p.tasks) + " sleepers completed");
  w.check_not_early(m.elapsed_s(), unit, "finished before the sleeps could");
}

}  // namespace sleep_fanout
