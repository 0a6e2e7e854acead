// blocking-offload: the lecture's blocking_io() (time.sleep standing for any blocking call: a
// database query, requests.get) called `calls` times, `blocking_s` each. --mode inline: one call
// after another in the model's main flow (on an event loop this blocks the loop: the lecture's
// "WITHOUT asyncio.to_thread() - Sequential", calls x blocking_s). --mode offload: the model's
// own way of running blocking calls concurrently (asyncio.to_thread, a thread, a pool, a
// process, uv_queue_work): blocking_s.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "common/trace.hpp"
#include "common/workload.hpp"

namespace blocking_offload {

struct Params {
  std::string mode = "inline";
  int calls = 3;
  double blocking_s = 1.0;  // the lecture's time.sleep(1)

  explicit Params(wl::Workload& w) {
    w.option("--mode", mode, "inline: call in turn; offload: run the calls concurrently",
             wl::one_of({"inline", "offload"}));
    w.option("--calls", calls, "how many blocking calls", wl::range(1, 1000));
    w.option("--blocking-s", blocking_s, "each call's blocking time, in lecture seconds",
             wl::positive);
    w.parse();
    w.params()["mode"] = mode;
    w.params()["calls"] = calls;
    w.params()["blocking_s"] = blocking_s;
  }

  bool offload() const noexcept { return mode == "offload"; }
};

// The lecture's blocking_io(): records "start", blocks the calling thread for `d`, records
// "finish". `Log`: wl::EventLog, or wl::PipeEventLog across processes. Traced, call `n` is a
// track of its own on the thread that makes it, running while it blocks (`Track`:
// wl::trace::Track; aio, which traces its tasks and pool threads itself, passes one that only
// marks the running task's track).
template <class Track = wl::trace::Track, class Log>
void blocking_io(Log& log, std::chrono::nanoseconds d, int n) {
  Track t("blocking_io " + std::to_string(n));
  log.add("start");
  t.mark("start");
  std::this_thread::sleep_for(d);
  log.add("finish");
  t.mark("finish");
}

inline std::vector<std::string> expected(int calls, bool offload) {
  std::vector<std::string> e;
  for (int i = 0; i < calls; ++i) {
    if (offload) {
      e.insert(e.begin(), "start");
      e.push_back("finish");
    } else {
      e.push_back("start");
      e.push_back("finish");
    }
  }
  return e;
}

// A model that offloads to a bounded pool of `workers`: recorded, and more calls than workers
// would queue, so such a run is unsupported. Inline runs use no pool.
inline void require_workers(wl::Workload& w, const Params& p, unsigned workers) {
  if (!p.offload()) return;
  w.params()["workers"] = workers;
  if (p.calls > int(workers))
    w.unsupported("more calls than pool workers: the rest would wait their turn");
}

// The checks and metrics every model reports.
inline void report(wl::Workload& w, const Params& p, const std::vector<std::string>& events,
                   double elapsed_s) {
  const double unit = p.blocking_s * w.time_scale();
  const double ideal = p.offload() ? unit : unit * p.calls;
  w.elapsed(elapsed_s);
  w.metrics()["mode"] = p.mode;
  w.metrics()["order"] = wl::join(events);
  w.metrics()["ideal_s"] = ideal;
  const auto want = expected(p.calls, p.offload());
  w.check(events == want,
          "order was \"" + wl::join(events) + "\", expected \"" + wl::join(want) + "\"");
  w.check(elapsed_s >= ideal * 0.99, "finished before the blocking calls could");
  // The order (every start before any finish) already shows that the calls overlapped; the
  // time must show it too, with room for thread start-up at small time scales.
  if (p.offload() && p.calls > 1)
    w.check(elapsed_s < unit * p.calls, "the offloaded calls took as long as running them in turn");
}

}  // namespace blocking_offload
