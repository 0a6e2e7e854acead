// as-completed on a fixed pool of worker threads: every call submitted; each task pushes its
// result into a queue (mutex + condition variable) as it finishes, and the main thread pops them
// in that order (concurrent.futures.as_completed's way).
#include <future>
#include <thread>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "as-completed", [](wl::Workload& w) {
    as_completed::Params p(w);
    using as_completed::inputs;
    const auto second = w.scaled(1);
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    if (pool.size() < inputs.size())
      w.unsupported("fewer pool workers than calls: some would wait their turn");
    wl::Stopwatch clock;
    as_completed::CompletionQueue<as_completed::Result> done;
    std::vector<std::future<void>> futures;
    for (int n : inputs)
      futures.push_back(pool.submit(
          [&done, n, second] { done.push(as_completed::blocking_factorial(n, second)); }));
    std::vector<as_completed::Result> arrived;
    for (std::size_t k = 0; k < inputs.size(); ++k) arrived.push_back(done.pop());
    for (auto& f : futures) f.get();
    as_completed::report(w, arrived, clock.seconds(), true);
  });
}
