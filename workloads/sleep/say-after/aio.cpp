// say-after on aio: the lecture's two-task version, line for line (create_task both, then await
// each). Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<void> say_after(wl::EventLog& log, std::chrono::nanoseconds delay, const char* what) {
  aio::trace::name_task(std::string("say_after ") + what);
  co_await aio::sleep(delay);
  log.add(what);
  aio::trace::mark(what);
}

aio::Task<void> amain(wl::Workload& w, wl::EventLog& log) {
  using sayafter::hello, sayafter::world;
  auto task1 = aio::create_task(say_after(log, w.scaled(hello.delay_s), hello.what));
  auto task2 = aio::create_task(say_after(log, w.scaled(world.delay_s), world.what));
  co_await task1;
  co_await task2;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "say-after", [](wl::Workload& w) {
    sayafter::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    wl::EventLog log;
    wl::Stopwatch clock;
    aio::run(amain(w, log), backend);
    sayafter::report(w, log.events(), clock.seconds(), true);
  });
}
