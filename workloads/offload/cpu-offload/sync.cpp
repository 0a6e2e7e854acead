// cpu-offload, sequential: every chunk in turn on the one thread (mode inline only).
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "cpu-offload", [](wl::Workload& w) {
    cpu_offload::Params p(w);
    cpu_offload::require_mode(w, p, {"inline"});
    std::vector<cpu_offload::ChunkResult> results;
    wl::Stopwatch clock;
    for (int i = 0; i < p.chunks; ++i) results.push_back(cpu_offload::run_chunk(i, p.iterations));
    const double elapsed = clock.seconds();
    cpu_offload::report(w, p, results, elapsed);
  });
}
