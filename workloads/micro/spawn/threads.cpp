// spawn with one std::thread per task: each computes its result and ends; the main thread joins
// them in turn. A thread is a kernel task with its own stack: at most spawn::max_threads.
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "spawn", [](wl::Workload& w) {
    spawn::Params p(w);
    if (p.tasks > 10000)
      w.unsupported("one thread per task: " + std::to_string(p.tasks) +
                    " threads is more than this suite asks of a machine (10,000)");
    std::vector<long> results(std::size_t(p.tasks), 0);
    long sum = 0, completed = 0;
    wl::Stopwatch clock;
    std::vector<std::thread> threads;
    threads.reserve(std::size_t(p.tasks));
    for (int i = 0; i < p.tasks; ++i)
      threads.emplace_back([&results, i] { results[std::size_t(i)] = spawn::value(i); });
    for (std::size_t i = 0; i < threads.size(); ++i) {
      threads[i].join();
      sum += results[i];
      ++completed;
    }
    spawn::report(w, p, sum, completed, clock.seconds());
  });
}
