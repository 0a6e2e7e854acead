// gather-factorial on libuv, written the way libuv's own examples are: each factorial is a
// uv_timer whose callback multiplies and either re-arms the timer for the next step or says the
// result and closes it; uv_run returns when all three are closed.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct Factorial {
  uv_timer_t timer;
  wl::EventLog* log;
  const char* name;
  int number;
  std::uint64_t second_ms;
  int i = 2;
  long result = 1;
  std::unique_ptr<wl::trace::Track> track;  // the call's track in a trace
};

void on_timer(uv_timer_t* t);

// The head of the lecture's loop: compute step i (say it, sleep a second) or say the result.
void step(Factorial* f) {
  if (f->i <= f->number) {
    const std::string said = gather_factorial::computing(f->name, f->i);
    f->log->add(said);
    f->track->mark(said);
    f->track->waiting("timer");
    uv_timer_start(&f->timer, on_timer, f->second_ms, 0);
  } else {
    const std::string said = gather_factorial::finished(f->name, f->number, f->result);
    f->log->add(said);
    f->track->mark(said);
    f->track->finish();
    uv_close(reinterpret_cast<uv_handle_t*>(&f->timer), nullptr);
  }
}

void on_timer(uv_timer_t* t) {
  auto* f = static_cast<Factorial*>(t->data);
  f->track->running();
  f->result *= f->i;
  ++f->i;
  step(f);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "gather-factorial", [](wl::Workload& w) {
    gather_factorial::Params p(w);
    const auto second_ms = wl::uv::timeout_ms(w.scaled(1));
    wl::EventLog log;
    std::vector<Factorial> calls;
    for (const auto& job : gather_factorial::jobs)
      calls.push_back(Factorial{{}, &log, job.name, job.number, second_ms});
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    for (Factorial& f : calls) {
      uv_timer_init(loop.get(), &f.timer);
      f.timer.data = &f;
      f.track = std::make_unique<wl::trace::Track>(std::string("factorial ") + f.name);
      step(&f);
    }
    loop.run();
    loop.close();
    const double elapsed = clock.seconds();
    std::vector<long> results;
    for (const Factorial& f : calls) results.push_back(f.result);
    gather_factorial::report(w, log.events(), results, elapsed, gather_factorial::Order::event_loop);
  });
}
