// say-after: the lecture's say_after(delay, what), which sleeps `delay` seconds and then says
// `what`. Awaited in turn, say_after(1, "hello") then say_after(2, "world") take 1 + 2 = 3 s;
// started together as two tasks and then both awaited, they take max(1, 2) = 2 s. Either way
// "hello" comes before "world".
#pragma once

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "common/trace.hpp"
#include "common/workload.hpp"

namespace sayafter {

// The lecture's two calls.
struct Call {
  double delay_s;  // lecture seconds
  const char* what;
};
inline constexpr Call hello{1.0, "hello"};
inline constexpr Call world{2.0, "world"};

// No parameters of its own: the delays are the lecture's.
struct Params {
  explicit Params(wl::Workload& w) { w.parse(); }
};

// The checks and metrics every model reports. `concurrent`: the two calls ran as tasks.
inline void report(wl::Workload& w, const std::vector<std::string>& events, double elapsed_s,
                   bool concurrent) {
  const double sequential = (hello.delay_s + world.delay_s) * w.time_scale();
  const double together = std::max(hello.delay_s, world.delay_s) * w.time_scale();
  const double ideal = concurrent ? together : sequential;
  const std::vector<std::string> expected{hello.what, world.what};
  w.elapsed(elapsed_s);
  w.metrics()["ideal_s"] = ideal;
  w.metrics()["ideal_sequential_s"] = sequential;
  w.metrics()["ideal_concurrent_s"] = together;
  w.metrics()["order"] = wl::join(events);
  w.check(events == expected,
          "order was \"" + wl::join(events) + "\", expected \"" + wl::join(expected) + "\"");
  w.check_not_early(elapsed_s, ideal, "finished before the sleeps could");
}

// The lecture's say_after with a blocking sleep (time.sleep), as the models that block run it:
// sync, threads, threadpool and processes. `Log`: wl::EventLog or wl::PipeEventLog. Traced, the
// call is a track of its own: it waits on its timer, then says `what`.
template <class Log>
void blocking_say_after(Log& log, std::chrono::nanoseconds delay, const char* what) {
  wl::trace::Track t(std::string("say_after ") + what);
  t.waiting("timer");
  std::this_thread::sleep_for(delay);
  t.running();
  log.add(what);
  t.mark(what);
}

}  // namespace sayafter
