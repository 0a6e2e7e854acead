// wait-for: the lecture's eternity() under asyncio.wait_for. The inner work sleeps `eternity_s`
// (an hour) and would then record "yay!"; it runs under a `timeout_s` (one second) timeout. When
// the timeout fires the inner work is cancelled and records "cancelled" while it unwinds; once it
// has finished unwinding, the waiter records "timeout!". Concurrent models only: a blocking sleep
// cannot be interrupted by a timeout.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/workload.hpp"

namespace wait_for {

struct Params {
  double eternity_s = 3600.0;  // the lecture's hour
  double timeout_s = 1.0;      // wait_for(..., timeout=1)

  explicit Params(wl::Workload& w) {
    w.option("--eternity-s", eternity_s, "the inner sleep, in lecture seconds", wl::positive);
    w.option("--timeout-s", timeout_s, "the waiter's timeout, in lecture seconds", wl::positive);
    w.parse();
    if (!(timeout_s < eternity_s)) {
      std::fprintf(stderr, "%s: --timeout-s must be shorter than --eternity-s\n", w.program_name());
      std::exit(2);
    }
    w.params()["eternity_s"] = eternity_s;
    w.params()["timeout_s"] = timeout_s;
  }
};

inline const std::vector<std::string>& expected() {
  static const std::vector<std::string> e{"cancelled", "timeout!"};
  return e;
}

// The checks and metrics every model reports.
inline void report(wl::Workload& w, const Params& p, const std::vector<std::string>& events,
                   double elapsed_s) {
  const double timeout = p.timeout_s * w.time_scale();
  w.elapsed(elapsed_s);
  w.metrics()["order"] = wl::join(events);
  w.metrics()["ideal_s"] = timeout;
  w.check(events == expected(),
          "order was \"" + wl::join(events) + "\", expected \"" + wl::join(expected()) + "\"");
  w.check_not_early(elapsed_s, timeout, "finished before the timeout could fire");
  // Far below the eternity: the inner work was cancelled, not waited for.
  w.check(elapsed_s < timeout + 1.0, "the waiter did not stop at its timeout");
}

}  // namespace wait_for
