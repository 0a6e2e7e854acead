// count on a fixed pool of worker threads (ThreadPoolExecutor's way): each task is submitted to
// the pool and its future awaited. With more tasks than workers, the rest wait for a free worker.
#include <future>
#include <thread>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "count", [](wl::Workload& w) {
    count::Params p(w);
    wl::EventLog log;
    const auto d = w.scaled(p.sleep_s);
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    if (p.tasks > int(pool.size()))
      w.unsupported("more tasks than pool workers: the rest would wait their turn");
    wl::Stopwatch clock;
    std::vector<std::future<void>> done;
    for (int i = 0; i < p.tasks; ++i)
      done.push_back(pool.submit([&, i] { count::blocking_count(log, d, i + 1); }));
    for (auto& f : done) f.get();
    count::report(w, p, log.events(), clock.seconds(), true);
  });
}
