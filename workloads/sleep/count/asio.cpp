// count on Boost.Asio with C++20 coroutines: co_spawn one coroutine per task on an io_context,
// each awaiting a steady_timer with use_awaitable.
#include "common/asio.hpp"

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<void> count_task(wl::EventLog& log, std::chrono::nanoseconds d, int n) {
  wl::trace::Track t("count " + std::to_string(n));
  log.add("One");
  t.mark("One");
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  t.waiting("timer");
  co_await timer.async_wait(asio::use_awaitable);
  t.running();
  log.add("Two");
  t.mark("Two");
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "count", [](wl::Workload& w) {
    count::Params p(w);
    wl::EventLog log;
    wl::Stopwatch clock;
    asio::io_context io(1);
    for (int i = 0; i < p.tasks; ++i)
      asio::co_spawn(io, count_task(log, w.scaled(p.sleep_s), i + 1), wl::asio_rethrow);
    io.run();
    count::report(w, p, log.events(), clock.seconds(), true);
  });
}
