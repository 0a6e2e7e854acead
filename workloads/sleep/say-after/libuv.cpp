// say-after on libuv, written the way libuv's own examples are: one one-shot uv_timer per call,
// whose callback says the word; uv_run returns when no handle is active.

#include <cstdint>
#include <optional>
#include <string>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct SayAfter {
  uv_timer_t timer;
  wl::EventLog* log;
  const char* what;
  std::optional<wl::trace::Track> track;  // the call's track in a trace
};

void on_timer(uv_timer_t* t) {
  auto* call = static_cast<SayAfter*>(t->data);
  call->track->running();
  call->log->add(call->what);
  call->track->mark(call->what);
  call->track->finish();
  uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
}

void say_after(uv_loop_t* loop, SayAfter& call, std::chrono::nanoseconds delay) {
  call.track.emplace(std::string("say_after ") + call.what);
  call.track->waiting("timer");
  uv_timer_init(loop, &call.timer);
  call.timer.data = &call;
  uv_timer_start(&call.timer, on_timer, wl::uv::timeout_ms(delay), 0);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "say-after", [](wl::Workload& w) {
    sayafter::Params p(w);
    using sayafter::hello, sayafter::world;
    wl::EventLog log;
    SayAfter call1{{}, &log, hello.what};
    SayAfter call2{{}, &log, world.what};
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    say_after(loop.get(), call1, w.scaled(hello.delay_s));
    say_after(loop.get(), call2, w.scaled(world.delay_s));
    loop.run();
    loop.close();
    sayafter::report(w, log.events(), clock.seconds(), true);
  });
}
