// cpu-offload on aio (aio-epoll, aio-uring): a coroutine per chunk, gathered. Mode inline runs the
// chunk in the coroutine, on the loop (which it blocks meanwhile); mode threads hands it to
// aio::to_thread, the loop's pool of min(32, cores + 4) threads.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<cpu_offload::ChunkResult> chunk(int i, std::uint64_t iterations, bool offload) {
  if (!offload) co_return cpu_offload::run_chunk(i, iterations);
  co_return co_await aio::to_thread(cpu_offload::run_chunk, i, iterations);
}

aio::Task<std::vector<cpu_offload::ChunkResult>> amain(const cpu_offload::Params& p) {
  std::vector<aio::Task<cpu_offload::ChunkResult>> ts;
  for (int i = 0; i < p.chunks; ++i) ts.push_back(chunk(i, p.iterations, p.mode == "threads"));
  co_return co_await aio::gather(std::move(ts));
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "cpu-offload", [](wl::Workload& w) {
    cpu_offload::Params p(w);
    cpu_offload::require_mode(w, p, {"inline", "threads"});
    const aio::Backend backend = wl::aio_backend(w.model());
    wl::Stopwatch clock;
    const auto results = aio::run(amain(p), backend);
    const double elapsed = clock.seconds();
    cpu_offload::report(w, p, results, elapsed);
  });
}
