// sleep-fanout on Boost.Asio with C++20 coroutines: co_spawn one coroutine per sleeper on an
// io_context, each awaiting its own steady_timer; io_context::run returns when the last is done.
#include "common/asio.hpp"

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<void> sleeper(std::chrono::nanoseconds d, long& completed) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
  ++completed;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "sleep-fanout", [](wl::Workload& w) {
    sleep_fanout::Params p(w);
    const auto d = w.scaled(p.sleep_s);
    long completed = 0;
    asio::io_context io(1);
    sleep_fanout::Measure m;
    m.start();
    for (int i = 0; i < p.tasks; ++i) asio::co_spawn(io, sleeper(d, completed), wl::asio_rethrow);
    io.run();
    m.stop();
    sleep_fanout::report(w, p, completed, m);
  });
}
