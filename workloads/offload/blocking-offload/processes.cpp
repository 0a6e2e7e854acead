// blocking-offload with processes: inline, the parent makes the calls in turn; offload, one
// fork()ed process per call (multiprocessing's way), reaped with waitpid. The events travel
// through a pipe either way.
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "blocking-offload", [](wl::Workload& w) {
    blocking_offload::Params p(w);
    wl::PipeEventLog log;
    const auto d = w.scaled(p.blocking_s);
    wl::Stopwatch clock;
    bool all_ok = true;
    if (p.offload()) {
      wl::trace::Track main_track("main");
      wl::Children children;
      for (int i = 0; i < p.calls; ++i)
        children.spawn([&, i] { blocking_offload::blocking_io(log, d, i + 1); });
      main_track.waiting("processes");
      all_ok = children.wait_all();
    } else {
      for (int i = 0; i < p.calls; ++i) blocking_offload::blocking_io(log, d, i + 1);
    }
    const double elapsed = clock.seconds();
    w.check(all_ok, "a child process failed");
    blocking_offload::report(w, p, log.collect(), elapsed);
  });
}
