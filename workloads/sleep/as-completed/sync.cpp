// as-completed, sequential: factorial(4), factorial(3), factorial(5), factorial(2) in turn, each
// sleep blocking; each result is complete when the next call starts, so they come in the order
// asked.
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "as-completed", [](wl::Workload& w) {
    as_completed::Params p(w);
    const auto second = w.scaled(1);
    wl::Stopwatch clock;
    std::vector<as_completed::Result> arrived;
    for (int n : as_completed::inputs)
      arrived.push_back(as_completed::blocking_factorial(n, second));
    as_completed::report(w, arrived, clock.seconds(), false);
  });
}
