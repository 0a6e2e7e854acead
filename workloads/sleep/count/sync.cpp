// count, sequential: countsync.py. One thing at a time; each sleep blocks everything.
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "count", [](wl::Workload& w) {
    count::Params p(w);
    wl::EventLog log;
    wl::Stopwatch clock;
    for (int i = 0; i < p.tasks; ++i) count::blocking_count(log, w.scaled(p.sleep_s), i + 1);
    count::report(w, p, log.events(), clock.seconds(), false);
  });
}
