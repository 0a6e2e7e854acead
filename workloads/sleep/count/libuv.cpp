// count on libuv, written the way libuv's own examples are: each task records "One" and starts a
// one-shot uv_timer whose callback records "Two"; uv_run returns when no handle is active.

#include <cstdint>
#include <memory>
#include <optional>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct CountTask {
  uv_timer_t timer;
  wl::EventLog* log;
  std::optional<wl::trace::Track> track;  // the task's track in a trace
};

void on_timer(uv_timer_t* t) {
  auto* task = static_cast<CountTask*>(t->data);
  task->track->running();
  task->log->add("Two");
  task->track->mark("Two");
  task->track->finish();
  uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "count", [](wl::Workload& w) {
    count::Params p(w);
    const auto sleep_ms = wl::uv::timeout_ms(w.scaled(p.sleep_s));
    wl::EventLog log;
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    std::vector<std::unique_ptr<CountTask>> tasks;
    for (int i = 0; i < p.tasks; ++i) {
      auto t = std::make_unique<CountTask>();
      t->log = &log;
      uv_timer_init(loop.get(), &t->timer);
      t->timer.data = t.get();
      t->track.emplace("count " + std::to_string(i + 1));
      log.add("One");
      t->track->mark("One");
      t->track->waiting("timer");
      uv_timer_start(&t->timer, on_timer, sleep_ms, 0);
      tasks.push_back(std::move(t));
    }
    loop.run();
    loop.close();
    count::report(w, p, log.events(), clock.seconds(), true);
  });
}
