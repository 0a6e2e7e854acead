// count with one fork()ed process per task (multiprocessing's way); the events travel through a
// pipe shared by the children.
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "count", [](wl::Workload& w) {
    count::Params p(w);
    wl::PipeEventLog log;
    const auto d = w.scaled(p.sleep_s);
    wl::Stopwatch clock;
    wl::Children children;
    for (int i = 0; i < p.tasks; ++i)
      children.spawn([&, i] { count::blocking_count(log, d, i + 1); });
    const bool all_ok = children.wait_all();
    const double elapsed = clock.seconds();
    w.check(all_ok, "a child process failed");
    count::report(w, p, log.collect(), elapsed, true);
  });
}
