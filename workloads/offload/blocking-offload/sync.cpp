// blocking-offload, sequential: the blocking calls one after another. Inline only: sequential
// code has nowhere to offload to.
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "blocking-offload", [](wl::Workload& w) {
    blocking_offload::Params p(w);
    if (p.offload()) w.unsupported("sequential code has nowhere to offload to");
    wl::EventLog log;
    wl::Stopwatch clock;
    for (int i = 0; i < p.calls; ++i)
      blocking_offload::blocking_io(log, w.scaled(p.blocking_s), i + 1);
    blocking_offload::report(w, p, log.events(), clock.seconds());
  });
}
