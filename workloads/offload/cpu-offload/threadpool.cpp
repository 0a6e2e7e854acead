// cpu-offload on a fixed pool of worker threads (ThreadPoolExecutor's way, mode threads only):
// each chunk is submitted and its future awaited.
#include <future>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "cpu-offload", [](wl::Workload& w) {
    cpu_offload::Params p(w);
    cpu_offload::require_mode(w, p, {"threads"});
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    wl::Stopwatch clock;
    std::vector<std::future<cpu_offload::ChunkResult>> pending;
    for (int i = 0; i < p.chunks; ++i)
      pending.push_back(pool.submit([&p, i] { return cpu_offload::run_chunk(i, p.iterations); }));
    std::vector<cpu_offload::ChunkResult> results;
    for (auto& f : pending) results.push_back(f.get());
    const double elapsed = clock.seconds();
    cpu_offload::report(w, p, results, elapsed);
  });
}
