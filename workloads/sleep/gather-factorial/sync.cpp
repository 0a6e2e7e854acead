// gather-factorial, sequential: factorial A(2), then B(3), then C(4), each sleep blocking.
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "gather-factorial", [](wl::Workload& w) {
    gather_factorial::Params p(w);
    wl::EventLog log;
    const auto second = w.scaled(1);
    wl::Stopwatch clock;
    std::vector<long> results;
    for (const auto& job : gather_factorial::jobs)
      results.push_back(gather_factorial::blocking_factorial(log, job.name, job.number, second));
    gather_factorial::report(w, log.events(), results, clock.seconds(),
                             gather_factorial::Order::sequential);
  });
}
