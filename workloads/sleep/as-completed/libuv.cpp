// as-completed on libuv, written the way libuv's own examples are: each factorial is a uv_timer
// whose callback multiplies and re-arms it for the next step; the last step appends the result
// to the list of completed results and closes the timer. uv_run returns when all are closed.

#include <cstdint>
#include <vector>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct Factorial {
  uv_timer_t timer;
  std::vector<as_completed::Result>* completed;
  int number;
  std::uint64_t second_ms;
  int i = 2;
  long result = 1;
};

void on_timer(uv_timer_t* t);

// The head of the lecture's loop: sleep a second before multiplying by i, or hand the result over.
void step(Factorial* f) {
  if (f->i <= f->number) {
    uv_timer_start(&f->timer, on_timer, f->second_ms, 0);
  } else {
    f->completed->emplace_back(f->number, f->result);
    uv_close(reinterpret_cast<uv_handle_t*>(&f->timer), nullptr);
  }
}

void on_timer(uv_timer_t* t) {
  auto* f = static_cast<Factorial*>(t->data);
  f->result *= f->i;
  ++f->i;
  step(f);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "as-completed", [](wl::Workload& w) {
    as_completed::Params p(w);
    const auto second_ms = wl::uv::timeout_ms(w.scaled(1));
    std::vector<as_completed::Result> arrived;
    std::vector<Factorial> calls;
    for (int n : as_completed::inputs) calls.push_back(Factorial{{}, &arrived, n, second_ms});
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    for (Factorial& f : calls) {
      uv_timer_init(loop.get(), &f.timer);
      f.timer.data = &f;
      step(&f);
    }
    loop.run();
    loop.close();
    as_completed::report(w, arrived, clock.seconds(), true);
  });
}
