// blocking-offload on a fixed pool of worker threads (ThreadPoolExecutor's way): inline, the
// main thread makes the calls in turn; offload, each call is submitted to the pool and its future
// awaited.
#include <future>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "blocking-offload", [](wl::Workload& w) {
    blocking_offload::Params p(w);
    wl::EventLog log;
    const auto d = w.scaled(p.blocking_s);
    wl::ThreadPool pool;
    blocking_offload::require_workers(w, p, pool.size());
    wl::Stopwatch clock;
    if (p.offload()) {
      wl::trace::Track main_track("main");
      std::vector<std::future<void>> done;
      for (int i = 0; i < p.calls; ++i)
        done.push_back(pool.submit([&, i] { blocking_offload::blocking_io(log, d, i + 1); }));
      main_track.waiting("thread pool");
      for (auto& f : done) f.get();
    } else {
      for (int i = 0; i < p.calls; ++i) blocking_offload::blocking_io(log, d, i + 1);
    }
    blocking_offload::report(w, p, log.events(), clock.seconds());
  });
}
