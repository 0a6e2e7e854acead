// sleep-fanout on libuv, as libuv's own million-timers benchmark is written: an array of
// uv_timer_t, one one-shot timer per sleeper, a callback that counts; uv_run returns when every
// timer has fired and been closed. Timers count from the loop's cached millisecond clock (uv_now),
// so one may fire up to 1 ms before its full sleep by a precise clock: the check allows it.

#include <cstdint>
#include <memory>
#include <stdexcept>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

void on_timer(uv_timer_t* t) {
  ++*static_cast<long*>(t->loop->data);
  uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "sleep-fanout", [](wl::Workload& w) {
    sleep_fanout::Params p(w);
    const auto timeout = wl::uv::timeout_ms(w.scaled(p.sleep_s));
    long completed = 0;
    wl::uv::Loop loop;
    loop.get()->data = &completed;
    sleep_fanout::Measure m;
    m.start();
    uv_update_time(loop.get());  // the timers count from now, not from uv_loop_init
    auto timers = std::make_unique<uv_timer_t[]>(p.tasks);
    for (int i = 0; i < p.tasks; ++i) {
      uv_timer_init(loop.get(), &timers[i]);
      uv_timer_start(&timers[i], on_timer, timeout, 0);
    }
    loop.run();
    m.stop();
    loop.close();
    sleep_fanout::report(w, p, completed, m, 0);
  });
}
