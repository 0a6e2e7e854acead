// loop-lag on aio: a ticker task sleeps to each due time on the loop while the main task makes
// the blocking call, inline (on the loop) or through aio::to_thread (on the loop's thread pool).
// Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

using loop_lag::Ns;

aio::Task<void> ticker(Ns start, Ns period, std::vector<loop_lag::Tick>& ticks, const Ns& end) {
  for (Ns k = 1;; ++k) {
    const Ns due = start + k * period;
    co_await aio::sleep(std::chrono::nanoseconds(due - loop_lag::now_ns()));
    ticks.push_back({due, loop_lag::now_ns()});
    if (due >= end) co_return;
  }
}

struct Run {
  std::vector<loop_lag::Tick> ticks;
  Ns start = 0, t0 = 0, t1 = 0, end = loop_lag::not_yet;
};

aio::Task<void> amain(const loop_lag::Params& p, std::chrono::nanoseconds block, Run& r) {
  r.start = loop_lag::now_ns();
  auto tick_task = aio::create_task(ticker(r.start, p.tick_ns(), r.ticks, r.end));
  // A pure yield: the ticker starts and waits for its first tick before the call begins.
  co_await aio::sleep(std::chrono::nanoseconds(0));
  r.t0 = loop_lag::now_ns();
  if (p.offload())
    co_await aio::to_thread(loop_lag::blocking_call, block);
  else
    loop_lag::blocking_call(block);
  r.t1 = loop_lag::now_ns();
  r.end = r.t1;
  co_await tick_task;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "loop-lag", [](wl::Workload& w) {
    loop_lag::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    Run r;
    r.ticks = loop_lag::tick_buffer(w, p);
    aio::run(amain(p, w.scaled(p.block_s), r), backend);
    loop_lag::report(w, p, r.ticks, r.start, r.t0, r.t1, true);
  });
}
