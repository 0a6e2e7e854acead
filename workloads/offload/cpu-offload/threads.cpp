// cpu-offload with one std::thread per chunk (mode threads only): C++ threads run on every core.
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "cpu-offload", [](wl::Workload& w) {
    cpu_offload::Params p(w);
    cpu_offload::require_mode(w, p, {"threads"});
    std::vector<cpu_offload::ChunkResult> results(p.chunks);
    wl::Stopwatch clock;
    std::vector<std::thread> threads;
    for (int i = 0; i < p.chunks; ++i)
      threads.emplace_back(
          [&results, &p, i] { results[i] = cpu_offload::run_chunk(i, p.iterations); });
    for (auto& t : threads) t.join();
    const double elapsed = clock.seconds();
    cpu_offload::report(w, p, results, elapsed);
  });
}
