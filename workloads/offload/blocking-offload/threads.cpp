// blocking-offload with threads: inline, the main thread makes the calls in turn; offload, one
// std::thread per call, joined.
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "blocking-offload", [](wl::Workload& w) {
    blocking_offload::Params p(w);
    wl::EventLog log;
    const auto d = w.scaled(p.blocking_s);
    wl::Stopwatch clock;
    if (p.offload()) {
      wl::trace::Track main_track("main");
      std::vector<std::thread> threads;
      for (int i = 0; i < p.calls; ++i)
        threads.emplace_back([&, i] { blocking_offload::blocking_io(log, d, i + 1); });
      main_track.waiting("thread");
      for (auto& t : threads) t.join();
    } else {
      for (int i = 0; i < p.calls; ++i) blocking_offload::blocking_io(log, d, i + 1);
    }
    blocking_offload::report(w, p, log.events(), clock.seconds());
  });
}
