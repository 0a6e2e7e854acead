// gather-factorial on a fixed pool of worker threads (ThreadPoolExecutor's way): every call
// submitted, then the futures' results taken in the order asked.
#include <future>
#include <thread>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "gather-factorial", [](wl::Workload& w) {
    gather_factorial::Params p(w);
    using gather_factorial::jobs;
    wl::EventLog log;
    const auto second = w.scaled(1);
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    if (pool.size() < jobs.size())
      w.unsupported("fewer pool workers than calls: some would wait their turn");
    wl::Stopwatch clock;
    std::vector<std::future<long>> futures;
    for (const auto& job : jobs)
      futures.push_back(pool.submit([&log, job, second] {
        return gather_factorial::blocking_factorial(log, job.name, job.number, second);
      }));
    std::vector<long> results;
    for (auto& f : futures) results.push_back(f.get());
    gather_factorial::report(w, log.events(), results, clock.seconds(),
                             gather_factorial::Order::per_step);
  });
}
