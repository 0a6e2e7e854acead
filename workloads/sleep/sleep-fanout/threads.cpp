// sleep-fanout with one thread per sleeper, joined in turn (std::jthread: should a thread fail to
// start, those already started are joined, not left to std::terminate).
#include <atomic>
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "sleep-fanout", [](wl::Workload& w) {
    sleep_fanout::Params p(w);
    if (p.tasks > sleep_fanout::max_threads)
      w.unsupported("more than " + std::to_string(sleep_fanout::max_threads) +
                    " threads: each is a kernel task (pid_max is 32768, shared with the machine) "
                    "with its own stack");
    const auto d = w.scaled(p.sleep_s);
    std::atomic<long> completed = 0;
    sleep_fanout::Measure m;
    m.start();
    std::vector<std::jthread> threads;
    threads.reserve(p.tasks);
    for (int i = 0; i < p.tasks; ++i)
      threads.emplace_back([&] {
        std::this_thread::sleep_for(d);
        completed.fetch_add(1, std::memory_order_relaxed);
      });
    for (auto& t : threads) t.join();
    m.stop();
    sleep_fanout::report(w, p, completed.load(), m);
  });
}
