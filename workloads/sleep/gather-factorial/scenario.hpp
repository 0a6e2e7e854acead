// gather-factorial: the lecture's asyncio.gather example. factorial(name, number) says
// "Task {name}: Compute factorial({i})..." and sleeps a second for each i in 2..number, then says
// "Task {name}: factorial({number}) = {f}" and returns f. Run for A(2), B(3), C(4): in turn,
// 1 + 2 + 3 = 6 s; gathered, 3 s (the longest), with results [2, 6, 24] in the order asked.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/trace.hpp"
#include "common/workload.hpp"

namespace gather_factorial {

struct Job {
  const char* name;
  int number;
};
// The lecture's three calls, and what they return.
inline constexpr std::array<Job, 3> jobs{{{"A", 2}, {"B", 3}, {"C", 4}}};
inline const std::vector<long> expected_results{2, 6, 24};

// No parameters of its own: the calls are the lecture's.
struct Params {
  explicit Params(wl::Workload& w) { w.parse(); }
};

// What factorial says before each sleep, and at its end.
inline std::string computing(const char* name, int i) {
  return std::string("Task ") + name + ": Compute factorial(" + std::to_string(i) + ")...";
}
inline std::string finished(const char* name, int number, long f) {
  return std::string("Task ") + name + ": factorial(" + std::to_string(number) +
         ") = " + std::to_string(f);
}

// How much of the event order a model determines.
enum class Order {
  sequential,  // one call after the other: A's events, then B's, then C's
  event_loop,  // gathered on one thread: after each sleep, the tasks resume in the order they
               // slept (asyncio's order): A2 B2 C2 A= B3 C3 B= C4 C=
  per_step,    // gathered on threads or processes: within a step the order is the scheduler's
};

namespace detail {

// Job k's events, and the step of each (how many sleeps the job has done when it says it).
inline std::vector<std::string> events_of(const Job& job) {
  std::vector<std::string> e;
  long f = 1;
  for (int i = 2; i <= job.number; ++i) {
    e.push_back(computing(job.name, i));
    f *= i;
  }
  e.push_back(finished(job.name, job.number, f));
  return e;
}

inline std::vector<std::string> expected_events(Order order) {
  std::vector<std::vector<std::string>> per_job;
  for (const Job& job : jobs) per_job.push_back(events_of(job));
  std::vector<std::string> out;
  if (order == Order::sequential) {
    for (auto& e : per_job) out.insert(out.end(), e.begin(), e.end());
    return out;
  }
  for (std::size_t step = 0;; ++step) {
    const std::size_t before = out.size();
    for (auto& e : per_job)
      if (step < e.size()) out.push_back(e[step]);
    if (out.size() == before) return out;
  }
}

// Every job's own events in order, and every event of step k before any of step k + 1.
inline bool sorted_by_step(const std::vector<std::string>& events) {
  std::map<std::string, std::pair<std::size_t, std::size_t>> where;  // event -> (job, step)
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    const auto e = events_of(jobs[k]);
    for (std::size_t s = 0; s < e.size(); ++s) where[e[s]] = {k, s};
  }
  if (events.size() != where.size()) return false;
  std::vector<std::size_t> next(jobs.size(), 0);  // each job's next step
  std::size_t step = 0;
  for (const std::string& e : events) {
    const auto it = where.find(e);
    if (it == where.end()) return false;
    const auto [job, s] = it->second;
    if (s != next[job] || s < step) return false;
    next[job] = s + 1;
    step = s;
  }
  return true;
}

}  // namespace detail

// The checks and metrics every model reports: the results in the order asked, the events in the
// order `order` determines, and no run faster than its sleeps.
inline void report(wl::Workload& w, const std::vector<std::string>& events,
                   const std::vector<long>& results, double elapsed_s, Order order) {
  double sequential = 0, together = 0;
  for (const Job& job : jobs) {
    sequential += job.number - 1;
    together = std::max<double>(together, job.number - 1);
  }
  sequential *= w.time_scale();
  together *= w.time_scale();
  const double ideal = order == Order::sequential ? sequential : together;
  const auto shown = [](const std::vector<long>& rs) {
    std::vector<std::string> s;
    for (long r : rs) s.push_back(std::to_string(r));
    return wl::join(s);
  };
  w.elapsed(elapsed_s);
  w.metrics()["ideal_s"] = ideal;
  w.metrics()["ideal_sequential_s"] = sequential;
  w.metrics()["ideal_concurrent_s"] = together;
  w.metrics()["results"] = shown(results);
  w.check(results == expected_results,
          "results were \"" + shown(results) + "\", expected \"" + shown(expected_results) + "\"");
  if (order == Order::per_step) {
    w.check(detail::sorted_by_step(events),
            "events out of step: \"" + wl::join(events, " | ") + "\"");
  } else {
    const auto expected = detail::expected_events(order);
    w.check(events == expected, "order was \"" + wl::join(events, " | ") + "\", expected \"" +
                                    wl::join(expected, " | ") + "\"");
  }
  w.check_not_early(elapsed_s, ideal, "finished before the sleeps could");
}

// The lecture's factorial with a blocking sleep per step (time.sleep), as the models that block
// run it: sync, threads, threadpool and processes. `Log`: wl::EventLog or wl::PipeEventLog.
// Traced, the call is a track of its own: what it says, then each step's wait on its timer.
template <class Log>
long blocking_factorial(Log& log, const char* name, int number, std::chrono::nanoseconds second) {
  wl::trace::Track t(std::string("factorial ") + name);
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    const std::string said = computing(name, i);
    log.add(said);
    t.mark(said);
    t.waiting("timer");
    std::this_thread::sleep_for(second);
    t.running();
    f *= i;
  }
  const std::string said = finished(name, number, f);
  log.add(said);
  t.mark(said);
  return f;
}

}  // namespace gather_factorial
