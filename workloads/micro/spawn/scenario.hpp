// spawn: N tasks created and awaited, each completing at its first step (it computes a number
// and returns). What a task costs to make, to schedule once and to finish, with nothing to wait
// on: create_task + await in aio (aio_bench's spawn_complete, as a workload), co_spawn in Asio,
// a std::thread in threads, create_task in asyncio. Measured: the whole fan-out and fan-in,
// per task (ns_per_task); counted: instructions per task (the difference of two sizes).
#pragma once

#include <string>

#include "common/workload.hpp"

namespace spawn {

struct Params {
  int tasks = 10000;

  explicit Params(wl::Workload& w) {
    w.option("--tasks", tasks, "how many tasks to spawn", wl::range(1, 1000000));
    w.parse();
    w.params()["tasks"] = tasks;
  }
};

// What task i computes: cheap, and different for every task, so that a lost or doubled
// result shows in the sum.
inline long value(int i) { return long(i) * 3 + 1; }

inline long expected_sum(int tasks) {
  long s = 0;
  for (int i = 0; i < tasks; ++i) s += value(i);
  return s;
}

// The checks and metrics every model reports: every task ran once (the sum of their results).
inline void report(wl::Workload& w, const Params& p, long sum, long completed, double elapsed_s) {
  w.elapsed(elapsed_s);
  w.metrics()["ns_per_task"] = elapsed_s * 1e9 / p.tasks;
  w.metrics()["tasks"] = p.tasks;
  w.metrics()["completed"] = completed;
  w.check(completed == p.tasks,
          std::to_string(completed) + " of " + std::to_string(p.tasks) + " tasks completed");
  w.check(sum == expected_sum(p.tasks),
          "the tasks' results add up to " + std::to_string(sum) + ", not " +
              std::to_string(expected_sum(p.tasks)));
}

}  // namespace spawn
