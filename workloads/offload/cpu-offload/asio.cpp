// cpu-offload on Boost.Asio with C++20 coroutines: a coroutine per chunk co_spawned on one
// io_context. Mode inline runs the chunk in the coroutine, on the io_context's thread; mode threads
// co_spawns it onto an asio::thread_pool (Asio's default size, 2 x cores) and awaits it with
// use_awaitable, resuming on the io_context when it is done.
#include "common/asio.hpp"

#include <optional>

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<cpu_offload::ChunkResult> compute(int i, std::uint64_t iterations) {
  co_return cpu_offload::run_chunk(i, iterations);
}

asio::awaitable<void> chunk(asio::thread_pool* pool, int i, std::uint64_t iterations,
                            cpu_offload::ChunkResult& out) {
  if (pool)
    out = co_await asio::co_spawn(*pool, compute(i, iterations), asio::use_awaitable);
  else
    out = co_await compute(i, iterations);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "cpu-offload", [](wl::Workload& w) {
    cpu_offload::Params p(w);
    cpu_offload::require_mode(w, p, {"inline", "threads"});
    std::vector<cpu_offload::ChunkResult> results(p.chunks);
    asio::io_context io(1);
    std::optional<asio::thread_pool> pool;  // after io: on a failure it is joined before io goes
    if (p.mode == "threads") pool.emplace();
    wl::Stopwatch clock;
    for (int i = 0; i < p.chunks; ++i)
      asio::co_spawn(io, chunk(pool ? &*pool : nullptr, i, p.iterations, results[i]),
                     wl::asio_rethrow);
    io.run();
    const double elapsed = clock.seconds();
    cpu_offload::report(w, p, results, elapsed);
  });
}
