// loop-lag with threads: the ticker has a thread of its own and sleeps until each due time;
// the blocking call runs on the main thread (inline) or on a thread started for it (offload).
// There is no loop to block: both modes keep the ticker on time.
#include <atomic>
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "loop-lag", [](wl::Workload& w) {
    loop_lag::Params p(w);
    using loop_lag::Ns;
    const auto block = w.scaled(p.block_s);
    std::vector<loop_lag::Tick> ticks = loop_lag::tick_buffer(w, p);
    std::atomic<Ns> end = loop_lag::not_yet;
    const Ns start = loop_lag::now_ns();
    // A jthread asks its ticker to stop and joins it, should the main thread throw first.
    std::jthread ticker([&, period = p.tick_ns()](std::stop_token stop) {
      for (Ns k = 1; !stop.stop_requested(); ++k) {
        const Ns due = start + k * period;
        std::this_thread::sleep_until(
            std::chrono::steady_clock::time_point(std::chrono::nanoseconds(due)));
        ticks.push_back({due, loop_lag::now_ns()});
        if (due >= end.load()) return;
      }
    });
    const Ns t0 = loop_lag::now_ns();
    if (p.offload())
      std::thread(loop_lag::blocking_call, block).join();
    else
      loop_lag::blocking_call(block);
    const Ns t1 = loop_lag::now_ns();
    end.store(t1);
    ticker.join();
    loop_lag::report(w, p, ticks, start, t0, t1, false);
  });
}
