// blocking-offload on Boost.Asio with C++20 coroutines: offload, a coroutine per call on the
// io_context co_spawns the call onto an asio::thread_pool and awaits its completion
// (use_awaitable), resuming on the io_context; inline, one coroutine makes the calls in turn,
// blocking the io_context.
#include "common/asio.hpp"

#include <thread>

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<void> blocking_call(wl::EventLog& log, std::chrono::nanoseconds d, int n) {
  blocking_offload::blocking_io(log, d, n);
  co_return;
}

asio::awaitable<void> offloaded(asio::thread_pool& pool, wl::EventLog& log,
                                std::chrono::nanoseconds d, int n) {
  wl::trace::Track t("offloaded " + std::to_string(n));
  t.waiting("thread pool");
  co_await asio::co_spawn(pool, blocking_call(log, d, n), asio::use_awaitable);
}

asio::awaitable<void> in_turn(int calls, wl::EventLog& log, std::chrono::nanoseconds d) {
  for (int i = 0; i < calls; ++i) blocking_offload::blocking_io(log, d, i + 1);
  co_return;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "blocking-offload", [](wl::Workload& w) {
    blocking_offload::Params p(w);
    // asio::thread_pool's default size: twice the cores.
    const unsigned workers = 2 * std::max(1u, std::thread::hardware_concurrency());
    blocking_offload::require_workers(w, p, workers);
    wl::EventLog log;
    const auto d = w.scaled(p.blocking_s);
    asio::thread_pool pool(workers);
    wl::Stopwatch clock;
    asio::io_context io(1);
    if (p.offload())
      for (int i = 0; i < p.calls; ++i)
        asio::co_spawn(io, offloaded(pool, log, d, i + 1), wl::asio_rethrow);
    else
      asio::co_spawn(io, in_turn(p.calls, log, d), wl::asio_rethrow);
    io.run();
    const double elapsed = clock.seconds();
    pool.join();
    blocking_offload::report(w, p, log.events(), elapsed);
  });
}
