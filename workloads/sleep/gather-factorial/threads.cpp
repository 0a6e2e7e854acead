// gather-factorial with one std::thread per call, each storing its result in its own slot; the
// main thread joins them all (gather's order of results, a thread each).
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "gather-factorial", [](wl::Workload& w) {
    gather_factorial::Params p(w);
    using gather_factorial::jobs;
    wl::EventLog log;
    const auto second = w.scaled(1);
    wl::Stopwatch clock;
    std::vector<long> results(jobs.size());
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < jobs.size(); ++k)
      threads.emplace_back([&, k] {
        results[k] =
            gather_factorial::blocking_factorial(log, jobs[k].name, jobs[k].number, second);
      });
    for (auto& t : threads) t.join();
    gather_factorial::report(w, log.events(), results, clock.seconds(),
                             gather_factorial::Order::per_step);
  });
}
