// loop-lag on libuv, the way libuv's examples are written: the ticker is a one-shot uv_timer
// re-armed in its callback for the next due time (a repeating timer reschedules from when it ran,
// so it could not keep a fixed schedule nor show its own lateness); the blocking call runs in a
// timer callback on the loop (inline) or through uv_queue_work on libuv's thread pool (offload),
// its end reported by the after-work callback on the loop. Times come from uv_hrtime.

#include <stdexcept>
#include <string>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

using loop_lag::Ns;

struct Run {
  uv_timer_t ticker;
  uv_timer_t starter;
  uv_work_t work;
  std::uint64_t block_ns = 0;
  bool offload = false;
  int work_status = 0;
  std::vector<loop_lag::Tick> ticks;
  Ns start = 0, period = 0, k = 1, t0 = 0, t1 = 0, end = loop_lag::not_yet;
};

Run& run_of(void* loop_data) { return *static_cast<Run*>(loop_data); }

// Timers count from the loop's millisecond clock, uv_now (never ahead of uv_hrtime): the
// timeout that reaches `due` rounded up to the next millisecond, so that no tick comes early.
std::uint64_t timeout_until(uv_loop_t* loop, Ns due) {
  const auto due_ms = static_cast<std::uint64_t>((due + 999999) / 1000000);
  const std::uint64_t now_ms = uv_now(loop);
  return due_ms > now_ms ? due_ms - now_ms : 0;
}

void on_tick(uv_timer_t* t) {
  Run& r = run_of(t->loop->data);
  const Ns due = r.start + r.k * r.period;
  r.ticks.push_back({due, Ns(uv_hrtime())});
  if (due >= r.end) {
    uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
    return;
  }
  ++r.k;
  uv_timer_start(t, on_tick, timeout_until(t->loop, r.start + r.k * r.period), 0);
}

void blocking_work(uv_work_t* req) {
  loop_lag::blocking_call(std::chrono::nanoseconds(run_of(req->loop->data).block_ns));
}

void after_blocking_work(uv_work_t* req, int status) {
  Run& r = run_of(req->loop->data);
  r.work_status = status;
  r.t1 = Ns(uv_hrtime());
  r.end = r.t1;
}

void on_start(uv_timer_t* t) {
  Run& r = run_of(t->loop->data);
  // Closed in its callback as one-shot handles are. A pending close also makes the next poll
  // non-blocking, so an inline call is not followed by a poll timed from the stale uv_now (README).
  uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
  r.t0 = Ns(uv_hrtime());
  if (r.offload) {
    uv_queue_work(t->loop, &r.work, blocking_work, after_blocking_work);
    return;
  }
  loop_lag::blocking_call(std::chrono::nanoseconds(r.block_ns));
  r.t1 = Ns(uv_hrtime());
  r.end = r.t1;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "loop-lag", [](wl::Workload& w) {
    loop_lag::Params p(w);
    Run r;
    r.ticks = loop_lag::tick_buffer(w, p);
    r.block_ns = static_cast<std::uint64_t>(w.scaled(p.block_s).count());
    r.offload = p.offload();
    r.period = p.tick_ns();
    wl::uv::Loop loop;
    loop.get()->data = &r;
    uv_timer_init(loop.get(), &r.ticker);
    uv_timer_init(loop.get(), &r.starter);
    uv_update_time(loop.get());
    r.start = Ns(uv_hrtime());
    uv_timer_start(&r.ticker, on_tick, timeout_until(loop.get(), r.start + r.period), 0);
    uv_timer_start(&r.starter, on_start, 0, 0);  // the call begins on the loop's first turn
    loop.run();
    loop.close();
    w.check(r.work_status == 0, std::string("uv_queue_work: ") + uv_strerror(r.work_status));
    loop_lag::report(w, p, r.ticks, r.start, r.t0, r.t1, true);
  });
}
