// count, sequential: countsync.py. One thing at a time; each sleep blocks everything.
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "count", {"sync"}, [](wl::Workload& w) {
    count::Params p(w);
    wl::EventLog log;
    wl::Stopwatch clock;
    for (int i = 0; i < p.tasks; ++i) {
      log.add("One");
      std::this_thread::sleep_for(w.scaled(p.sleep_s));
      log.add("Two");
    }
    count::report(w, p, log.events(), clock.seconds(), false);
  });
}
