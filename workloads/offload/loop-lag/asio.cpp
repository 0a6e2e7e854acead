// loop-lag on Boost.Asio with C++20 coroutines: a ticker coroutine waits on a steady_timer set to
// each due time (expires_at), while the main coroutine makes the blocking call, inline (on the
// io_context's thread) or co_spawned onto an asio::thread_pool and awaited.
#include "common/asio.hpp"

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

using loop_lag::Ns;

struct Run {
  std::vector<loop_lag::Tick> ticks;
  Ns start = 0, t0 = 0, t1 = 0, end = loop_lag::not_yet;
};

asio::awaitable<void> ticker(Ns period, Run& r) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (Ns k = 1;; ++k) {
    const Ns due = r.start + k * period;
    timer.expires_at(asio::steady_timer::time_point(std::chrono::nanoseconds(due)));
    co_await timer.async_wait(asio::use_awaitable);
    r.ticks.push_back({due, loop_lag::now_ns()});
    if (due >= r.end) co_return;
  }
}

// The blocking call as a coroutine of the pool's: co_spawned there, awaited from the loop.
asio::awaitable<void> blocking_on_pool(std::chrono::nanoseconds block) {
  loop_lag::blocking_call(block);
  co_return;
}

asio::awaitable<void> block(bool offload, std::chrono::nanoseconds d, asio::thread_pool& pool,
                            Run& r) {
  r.t0 = loop_lag::now_ns();
  if (offload)
    co_await asio::co_spawn(pool, blocking_on_pool(d), asio::use_awaitable);
  else
    loop_lag::blocking_call(d);
  r.t1 = loop_lag::now_ns();
  r.end = r.t1;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "loop-lag", [](wl::Workload& w) {
    loop_lag::Params p(w);
    Run r;
    r.ticks = loop_lag::tick_buffer(w, p);
    asio::io_context io(1);
    asio::thread_pool pool;
    r.start = loop_lag::now_ns();
    // The ticker first: it arms its timer before the main coroutine's call begins.
    asio::co_spawn(io, ticker(p.tick_ns(), r), wl::asio_rethrow);
    asio::co_spawn(io, block(p.offload(), w.scaled(p.block_s), pool, r), wl::asio_rethrow);
    io.run();
    pool.join();
    loop_lag::report(w, p, r.ticks, r.start, r.t0, r.t1, true);
  });
}
