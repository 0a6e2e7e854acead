// count: the lectures' countsync.py / countasync.py. `tasks` tasks each record "One", sleep
// `sleep_s` (times the time scale), and record "Two". Sequential: One Two One Two One Two in
// tasks x sleep_s; concurrent: One One One Two Two Two in sleep_s.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "common/trace.hpp"
#include "common/workload.hpp"

namespace count {

struct Params {
  int tasks = 3;
  double sleep_s = 1.0;  // the lecture's second

  explicit Params(wl::Workload& w) {
    w.option("--tasks", tasks, "how many tasks", wl::range(1, 10000));
    w.option("--sleep-s", sleep_s, "each task's sleep, in lecture seconds", wl::positive);
    w.parse();
    w.params()["tasks"] = tasks;
    w.params()["sleep_s"] = sleep_s;
  }
};

inline std::vector<std::string> expected(int tasks, bool concurrent) {
  std::vector<std::string> e;
  for (int i = 0; i < tasks; ++i) e.push_back("One");
  if (concurrent) {
    for (int i = 0; i < tasks; ++i) e.push_back("Two");
    return e;
  }
  e.clear();
  for (int i = 0; i < tasks; ++i) {
    e.push_back("One");
    e.push_back("Two");
  }
  return e;
}

// The lecture's count() with a blocking sleep (time.sleep), as the models that block run it:
// sync, threads, threadpool and processes. `Log`: wl::EventLog or wl::PipeEventLog. Traced, task
// `n` is a track of its own: it prints, waits on its timer, prints.
template <class Log>
void blocking_count(Log& log, std::chrono::nanoseconds d, int n) {
  wl::trace::Track t("count " + std::to_string(n));
  log.add("One");
  t.mark("One");
  t.waiting("timer");
  std::this_thread::sleep_for(d);
  t.running();
  log.add("Two");
  t.mark("Two");
}

// The checks and metrics every model reports.
inline void report(wl::Workload& w, const Params& p, const std::vector<std::string>& events,
                   double elapsed_s, bool concurrent) {
  const double unit = p.sleep_s * w.time_scale();
  w.elapsed(elapsed_s);
  w.metrics()["order"] = wl::join(events);
  w.metrics()["ideal_s"] = concurrent ? unit : unit * p.tasks;
  w.metrics()["ideal_sequential_s"] = unit * p.tasks;
  w.metrics()["ideal_concurrent_s"] = unit;
  w.check(events == expected(p.tasks, concurrent),
          "order was \"" + wl::join(events) + "\", expected \"" +
              wl::join(expected(p.tasks, concurrent)) + "\"");
  w.check_not_early(elapsed_s, concurrent ? unit : unit * p.tasks);
}

}  // namespace count
