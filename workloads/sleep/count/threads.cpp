// count with one std::thread per task.
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "count", [](wl::Workload& w) {
    count::Params p(w);
    wl::EventLog log;
    const auto d = w.scaled(p.sleep_s);
    wl::Stopwatch clock;
    std::vector<std::thread> threads;
    for (int i = 0; i < p.tasks; ++i)
      threads.emplace_back([&, i] { count::blocking_count(log, d, i + 1); });
    for (auto& t : threads) t.join();
    count::report(w, p, log.events(), clock.seconds(), true);
  });
}
