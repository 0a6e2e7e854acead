// as-completed with one std::thread per call: each thread pushes its result into a queue (mutex +
// condition variable) as it finishes, and the main thread pops them in that order.
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "as-completed", [](wl::Workload& w) {
    as_completed::Params p(w);
    using as_completed::inputs;
    const auto second = w.scaled(1);
    wl::Stopwatch clock;
    as_completed::CompletionQueue<as_completed::Result> done;
    std::vector<std::thread> threads;
    for (int n : inputs)
      threads.emplace_back(
          [&done, n, second] { done.push(as_completed::blocking_factorial(n, second)); });
    std::vector<as_completed::Result> arrived;
    for (std::size_t k = 0; k < inputs.size(); ++k) arrived.push_back(done.pop());
    for (auto& t : threads) t.join();
    as_completed::report(w, arrived, clock.seconds(), true);
  });
}
